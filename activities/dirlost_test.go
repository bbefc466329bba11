package activities_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"go.temporal.io/sdk/temporal"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	wf "github.com/ctxresearch/ctxsweep/workflows"
)

// TestDeletedInstanceDirFailsByName: an instance directory deleted while
// the sweep runs (issue 21, defect 2) makes the next model call and the
// final write fail with a named, non-retryable error instead of "has no
// head.json" retried for ever.
func TestDeletedInstanceDirFailsByName(t *testing.T) {
	l := newLoop(t, bash("echo one"), bash("echo two"))
	ctx := context.Background()
	r := ref(agent.DefaultLimits())
	s, err := l.acts.Setup(ctx, wf.SetupInput{Ref: r})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.acts.ModelCall(ctx, wf.ModelCallInput{Ref: r, Turn: 1}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.acts.Execute(ctx, wf.ExecuteInput{Ref: r, SandboxID: s.SandboxID, Turn: 1}); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(l.store.Path(r.Dir())); err != nil {
		t.Fatal(err)
	}
	fresh := activities.New(l.acts.Deps) // another worker: nothing cached
	defer fresh.Close(ctx)
	check := func(what string, err error) {
		t.Helper()
		var app *temporal.ApplicationError
		if !errors.As(err, &app) || app.Type() != wf.ErrInstanceDirLost || !app.NonRetryable() {
			t.Fatalf("%s: want a non-retryable %s error, got %v", what, wf.ErrInstanceDirLost, err)
		}
		if !strings.Contains(err.Error(), l.store.Path(r.Dir())) || !strings.Contains(err.Error(), "deleted") {
			t.Fatalf("%s: the error should name the deleted directory: %v", what, err)
		}
	}
	_, err = fresh.ModelCall(ctx, wf.ModelCallInput{Ref: r, Turn: 2})
	check("model call", err)
	_, err = fresh.Finalize(ctx, wf.FinalizeInput{Ref: r, Record: wf.InstanceRecord{InstanceID: r.InstanceID, Turns: 1}})
	check("finalize", err)
}

// TestHugeReplyIsCapped (issue 21, defect 10): a 10 MB model reply is
// kept cut to MaxReplyBytes with a note, not stored (and resent) whole.
func TestHugeReplyIsCapped(t *testing.T) {
	huge := reply{content: strings.Repeat("é spam ", 10<<20/8), calls: bash("echo ok").calls}
	l := newLoop(t, huge)
	ctx := context.Background()
	r := ref(agent.DefaultLimits())
	if _, err := l.acts.Setup(ctx, wf.SetupInput{Ref: r}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.acts.ModelCall(ctx, wf.ModelCallInput{Ref: r, Turn: 1}); err != nil {
		t.Fatal(err)
	}
	rep := l.reply(t, 1, 0)
	if len(rep.Content) > activities.MaxReplyBytes+200 || rep.TruncatedFrom != len(huge.content) {
		t.Fatalf("reply kept with %d bytes (truncated_from %d), want at most %d", len(rep.Content), rep.TruncatedFrom, activities.MaxReplyBytes)
	}
	if !strings.Contains(rep.Content, "only its first") || !utf8.ValidString(rep.Content) {
		t.Fatalf("the cut is not noted, or cuts a character: %q", rep.Content[len(rep.Content)-120:])
	}
}
