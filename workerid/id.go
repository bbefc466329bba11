// Package workerid names a worker process so that workers on many hosts
// can share one data directory: the host (machine id, hostname), the
// kernel's boot, the PID namespace and the process id together. A PID alone
// is not unique: two hosts, two containers or two PID namespaces of one host
// reuse the same numbers.
package workerid

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
)

// ID identifies one worker process.
type ID struct {
	Hostname string `json:"hostname"`
	Machine  string `json:"machine_id"` // /etc/machine-id (or the hostname), shortened
	Boot     string `json:"boot_id"`    // /proc/sys/kernel/random/boot_id, shortened
	PIDNS    string `json:"pid_ns"`     // inode of /proc/self/ns/pid ("" if unknown)
	PID      int    `json:"pid"`
}

var (
	selfOnce sync.Once
	self     ID
)

// Self is this process's identity (computed once).
func Self() ID {
	selfOnce.Do(func() { self = read() })
	return self
}

func read() ID {
	host, _ := os.Hostname()
	id := ID{Hostname: safe(host), PID: os.Getpid()}
	id.Machine = short(firstLine("/etc/machine-id", "/var/lib/dbus/machine-id"), 12)
	if id.Machine == "" {
		id.Machine = id.Hostname
	}
	id.Boot = short(strings.ReplaceAll(firstLine("/proc/sys/kernel/random/boot_id"), "-", ""), 12)
	if ns, err := os.Readlink("/proc/self/ns/pid"); err == nil {
		// "pid:[4026531836]"
		id.PIDNS = strings.Trim(strings.TrimPrefix(ns, "pid:"), "[]")
	}
	return id
}

func firstLine(files ...string) string {
	for _, f := range files {
		if b, err := os.ReadFile(f); err == nil {
			if s := strings.TrimSpace(string(b)); s != "" {
				return s
			}
		}
	}
	return ""
}

func short(s string, n int) string {
	s = safe(s)
	if len(s) > n {
		return s[:n]
	}
	return s
}

// safe keeps letters, digits, '.' and '_' (a file name and a Docker label
// value on every system; '-' separates the fields of String).
func safe(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '_':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return b.String()
}

// String is the worker's name in sandbox directories, container labels,
// log files and liveness records: host-machine-boot-pidns-pid.
func (id ID) String() string {
	ns := id.PIDNS
	if ns == "" {
		ns = "0"
	}
	return fmt.Sprintf("%s-%s-%s-%s-%d", id.Hostname, id.Machine, id.Boot, ns, id.PID)
}

// Parse reads a name made by String.
func Parse(name string) (ID, bool) {
	f := strings.Split(name, "-")
	if len(f) != 5 {
		return ID{}, false
	}
	pid, err := strconv.Atoi(f[4])
	if err != nil || pid <= 0 || f[1] == "" {
		return ID{}, false
	}
	ns := f[3]
	if ns == "0" {
		ns = ""
	}
	return ID{Hostname: f[0], Machine: f[1], Boot: f[2], PIDNS: ns, PID: pid}, true
}

// SameProcessSpace reports whether a process of o can be checked from
// here with kill(pid, 0): same machine, same boot and same PID namespace.
func (id ID) SameProcessSpace(o ID) bool {
	return id.Machine == o.Machine && id.Boot != "" && id.Boot == o.Boot && id.PIDNS != "" && id.PIDNS == o.PIDNS
}
