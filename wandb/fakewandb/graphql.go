package fakewandb

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// gqlRequest is a decoded GraphQL request.
type gqlRequest struct {
	Op, Query, Host string
	Vars            map[string]any
	err             error
}

var opName = regexp.MustCompile(`(?:query|mutation)\s+(\w+)`)

func decodeGraphQL(body []byte) *gqlRequest {
	var env struct {
		Query         string         `json:"query"`
		Variables     map[string]any `json:"variables"`
		OperationName string         `json:"operationName"`
	}
	gq := &gqlRequest{}
	if gq.err = json.Unmarshal(body, &env); gq.err != nil {
		return gq
	}
	gq.Op, gq.Query, gq.Vars = env.OperationName, env.Query, env.Variables
	if gq.Op == "" {
		if m := opName.FindStringSubmatch(env.Query); m != nil {
			gq.Op = m[1]
		}
	}
	if gq.Vars == nil {
		gq.Vars = map[string]any{}
	}
	return gq
}

// handleGraphQL dispatches on the operation name.
func (s *Server) handleGraphQL(gq *gqlRequest, rec *Request) (int, []byte) {
	if gq.err != nil {
		return http.StatusBadRequest, errJSON("fake: bad GraphQL body")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	v := gq.Vars
	var data any
	var err error
	switch gq.Op {
	case "Viewer":
		data = map[string]any{"viewer": map[string]any{"id": "VXNlcjox", "entity": s.opts.Entity,
			"username": s.opts.Entity, "email": "test@example.com", "flags": "{}",
			"teams": map[string]any{"edges": []any{}}}}
	case "ServerFeaturesQuery", "ServerInfo":
		var fs []any
		for _, f := range s.opts.Features {
			fs = append(fs, map[string]any{"name": f, "isEnabled": true})
		}
		data = map[string]any{"serverInfo": map[string]any{"features": fs, "cliVersionInfo": map[string]any{}}}
	case "UpsertBucket":
		data, err = s.upsertBucket(v, rec)
	case "RunResumeStatus":
		data = s.resumeStatus(v, rec)
	case "CreateRunFiles":
		data, err = s.createRunFiles(v, gq.Host, rec)
	case "MarkRunFilesUploaded":
		if r := s.runByVars(v, "entity", "project", "run"); r != nil {
			rec.Run = r.Name
			r.Uploaded = appendNew(r.Uploaded, strList(v["files"])...)
		}
		data = map[string]any{"markRunFilesUploaded": map[string]any{"success": true}}
	case "StopRun":
		data = s.setByStorageID(v, "id", func(r *runState) { r.Stopped = true }, "stopRun")
	case "UpdateRunState":
		in, _ := v["input"].(map[string]any)
		st, _ := in["state"].(string)
		data = s.setByStorageID(in, "id", func(r *runState) { r.StateOverride = st }, "updateRunState")
	case "RunStoppedStatus":
		r := s.runByVars(v, "entityName", "projectName", "runId")
		stopped := r != nil && r.Stopped
		data = map[string]any{"project": map[string]any{"run": map[string]any{"stopped": stopped}}}
	case "UpsertSweep":
		data, err = s.upsertSweep(v)
	case "GetSweeps":
		data = s.getSweeps(v)
	case "GetSweep":
		data = s.getSweep(v)
	default:
		s.violate("unsupported GraphQL operation %q", gq.Op)
		err = fmt.Errorf("fake: unsupported op %s", gq.Op)
	}
	if err != nil {
		return http.StatusOK, errJSON(err.Error())
	}
	return http.StatusOK, mustJSON(map[string]any{"data": data})
}

// upsertBucket creates or updates a run; a null variable leaves its field
// unchanged. Upserting a completed run resumes it.
func (s *Server) upsertBucket(v map[string]any, rec *Request) (any, error) {
	entity := orDefault(vstr(v, "entity"), s.opts.Entity)
	project := vstr(v, "project")
	if project == "" {
		return nil, errors.New("fake: UpsertBucket without project")
	}
	name := vstr(v, "name")
	if name == "" {
		s.seq++
		name = fmt.Sprintf("run%05d", s.seq)
	}
	key := entity + "/" + project + "/" + name
	r, id := s.runs[key], vstr(v, "id")
	inserted := r == nil
	switch {
	case r == nil && id != "":
		return nil, fmt.Errorf("fake: no run with id %s", id)
	case r == nil:
		r = &runState{RunState: RunState{Entity: entity, Project: project, Name: name,
			StorageID: b64("Run:v1:" + name + ":" + project + ":" + entity),
			Lines:     map[string]map[int]string{}, Files: map[string][]byte{}, UploadHeaders: map[string][]string{}},
			created: s.opts.Now(), createdURLs: map[string]bool{}}
		r.DisplayName = fmt.Sprintf("fake-run-%d", len(s.runs)+1)
		s.runs[key] = r
	case id != "" && id != r.StorageID:
		return nil, fmt.Errorf("fake: run %s has id %s, not %s", name, r.StorageID, id)
	default:
		r.Resumes++
		r.Complete, r.sealed = false, false
	}
	r.Upserts++
	rec.Run = name
	setStr(v, "displayName", &r.DisplayName)
	setStr(v, "groupName", &r.Group)
	setStr(v, "notes", &r.Notes)
	setStr(v, "jobType", &r.JobType)
	setStr(v, "sweep", &r.Sweep)
	if t, ok := v["tags"].([]any); ok {
		r.Tags = strList(t)
	}
	if cfg, ok := v["config"].(string); ok {
		s.checkConfig(r, cfg)
		if cfg != r.Config {
			r.Config, r.ConfigVersions = cfg, append(r.ConfigVersions, cfg)
		}
	}
	if sm, ok := v["summaryMetrics"].(string); ok {
		r.Lines[summaryFile] = map[int]string{0: sm}
	}
	if r.Sweep != "" {
		s.checkSweepRun(r)
	}
	return map[string]any{"upsertBucket": map[string]any{"bucket": s.bucketJSON(r), "inserted": inserted}}, nil
}

func (s *Server) bucketJSON(r *runState) map[string]any {
	return map[string]any{"id": r.StorageID, "name": r.Name, "displayName": r.DisplayName,
		"description": nil, "config": orDefault(r.Config, "{}"), "sweepName": nilIfEmpty(r.Sweep),
		"project": projectJSON(r.Entity, r.Project), "historyLineCount": r.lineCount(historyFile)}
}

func projectJSON(entity, project string) map[string]any {
	return map[string]any{"id": b64("Project:" + entity + "/" + project), "name": project,
		"entity": map[string]any{"id": b64("Entity:" + entity), "name": entity}}
}

// resumeStatus answers RunResumeStatus; bucket is null for a missing run.
func (s *Server) resumeStatus(v map[string]any, rec *Request) any {
	entity := orDefault(vstr(v, "entity"), s.opts.Entity)
	project, name := vstr(v, "project"), vstr(v, "name")
	model := projectJSON(entity, project)
	model["bucket"] = nil
	if r := s.runs[entity+"/"+project+"/"+name]; r != nil {
		rec.Run = name
		tail := func(f string) string {
			lines := orderedLines(r.Lines[f])
			return string(mustJSON(lines[max(0, len(lines)-10):]))
		}
		var summary any
		if l, ok := r.Lines[summaryFile][0]; ok {
			summary = l
		}
		wc := "{}"
		if cfg, ok := decodeObject(r.Config); ok {
			if w, ok := cfg["_wandb"].(map[string]any); ok {
				if wv, ok := w["value"].(map[string]any); ok && wv["t"] != nil {
					wc = string(mustJSON(map[string]any{"t": wv["t"]}))
				}
			}
		}
		model["bucket"] = map[string]any{"id": r.StorageID, "name": r.Name, "displayName": r.DisplayName,
			"summaryMetrics": summary, "logLineCount": r.lineCount(consoleFile),
			"historyLineCount": r.lineCount(historyFile), "eventsLineCount": r.lineCount(eventsFile),
			"historyTail": tail(historyFile), "eventsTail": tail(eventsFile), "config": nilIfEmpty(r.Config),
			"tags": r.Tags, "notes": r.Notes, "wandbConfig": wc}
	}
	return map[string]any{"model": model}
}

// createRunFiles hands out upload URLs on the upload route.
func (s *Server) createRunFiles(v map[string]any, host string, rec *Request) (any, error) {
	r := s.runByVars(v, "entity", "project", "run")
	files := strList(v["files"])
	if r == nil {
		return map[string]any{"createRunFiles": map[string]any{"runID": nil, "uploadHeaders": []any{}, "files": []any{}}}, nil
	}
	rec.Run = r.Name
	base := s.opts.UploadBaseURL
	if base == "" {
		base = "http://" + host
	}
	var out []any
	for _, f := range files {
		if f == "" || strings.HasPrefix(f, "/") || strings.Contains(f, `\`) || strings.Contains("/"+f+"/", "/../") {
			s.violate("run %s: CreateRunFiles path %q is not relative with / separators", r.Name, f)
		}
		r.createdURLs[f] = true
		u := fmt.Sprintf("%s/upload/%s/%s/%s/%s", strings.TrimRight(base, "/"), url.PathEscape(r.Entity),
			url.PathEscape(r.Project), url.PathEscape(r.Name), escapePath(f))
		out = append(out, map[string]any{"name": f, "uploadUrl": u})
	}
	return map[string]any{"createRunFiles": map[string]any{"runID": r.StorageID,
		"uploadHeaders": []string{"X-Fake-Upload:1"}, "files": out}}, nil
}

func (s *Server) runByVars(v map[string]any, ek, pk, rk string) *runState {
	return s.runs[orDefault(vstr(v, ek), s.opts.Entity)+"/"+vstr(v, pk)+"/"+vstr(v, rk)]
}

func (s *Server) setByStorageID(v map[string]any, key string, f func(*runState), field string) any {
	ok := false
	for _, r := range s.runs {
		if r.StorageID == vstr(v, key) {
			f(r)
			ok = true
		}
	}
	return map[string]any{field: map[string]any{"success": ok}}
}
