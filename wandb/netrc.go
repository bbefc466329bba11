package wandb

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// netrcPath returns the netrc file to read: $NETRC if set, else ~/.netrc if
// it exists, else ~/_netrc if it exists.
func netrcPath() (string, bool) {
	if p := os.Getenv("NETRC"); p != "" {
		return p, true
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", false
	}
	for _, name := range []string{".netrc", "_netrc"} {
		p := filepath.Join(home, name)
		if _, err := os.Stat(p); err == nil {
			return p, true
		}
	}
	return "", false
}

// netrcPassword returns the password of the first entry whose machine is one
// of hosts (tried in order, e.g. "host:port" then "host"), else of the
// "default" entry. A missing file is not an error. Errors never quote the
// file's content.
func netrcPassword(path string, hosts ...string) (string, bool, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("wandb: reading netrc %s: %w", path, err)
	}
	entries := parseNetrc(string(data))
	for _, h := range hosts {
		for _, e := range entries {
			if e.machine == h && !e.isDefault {
				return e.password, e.password != "", nil
			}
		}
	}
	for _, e := range entries {
		if e.isDefault {
			return e.password, e.password != "", nil
		}
	}
	return "", false, nil
}

// netrcEntry is one machine (or default) block of a netrc file.
type netrcEntry struct {
	machine, login, password string
	isDefault                bool
}

// parseNetrc tokenizes a netrc file: whitespace-separated tokens, "#"
// comments to the end of a line, and macdef bodies (up to a blank line) skipped.
func parseNetrc(text string) []netrcEntry {
	var entries []netrcEntry
	var cur *netrcEntry
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var toks []string
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if j := strings.Index(line, "#"); j >= 0 && (j == 0 || line[j-1] == ' ' || line[j-1] == '\t') {
			line = line[:j]
		}
		fields := strings.Fields(line)
		for k := 0; k < len(fields); k++ {
			if fields[k] == "macdef" {
				for i+1 < len(lines) && strings.TrimSpace(lines[i+1]) != "" {
					i++
				}
				break
			}
			toks = append(toks, fields[k])
		}
	}
	for i := 0; i < len(toks); i++ {
		next := func() string {
			if i+1 < len(toks) {
				i++
				return toks[i]
			}
			return ""
		}
		switch toks[i] {
		case "machine":
			entries = append(entries, netrcEntry{machine: next()})
			cur = &entries[len(entries)-1]
		case "default":
			entries = append(entries, netrcEntry{isDefault: true})
			cur = &entries[len(entries)-1]
		case "login":
			if v := next(); cur != nil {
				cur.login = v
			}
		case "password":
			if v := next(); cur != nil {
				cur.password = v
			}
		case "account":
			next()
		}
	}
	return entries
}
