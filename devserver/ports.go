package devserver

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
)

// ports are the server's listening ports. They are kept in a file next to
// the database and reused on restart, so workers and attached processes
// find the frontend where it was. (The services find each other through
// static hosts (staticHosts), not a membership ring, so the membership
// ports are configured but not listened on.)
type ports struct {
	Frontend   int    `json:"frontend"`
	Services   [3]int `json:"services"`   // history, matching, worker
	Membership [4]int `json:"membership"` // frontend, history, matching, worker
}

func (p ports) all() []int {
	out := append([]int{p.Frontend}, p.Services[:]...)
	return append(out, p.Membership[:]...)
}

// choosePorts reuses the saved ports when they are all free (and the
// frontend matches what was asked for), else picks new ones and saves them.
func choosePorts(file string, wantFrontend int) (ports, error) {
	var saved ports
	if data, err := os.ReadFile(file); err == nil && json.Unmarshal(data, &saved) == nil &&
		(wantFrontend == 0 || wantFrontend == saved.Frontend) && allFree(saved.all()) {
		return saved, nil
	}
	var p ports
	var err error
	if p.Frontend, err = pickPort(wantFrontend, 7233); err != nil {
		return p, err
	}
	taken := map[int]bool{p.Frontend: true}
	next := func() (int, error) {
		for i := 0; i < 100; i++ {
			n, err := freePort()
			if err != nil {
				return 0, err
			}
			if !taken[n] {
				taken[n] = true
				return n, nil
			}
		}
		return 0, fmt.Errorf("devserver: no free port")
	}
	for i := range p.Services {
		if p.Services[i], err = next(); err != nil {
			return p, err
		}
	}
	for i := range p.Membership {
		if p.Membership[i], err = next(); err != nil {
			return p, err
		}
	}
	data, _ := json.Marshal(p)
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return p, fmt.Errorf("devserver: saving ports: %w", err)
	}
	return p, nil
}

func allFree(ps []int) bool {
	for _, p := range ps {
		if p <= 0 {
			return false
		}
		l, err := net.Listen("tcp", fmt.Sprintf("%s:%d", host, p))
		if err != nil {
			return false
		}
		_ = l.Close()
	}
	return true
}
