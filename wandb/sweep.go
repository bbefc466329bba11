package wandb

import (
	"context"
	"fmt"
)

// sweepNode is a sweep as listed by GetSweeps.
type sweepNode struct {
	ID          string `json:"id"`   // GraphQL node id, used for updates
	Name        string `json:"name"` // the sweep ID used in URLs and UpsertBucket
	DisplayName string `json:"displayName"`
	Config      string `json:"config"`
}

// UpsertSweep creates the sweep called name in entity/project, or finds it
// and returns its ID (protocol §7.1). The server chooses sweep IDs, so
// idempotency is by name: an existing sweep whose display name (or ID) is
// name is reused, and its config updated when configYAML differs. name may
// therefore be a sweep ID returned earlier. Two concurrent first calls can
// still create two sweeps. Runs join a sweep with RunSpec.SweepID.
//
// For sweeps driven by our own scheduler, configYAML should contain
// `controller: {type: local}` so the W&B controller proposes nothing.
func (c *Client) UpsertSweep(ctx context.Context, entity, project, name, configYAML string) (string, error) {
	if entity == "" {
		entity = c.settings.Entity
	}
	if project == "" {
		project = c.settings.Project
	}
	if project == "" || name == "" {
		return "", fmt.Errorf("wandb: UpsertSweep needs a project and a name")
	}
	if entity == "" {
		e, err := c.Viewer(ctx)
		if err != nil {
			return "", err
		}
		entity = e
	}
	cacheKey := entity + "/" + project + "/" + name + "\x00" + configYAML
	c.mu.Lock()
	id, ok := c.sweepIDs[cacheKey]
	c.mu.Unlock()
	if ok {
		return id, nil
	}
	found, err := c.findSweep(ctx, entity, project, name)
	if err != nil {
		return "", err
	}
	vars := map[string]any{"id": nil, "config": configYAML, "description": nil, "entityName": entity,
		"projectName": project, "controller": nil, "scheduler": nil, "state": nil,
		"priorRunsFilters": nil, "displayName": name}
	if found != nil {
		id = found.Name
		if found.Config != configYAML {
			vars["id"], vars["displayName"] = found.ID, nil
			if _, err := c.sendUpsertSweep(ctx, vars); err != nil {
				return "", err
			}
		}
	} else if id, err = c.sendUpsertSweep(ctx, vars); err != nil {
		return "", err
	}
	c.mu.Lock()
	if c.sweepIDs == nil {
		c.sweepIDs = map[string]string{}
	}
	c.sweepIDs[cacheKey] = id
	c.mu.Unlock()
	return id, nil
}

// sendUpsertSweep runs the UpsertSweep mutation and returns the sweep ID.
func (c *Client) sendUpsertSweep(ctx context.Context, vars map[string]any) (string, error) {
	var out struct {
		UpsertSweep struct {
			Sweep struct {
				Name string `json:"name"`
			} `json:"sweep"`
		} `json:"upsertSweep"`
	}
	if err := c.graphql(ctx, "UpsertSweep", qUpsertSweep, vars, &out); err != nil {
		return "", err
	}
	if out.UpsertSweep.Sweep.Name == "" {
		return "", &APIError{Op: "graphql UpsertSweep", Status: 200, Message: "no sweep returned", Attempts: 1}
	}
	return out.UpsertSweep.Sweep.Name, nil
}

// findSweep lists the project's sweeps and returns the one whose display
// name or ID is name.
func (c *Client) findSweep(ctx context.Context, entity, project, name string) (*sweepNode, error) {
	var cursor any
	for page := 0; page < 200; page++ {
		var out struct {
			Project *struct {
				Sweeps struct {
					Edges []struct {
						Node sweepNode `json:"node"`
					} `json:"edges"`
					PageInfo struct {
						EndCursor   string `json:"endCursor"`
						HasNextPage bool   `json:"hasNextPage"`
					} `json:"pageInfo"`
				} `json:"sweeps"`
			} `json:"project"`
		}
		vars := map[string]any{"project": project, "entity": entity, "cursor": cursor, "perPage": 50}
		if err := c.graphql(ctx, "GetSweeps", qGetSweeps, vars, &out); err != nil {
			return nil, err
		}
		if out.Project == nil {
			return nil, nil // no such project yet: nothing to find
		}
		for _, e := range out.Project.Sweeps.Edges {
			if e.Node.DisplayName == name || e.Node.Name == name {
				n := e.Node
				return &n, nil
			}
		}
		pi := out.Project.Sweeps.PageInfo
		if !pi.HasNextPage || pi.EndCursor == "" {
			break
		}
		cursor = pi.EndCursor
	}
	return nil, nil
}

