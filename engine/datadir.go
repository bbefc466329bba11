package engine

import (
	"os"
	"path/filepath"
)

// DefaultDataDir is the data directory every command uses unless told
// otherwise: $CTXSWEEP_DATA_DIR, else $XDG_DATA_HOME/ctxsweep, else
// ~/.local/share/ctxsweep.
func DefaultDataDir() string {
	if d := os.Getenv("CTXSWEEP_DATA_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "ctxsweep")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "share", "ctxsweep")
	}
	return ".ctxsweep"
}
