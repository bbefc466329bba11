package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// checkNamespace tells a user of an external cluster that the namespace
// is missing, instead of a worker or sweep failing later on an opaque
// "namespace not found".
func checkNamespace(ctx context.Context, c client.Client, address, namespace string) error {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	_, err := c.WorkflowService().DescribeNamespace(dctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
	var nsNF *serviceerror.NamespaceNotFound
	var nf *serviceerror.NotFound
	if errors.As(err, &nsNF) || errors.As(err, &nf) {
		return fmt.Errorf("namespace %q does not exist on the Temporal cluster at %s: create it (`temporal operator namespace create --namespace %s`) or pass --namespace (env TEMPORAL_NAMESPACE)",
			namespace, address, namespace)
	}
	return nil // other errors show where they happen
}
