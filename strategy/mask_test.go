package strategy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ctxresearch/ctxsweep/agent"
)

// obsSig labels observations F (full) or M (masked), skipping other items.
func obsSig(v []agent.Message) string {
	var b strings.Builder
	for _, m := range v {
		if m.MessageType != agent.TypeObservation {
			continue
		}
		if strings.HasPrefix(m.Content, "Old environment output: (") {
			b.WriteByte('M')
		} else {
			b.WriteByte('F')
		}
	}
	return b.String()
}

func TestMaskPolling(t *testing.T) {
	// n=2, polling=3: cut = floor(obs/3)*3 - 2, instance never masked.
	cases := []struct {
		turns int // obs entries = turns+1
		want  string
	}{
		{1, "FF"},            // 2 obs: cut 0
		{2, "FFF"},           // 3 obs: cut 1
		{3, "FFFF"},          // 4 obs: cut 1
		{5, "FMMMFF"},        // 6 obs: cut 4
		{6, "FMMMFFF"},       // 7 obs: cut 4
		{7, "FMMMFFFF"},      // 8 obs: cut 4
		{8, "FMMMMMMFF"},     // 9 obs: cut 7
		{11, "FMMMMMMMMMFF"}, // 12 obs: cut 10
	}
	for _, c := range cases {
		p := Defaults(ObservationMasking)
		p.ObsN, p.Polling = 2, 3
		v, err := View(p, synthHistory(c.turns), nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := obsSig(v); got != c.want {
			t.Errorf("turns %d: %s, want %s", c.turns, got, c.want)
		}
	}
}

func TestMaskTagsAndUserObservations(t *testing.T) {
	p := Defaults(ObservationMasking)
	p.ObsN = 2
	h := synthHistory(5)
	h[3].Tags = []string{agent.TagKeepOutput}                         // O1: old but kept
	h[1].Tags = []string{agent.TagRemoveOutput}                       // instance: removed anyway
	h[11].Tags = []string{agent.TagKeepOutput, agent.TagRemoveOutput} // O5: remove wins
	// An exit-like user observation counts as an observation for masking.
	h = append(h, agent.Message{Role: agent.RoleUser, Content: "Exited\n", MessageType: agent.TypeObservation})
	v, err := View(p, h, nil)
	if err != nil {
		t.Fatal(err)
	}
	// obs: INST O1 O2 O3 O4 O5 U → cut 5 → mask O1..O4 except O1 (keep); INST, O5 by tag.
	if got, want := obsSig(v), "MFMMMMF"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	if v[1].Content != MaskedContent(instContent) || v[1].Role != agent.RoleUser {
		t.Errorf("instance: %+v", v[1])
	}
	if v[5].Content != fmt.Sprintf("Old environment output: (%d lines omitted)", obsLines(2)) ||
		v[5].Role != agent.RoleTool || v[5].ToolCallIDs[0] != "call_2" {
		t.Errorf("masked O2 lost fields: %+v", v[5])
	}
	if h[5].Content != obsContent(2) {
		t.Error("View modified the caller's history")
	}
	v[4].ToolCalls[0].ID = "changed"
	if h[4].ToolCalls[0].ID != "call_2" {
		t.Error("View output aliases the caller's history")
	}

	bad := synthHistory(1)
	bad[2].Tags = []string{agent.TagRemoveOutput} // an assistant item
	if _, err := View(p, bad, nil); err == nil || !strings.Contains(err.Error(), "message_type") {
		t.Errorf("remove_output on an assistant item: err = %v", err)
	}
}
