package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ctxresearch/ctxsweep/activities"
	"github.com/ctxresearch/ctxsweep/agent"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// failureClass is one kind of instance failure: the same preset and the
// same message (instance ids and turn numbers aside).
type failureClass struct {
	Preset     string `json:"preset"`
	ExitStatus string `json:"exit_status"`
	Error      string `json:"error"`
	Trial      string `json:"first_trial"`
	Instance   string `json:"first_instance"`
	Count      int    `json:"count"`
	Hint       string `json:"what_to_do"`
	key        string
}

// trouble is a model endpoint failing right now for a running instance.
type trouble struct {
	Trial    string `json:"trial"`
	Instance string `json:"instance"`
	activities.APITrouble
}

// failureView gathers the failed instances of a sweep's trials and the
// model-endpoint trouble of its running instances, from the trials'
// status queries (running trials) and results.json (finished ones).
type failureView struct {
	dataDir  string
	finished map[string][]workflows.InstanceRecord // trial id -> records from results.json
	ByStatus map[string]int                        `json:"failed_by_exit_status,omitempty"`
	Classes  []*failureClass                       `json:"failures,omitempty"`
	Trouble  []trouble                             `json:"model_endpoint_trouble,omitempty"`
	byKey    map[string]*failureClass
}

func newFailureView(dataDir string) *failureView {
	return &failureView{dataDir: dataDir, finished: map[string][]workflows.InstanceRecord{}}
}

// failed says whether a record is a failure of the system rather than an
// outcome of the agent (a format or cost limit is a result, not a failure).
func failed(r workflows.InstanceRecord) bool {
	if r.Error != "" {
		return true
	}
	s := strings.TrimSuffix(strings.TrimPrefix(r.ExitStatus, agent.ExitSubmitted+" ("), ")")
	return s == agent.ExitError || s == agent.ExitEnvironmentError || s == agent.ExitAPI
}

// update recomputes the view from the sweep's status and the running
// trials' answers.
func (v *failureView) update(st workflows.SweepStatus, live map[string]workflows.TrialStatus) {
	v.ByStatus, v.Classes, v.Trouble, v.byKey = map[string]int{}, nil, nil, map[string]*failureClass{}
	for _, t := range st.Trials {
		recs := v.records(t, live)
		preset := trialPreset(t)
		for _, r := range recs {
			if !failed(r) {
				continue
			}
			v.ByStatus[r.ExitStatus]++
			msg := r.Error
			if msg == "" {
				msg = "(no error message; exit status " + r.ExitStatus + ")"
			}
			key := preset + "\x00" + workflows.NormalizeError(msg, r.InstanceID)
			c := v.byKey[key]
			if c == nil {
				c = &failureClass{Preset: preset, ExitStatus: r.ExitStatus, Error: msg, Trial: t.RunName, Instance: r.InstanceID,
					Hint: hintFor(msg, r.ExitStatus, st.Name), key: key}
				v.byKey[key] = c
				v.Classes = append(v.Classes, c)
			}
			c.Count++
		}
		if ts, ok := live[t.ID]; ok && t.Dir != "" {
			for _, id := range ts.Running {
				var tr activities.APITrouble
				data, err := os.ReadFile(filepath.Join(v.dataDir, t.Dir, id, activities.TroubleFile))
				if err != nil || json.Unmarshal(data, &tr) != nil {
					continue
				}
				v.Trouble = append(v.Trouble, trouble{Trial: t.RunName, Instance: id, APITrouble: tr})
			}
		}
	}
	sort.Slice(v.Trouble, func(i, j int) bool { return v.Trouble[i].At.After(v.Trouble[j].At) })
}

// records are a trial's finished instance records: from its status query
// while it runs, from its results.json once it has ended.
func (v *failureView) records(t workflows.SweepTrial, live map[string]workflows.TrialStatus) []workflows.InstanceRecord {
	if ts, ok := live[t.ID]; ok {
		return ts.Records
	}
	if t.State == workflows.TrialRunning || t.Dir == "" {
		return nil
	}
	if recs, ok := v.finished[t.ID]; ok {
		return recs
	}
	var recs []workflows.InstanceRecord
	data, err := os.ReadFile(filepath.Join(v.dataDir, t.Dir, "results.json"))
	if err != nil || json.Unmarshal(data, &recs) != nil {
		// Cancelled before it wrote its results: the instances' records.
		recs = nil
		files, _ := filepath.Glob(filepath.Join(v.dataDir, t.Dir, "*", "record.json"))
		for _, f := range files {
			var r workflows.InstanceRecord
			if data, err := os.ReadFile(f); err == nil && json.Unmarshal(data, &r) == nil {
				recs = append(recs, r)
			}
		}
	}
	v.finished[t.ID] = recs
	return recs
}

