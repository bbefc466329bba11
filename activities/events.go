package activities

import (
	"encoding/json"
	"os"
	"time"

	"github.com/ctxresearch/ctxsweep/store"
)

// Event is one line of an instance's audit log.
type Event struct {
	Time    time.Time `json:"time"`
	Kind    string    `json:"kind"` // model_call, summary_call, execute, restore, setup
	Turn    int       `json:"turn,omitempty"`
	Attempt int       `json:"attempt,omitempty"`
	Worker  int       `json:"worker_pid"`
	Note    string    `json:"note,omitempty"`
}

// Event kinds.
const (
	EventModelCall   = "model_call"
	EventSummaryCall = "summary_call"
	EventExecute     = "execute"
	EventRestore     = "restore"
	EventSetup       = "setup"
)

func (a *Activities) event(dir string, e Event) {
	e.Time, e.Worker = time.Now().UTC(), os.Getpid()
	b, _ := json.Marshal(e)
	if err := a.Store.AppendLine(store.EventsFile(dir), b); err != nil {
		a.Log.Sugar().Warnw("audit log", "dir", dir, "error", err)
	}
}