// Sweep is a sweep created with CreateSweep. Keep it (e.g. in the data
// directory) and pass it to SetSweepState and RunSpec.SweepID: a sweep is
// found again by what was stored, never by name.
type Sweep struct {
	ID       string   `json:"id"`      // the sweep ID (URLs, UpsertBucket "sweep")
	NodeID   string   `json:"node_id"` // GraphQL id, for updates
	Entity   string   `json:"entity"`
	Project  string   `json:"project"`
	Warnings []string `json:"warnings,omitempty"` // the server's configValidationWarnings
}

// Sweep states of SetSweepState.
const (
	SweepRunning  = "RUNNING"
	SweepFinished = "FINISHED"
	SweepCanceled = "CANCELED"
)

// CreateSweep creates a sweep from its config (YAML, with
// `controller: {type: local}` for sweeps our own controller drives) in the
// given state and returns it with the server's validation warnings. A
// config the server refuses is an error naming its reasons.
func (c *Client) CreateSweep(ctx context.Context, entity, project, displayName, configYAML, state string) (Sweep, error) {
	if entity == "" {
		entity = c.settings.Entity
	}
	if project == "" {
		project = c.settings.Project
	}
	if project == "" {
		return Sweep{}, fmt.Errorf("wandb: sweep %s: no project", displayName)
	}
	if entity == "" {
		e, err := c.Viewer(ctx)
		if err != nil {
			return Sweep{}, err
		}
		entity = e
	}
	vars := map[string]any{"id": nil, "config": configYAML, "description": nil, "entityName": entity,
		"projectName": project, "controller": nil, "scheduler": nil, "state": nullIfEmpty(state),
		"priorRunsFilters": nil, "displayName": nullIfEmpty(displayName)}
	return c.upsertSweepFull(ctx, vars)
}

// SetSweepState moves the sweep to state (SweepRunning, SweepFinished,
// SweepCanceled).
func (c *Client) SetSweepState(ctx context.Context, sw Sweep, state string) error {
	vars := map[string]any{"id": sw.NodeID, "config": nil, "description": nil, "entityName": sw.Entity,
		"projectName": sw.Project, "controller": nil, "scheduler": nil, "state": state,
		"priorRunsFilters": nil, "displayName": nil}
	_, err := c.upsertSweepFull(ctx, vars)
	return err
}

func (c *Client) upsertSweepFull(ctx context.Context, vars map[string]any) (Sweep, error) {
	var out struct {
		UpsertSweep struct {
			Sweep struct {
				ID      string `json:"id"`
				Name    string `json:"name"`
				Project struct {
					Name   string
					Entity struct{ Name string }
				} `json:"project"`
			} `json:"sweep"`
			Warnings []string `json:"configValidationWarnings"`
		} `json:"upsertSweep"`
	}
	if err := c.graphql(ctx, "UpsertSweep", qUpsertSweep, vars, &out); err != nil {
		return Sweep{}, err
	}
	s := out.UpsertSweep.Sweep
	if s.Name == "" {
		return Sweep{}, &APIError{Op: "graphql UpsertSweep", Status: 200, Message: "no sweep returned", Attempts: 1}
	}
	return Sweep{ID: s.Name, NodeID: s.ID, Entity: s.Project.Entity.Name, Project: s.Project.Name,
		Warnings: out.UpsertSweep.Warnings}, nil
}

// FindSweep returns the sweep whose display name (or ID) is name, or nil.
// It is for recovery only (a creation whose answer was lost); a created
// sweep is found again by its kept ID.
func (c *Client) FindSweep(ctx context.Context, entity, project, name string) (*Sweep, error) {
	if entity == "" {
		entity = c.settings.Entity
	}
	if entity == "" {
		e, err := c.Viewer(ctx)
		if err != nil {
			return nil, err
		}
		entity = e
	}
	n, err := c.findSweep(ctx, entity, project, name)
	if err != nil || n == nil {
		return nil, err
	}
	return &Sweep{ID: n.Name, NodeID: n.ID, Entity: entity, Project: project}, nil
}
