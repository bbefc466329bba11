package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/ctxresearch/ctxsweep/engine"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// printWaiting lists the running instances whose model calls are waiting
// for credentials or for a slot of a queue's max_concurrent, with their
// phase: they are not failing, but wait for the credentials to come back
// (or --credential-wait to be over) or for a slot to be free.
func printWaiting(ctx context.Context, w io.Writer, e *engine.Engine, st workflows.SweepStatus) {
	waiting := e.WaitingForCredentials(ctx, st)
	ids := make([]string, 0, len(waiting))
	for id := range waiting {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(w, "    %s: %s\n", id, waiting[id])
	}
}
