package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// errRunning is why a running instance has no turn views yet: its history
// is assembled into the .traj when it ends.
var errRunning = errors.New("the instance is still running: the turn views appear when it ends")

// Turn files the runner writes as an instance runs (store.ReplyFile,
// store.ObservationFile, activities.RetryObservationFile), read here
// without the activities package.
type liveReply struct {
	Content     string `json:"content"`
	Valid       bool   `json:"valid"`
	FormatError string `json:"format_error"`
	FormatCode  string `json:"format_code"`
	Action      *struct {
		Command string `json:"command"`
	} `json:"action"`
	Usage struct {
		Input       int `json:"input"`
		CachedInput int `json:"cached_input"`
		Output      int `json:"output"`
	} `json:"usage"`
	Cost float64 `json:"cost"`
}

type liveObservation struct {
	Attempt int    `json:"attempt"`
	Output  string `json:"output"`
}

// readLive decodes a turn file; false if it does not exist (or is not
// readable yet).
func readLive(p string, v any) bool {
	b, err := os.ReadFile(p)
	return err == nil && json.Unmarshal(b, v) == nil
}

// liveTraj builds a running instance's steps so far from its turn files,
// one per model reply as the .traj will have them (content-policy
// refusals left out), and indexes them like a .traj.
func liveTraj(instDir string) *trajData {
	turns := filepath.Join(instDir, "turns")
	type liveStep struct {
		Thought     string     `json:"thought"`
		Action      string     `json:"action"`
		Observation string     `json:"observation"`
		Stats       *stepStats `json:"turn_statistics"`
	}
	steps := []liveStep{}
	for t := 1; ; t++ {
		var obs liveObservation
		hasObs := readLive(filepath.Join(turns, fmt.Sprintf("%04d.obs.json", t)), &obs)
		at := 0
		for ; ; at++ {
			var rep liveReply
			if !readLive(filepath.Join(turns, fmt.Sprintf("%04d.a%d.json", t, at)), &rep) {
				break
			}
			if rep.FormatCode == "content_policy" {
				continue
			}
			st := liveStep{Thought: rep.Content, Stats: &stepStats{Cost: rep.Cost}}
			st.Stats.Tokens.RawInput, st.Stats.Tokens.CachedInput, st.Stats.Tokens.Output = rep.Usage.Input-rep.Usage.CachedInput, rep.Usage.CachedInput, rep.Usage.Output
			if rep.Action != nil {
				st.Action = rep.Action.Command
			}
			switch {
			case !rep.Valid:
				st.Observation = rep.FormatError
			case hasObs && obs.Attempt == at:
				st.Observation = obs.Output
			default: // re-queried with the output, or not run yet
				var ran liveObservation
				_ = readLive(filepath.Join(turns, fmt.Sprintf("%04d.a%d.retry.json", t, at)), &ran)
				st.Observation = ran.Output
			}
			steps = append(steps, st)
		}
		if at == 0 {
			break
		}
	}
	b, err := json.Marshal(map[string]any{"trajectory": steps})
	if err != nil {
		return &trajData{Err: err}
	}
	d := &trajData{name: instDir, data: b, Live: true}
	if err := d.index(); err != nil {
		d.Err = fmt.Errorf("%s: %v", instDir, err)
	}
	d.ViewErr = errRunning
	return d
}
