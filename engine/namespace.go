package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/namespace/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/ctxresearch/ctxsweep/workflows"
)

// DefaultRetention is how long the embedded server keeps a closed
// workflow's history (and the Web UI shows it).
const DefaultRetention = 30 * 24 * time.Hour

// MissingSearchAttributes lists the custom search attributes (see
// workflows.SearchAttributeTypes) that the namespace lacks.
func MissingSearchAttributes(ctx context.Context, c client.Client, ns string) ([]string, error) {
	res, err := c.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
	if err != nil {
		return nil, err
	}
	var missing []string
	for name, typ := range workflows.SearchAttributeTypes() {
		if got, ok := res.GetCustomAttributes()[name]; !ok || got != typ {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	return missing, nil
}

// EnsureSearchAttributes registers the missing custom search attributes on
// the namespace (Temporal's operator API; a cluster may refuse it to
// clients without admin rights: the error then says how to do it by hand).
func EnsureSearchAttributes(ctx context.Context, c client.Client, ns string) error {
	missing, err := MissingSearchAttributes(ctx, c, ns)
	if err != nil || len(missing) == 0 {
		return err
	}
	types := workflows.SearchAttributeTypes()
	add := &operatorservice.AddSearchAttributesRequest{Namespace: ns, SearchAttributes: map[string]enumspb.IndexedValueType{}}
	for _, name := range missing {
		add.SearchAttributes[name] = types[name]
	}
	if _, err := c.OperatorService().AddSearchAttributes(ctx, add); err != nil {
		return fmt.Errorf("registering search attributes %s on namespace %s: %w; as an admin run:\n%s",
			strings.Join(missing, ", "), ns, err, SearchAttributeCommands(ns))
	}
	// The servers' namespace caches learn of them within a refresh
	// interval (2 s by default): wait until they are listed, and one more.
	deadline := time.Now().Add(30 * time.Second)
	for {
		missing, err = MissingSearchAttributes(ctx, c, ns)
		if err != nil || len(missing) == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err == nil && len(missing) == 0 {
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
	return err
}

// SearchAttributeCommands are the Temporal CLI commands that register the
// custom search attributes on a cluster.
func SearchAttributeCommands(ns string) string {
	types := workflows.SearchAttributeTypes()
	names := make([]string, 0, len(types))
	for n := range types {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		t := strings.TrimPrefix(types[n].String(), "INDEXED_VALUE_TYPE_")
		fmt.Fprintf(&b, "  temporal operator search-attribute create --namespace %s --name %s --type %s\n", ns, n, t[:1]+strings.ToLower(t[1:]))
	}
	return b.String()
}

// ensureRetention sets the namespace's retention when it differs.
func ensureRetention(ctx context.Context, c client.Client, ns string, d time.Duration) error {
	desc, err := c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	if err != nil {
		return err
	}
	if desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration() == d {
		return nil
	}
	_, err = c.WorkflowService().UpdateNamespace(ctx, &workflowservice.UpdateNamespaceRequest{Namespace: ns,
		Config: &namespace.NamespaceConfig{WorkflowExecutionRetentionTtl: durationpb.New(d)}})
	return err
}
