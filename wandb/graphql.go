package wandb

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
)

// GraphQL documents used by the client. Operation names, variables and
// input fields follow the public schema described in the protocol reference.
const (
	qViewer = `query Viewer { viewer { id entity username } }`

	qServerFeatures = `query ServerFeaturesQuery { serverInfo { features { name isEnabled } } }`

	qRunResumeStatus = `query RunResumeStatus($project: String, $entity: String, $name: String!) {
  model(name: $project, entityName: $entity) {
    id name entity { id name }
    bucket(name: $name, missingOk: true) {
      id name summaryMetrics displayName logLineCount historyLineCount eventsLineCount
      historyTail eventsTail config tags notes wandbConfig(keys: ["t"])
    }
  }
}`

	qUpsertBucket = `mutation UpsertBucket($id: String, $name: String, $project: String, $entity: String, $groupName: String, $description: String, $displayName: String, $notes: String, $commit: String, $config: JSONString, $host: String, $debug: Boolean, $program: String, $repo: String, $jobType: String, $state: String, $sweep: String, $tags: [String!], $summaryMetrics: JSONString) {
  upsertBucket(input: {id: $id, name: $name, groupName: $groupName, modelName: $project, entityName: $entity, description: $description, displayName: $displayName, notes: $notes, config: $config, commit: $commit, host: $host, debug: $debug, jobProgram: $program, jobRepo: $repo, jobType: $jobType, state: $state, sweep: $sweep, tags: $tags, summaryMetrics: $summaryMetrics}) {
    bucket { id name displayName description config sweepName project { id name entity { id name } } historyLineCount }
    inserted
  }
}`

	qCreateRunFiles = `mutation CreateRunFiles($entity: String!, $project: String!, $run: String!, $files: [String!]!) {
  createRunFiles(input: {entityName: $entity, projectName: $project, runName: $run, files: $files}) {
    runID uploadHeaders files { name uploadUrl }
  }
}`

	qUpsertSweep = `mutation UpsertSweep($id: ID, $config: String, $description: String, $entityName: String, $projectName: String, $controller: JSONString, $scheduler: JSONString, $state: String, $priorRunsFilters: JSONString, $displayName: String) {
  upsertSweep(input: {id: $id, config: $config, description: $description, entityName: $entityName, projectName: $projectName, controller: $controller, scheduler: $scheduler, state: $state, priorRunsFilters: $priorRunsFilters, displayName: $displayName}) {
    sweep { id name project { id name entity { id name } } }
    configValidationWarnings
  }
}`

	qGetSweeps = `query GetSweeps($project: String!, $entity: String!, $cursor: String, $perPage: Int = 50) {
  project(name: $project, entityName: $entity) {
    sweeps(after: $cursor, first: $perPage) {
      edges { node { id name displayName state config } cursor }
      pageInfo { endCursor hasNextPage }
    }
  }
}`
)

// graphql posts one operation and decodes `data` into out. GraphQL-level
// errors (which may arrive with HTTP 200) become an *APIError with Status 200.
func (c *Client) graphql(ctx context.Context, op, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars, "operationName": op})
	if err != nil {
		return err
	}
	rq := request{
		op: "graphql " + op, method: http.MethodPost, url: c.settings.base() + "/graphql",
		body: body, auth: true, policy: c.GraphQLRetry, allow409: op == "UpsertBucket",
		header: http.Header{"Content-Type": {"application/json"}},
	}
	resp, err := c.do(ctx, rq)
	if err != nil {
		return err
	}
	if msg := graphQLErrorText(resp); msg != "" {
		return &APIError{Op: rq.op, Status: 200, Message: c.settings.redact(msg), Attempts: 1}
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(resp, &env); err != nil {
		return &APIError{Op: rq.op, Status: 200, Message: "bad response: " + err.Error(), Attempts: 1}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return &APIError{Op: rq.op, Status: 200, Message: "bad data: " + err.Error(), Attempts: 1}
	}
	return nil
}

// graphQLErrorText returns `errors[].message` joined, or a top-level `error`.
func graphQLErrorText(body []byte) string {
	var env struct {
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &env) != nil {
		return ""
	}
	var msgs []string
	for _, e := range env.Errors {
		msgs = append(msgs, e.Message)
	}
	if len(env.Error) > 0 && string(env.Error) != "null" {
		var s string
		if json.Unmarshal(env.Error, &s) != nil {
			s = string(env.Error)
		}
		msgs = append(msgs, s)
	}
	return strings.Join(msgs, "; ")
}

// Viewer returns the authenticated user's default entity; use it to check
// credentials.
func (c *Client) Viewer(ctx context.Context) (string, error) {
	var out struct {
		Viewer *struct {
			Entity string `json:"entity"`
		} `json:"viewer"`
	}
	if err := c.graphql(ctx, "Viewer", qViewer, map[string]any{}, &out); err != nil {
		return "", err
	}
	if out.Viewer == nil {
		return "", &APIError{Op: "graphql Viewer", Status: 200, Message: "not authenticated", Attempts: 1}
	}
	return out.Viewer.Entity, nil
}

// serverFeatures fetches the enabled server features once. A server that
// does not know the query has none.
func (c *Client) serverFeatures(ctx context.Context) (map[string]bool, error) {
	c.mu.Lock()
	f := c.features
	c.mu.Unlock()
	if f != nil {
		return f, nil
	}
	var out struct {
		ServerInfo *struct {
			Features []struct {
				Name      string `json:"name"`
				IsEnabled bool   `json:"isEnabled"`
			} `json:"features"`
		} `json:"serverInfo"`
	}
	f = map[string]bool{}
	err := c.graphql(ctx, "ServerFeaturesQuery", qServerFeatures, map[string]any{}, &out)
	var ae *APIError
	if err != nil && !(asAPIError(err, &ae) && ae.Status == 200) {
		return nil, err
	}
	if err == nil && out.ServerInfo != nil {
		for _, x := range out.ServerInfo.Features {
			f[x.Name] = x.IsEnabled
		}
	}
	c.mu.Lock()
	c.features = f
	c.mu.Unlock()
	return f, nil
}
