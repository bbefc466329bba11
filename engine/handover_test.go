package engine

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// An attached starter whose data directory's server runs in another PID
// namespace (its PID means nothing here) attaches when the address
// answers, and keeps waiting while neither the process nor the address
// is there (issue 21, defect 3).
func TestWaitServerInfoAcrossPIDNamespaces(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	write := func(addr string) {
		body := `{"address":"` + addr + `","namespace":"default","pid":999999999}`
		if err := os.WriteFile(filepath.Join(dir, "server.json"), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	info, err := waitServerInfo(ctx, dir)
	if err != nil || info.Address != ln.Addr().String() {
		t.Fatalf("a server whose process is invisible but whose address answers: %+v, %v", info, err)
	}

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	write(closed.Addr().String())
	closed.Close()
	short, stop := context.WithTimeout(context.Background(), time.Second)
	defer stop()
	if _, err := waitServerInfo(short, dir); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a dead server (no process, no answer) was taken for a live one: %v", err)
	}
}
