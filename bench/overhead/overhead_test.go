package main

import (
	"context"
	"math"
	"testing"
	"time"
)

// TestSmoke runs P1's smoke mode on the embedded server: the instance must
// submit after exactly its scripted turns and the ratio must be finite and
// at least 1 (the wall clock cannot beat the simulated work).
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded Temporal server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c := config{Turns: 10, ModelLatency: 50 * time.Millisecond, ExecLatency: 5 * time.Millisecond, DataDir: t.TempDir()}
	r, err := measure(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("wall %s, model %s, exec %s, ratio %.3f, overhead %.1f ms/turn", r.Wall, r.Model, r.Exec, r.Ratio, r.PerTurnMS)
	if r.Submitted != 1 {
		t.Fatalf("submitted = %d, want 1", r.Submitted)
	}
	if r.Calls != c.Turns {
		t.Fatalf("model calls = %d, want %d", r.Calls, c.Turns)
	}
	if math.IsNaN(r.Ratio) || math.IsInf(r.Ratio, 0) || r.Ratio < 1 {
		t.Fatalf("ratio = %v, want finite and >= 1", r.Ratio)
	}
}
