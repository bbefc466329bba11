package engine

import (
	"path/filepath"
	"testing"
)

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("HOME", "/home/u")
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("CTXSWEEP_DATA_DIR", "")
	if got := DefaultDataDir(); got != filepath.Join("/home/u", ".local", "share", "ctxsweep") {
		t.Errorf("home default: %s", got)
	}
	t.Setenv("XDG_DATA_HOME", "/xdg")
	if got := DefaultDataDir(); got != "/xdg/ctxsweep" {
		t.Errorf("XDG: %s", got)
	}
	t.Setenv("CTXSWEEP_DATA_DIR", "/explicit")
	if got := DefaultDataDir(); got != "/explicit" {
		t.Errorf("explicit: %s", got)
	}
}