func trialPreset(t workflows.SweepTrial) string {
	if m, ok := t.Params["model"]; ok {
		return fmt.Sprint(m)
	}
	return t.RunName
}

// hintFor says what to do about a failure of sweep (its name).
func hintFor(msg, exit, sweep string) string {
	low := strings.ToLower(msg)
	retry := fmt.Sprintf("then `starter retry %s` runs the failed instances again", sweep)
	if sweep == "" { // the instance is still retrying
		retry = "the call is retried meanwhile"
	}
	switch {
	case strings.Contains(msg, "is not set (put it in"):
		return fmt.Sprintf("set the variable named above in the worker's environment or its .env file (`starter models` shows which keys are present), then `starter resume %s` (finished instances are kept)", cmp.Or(sweep, "NAME"))
	case strings.Contains(msg, "type: AuthFailed") || strings.Contains(low, "401") || strings.Contains(low, "403"):
		return "the provider refused the credentials: check the key of this preset (`starter models`) and its api_base, " + retry
	case strings.Contains(msg, workflows.ErrInstanceDirLost):
		return "the instance directory was deleted during the sweep; " + retry
	case strings.Contains(msg, "type: ConfigError"):
		return "fix the configuration named in the error (sweep file, model preset or environment); every instance of this preset fails the same way; " + retry
	case strings.Contains(low, "no space left"):
		return "free disk space in the data directory or Docker's, " + retry
	case strings.Contains(low, "docker"):
		return "check the Docker engine (DOCKER_HOST, `docker info`), " + retry
	case strings.Contains(msg, "RateLimited") || strings.Contains(low, "429"):
		return "the provider is rate-limiting: lower num-workers or --parallel-trials, or set rate_limit on the preset"
	case exit == agent.ExitAPI || strings.Contains(msg, "ProviderUnavailable") || strings.Contains(msg, "BadResponse"):
		return "the model endpoint kept failing: check its status and the preset's api_base"
	}
	return "see the instance's record.json and the logs under <data-dir>/logs"
}

// summary is the failure part of the progress line ("" when none).
func (v *failureView) summary(now time.Time) string {
	var parts []string
	if n := v.failedCount(); n > 0 {
		var by []string
		for _, s := range sortedStatuses(v.ByStatus) {
			by = append(by, fmt.Sprintf("%s %d", s, v.ByStatus[s]))
		}
		parts = append(parts, fmt.Sprintf("failed %d (%s)", n, strings.Join(by, ", ")))
	}
	if len(v.Trouble) > 0 {
		t := v.Trouble[0]
		parts = append(parts, fmt.Sprintf("model %s failing: %d failed attempts, next %s", t.Model, t.Retries, untilText(t.NextAttempt, now)))
	}
	return strings.Join(parts, " | ")
}

func (v *failureView) failedCount() int {
	n := 0
	for _, c := range v.ByStatus {
		n += c
	}
	return n
}

func sortedStatuses(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func untilText(t, now time.Time) string {
	d := t.Sub(now).Round(time.Second)
	if d <= 0 {
		return "attempt due now"
	}
	return "attempt in " + d.String()
}

// classLine describes a failure class for the console and `starter status`.
func (c *failureClass) lines() string {
	return fmt.Sprintf("%s (preset %s, first: %s/%s): %s\n  what to do: %s", c.ExitStatus, c.Preset, c.Trial, c.Instance, c.Error, c.Hint)
}

func (t trouble) lines(now time.Time) string {
	return fmt.Sprintf("model %s endpoint failing for %s/%s (turn %d, since %s): %d failed attempts so far, %s\n  last error: %s\n  what to do: %s",
		t.Model, t.Trial, t.Instance, t.Turn, t.Since.Local().Format("15:04:05"), t.Retries, untilText(t.NextAttempt, now), t.Error,
		hintFor(t.Error, agent.ExitAPI, ""))
}

// printNew prints each failure class and each endpoint trouble the first
// time it appears; shown remembers what was printed.
func (v *failureView) printNew(w func(string), shown map[string]bool, now time.Time) {
	for _, c := range v.Classes {
		if !shown[c.key] {
			shown[c.key] = true
			w("New failure: " + c.lines())
		}
	}
	for _, t := range v.Trouble {
		k := "trouble\x00" + t.Model + "\x00" + workflows.NormalizeError(t.Error, t.Instance)
		if !shown[k] {
			shown[k] = true
			w(t.lines(now))
		}
	}
}
