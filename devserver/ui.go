package devserver

import (
	"fmt"

	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/api/workflowservice/v1"
	sdklog "go.temporal.io/sdk/log"
)

type uiServer struct{ s *uiserver.Server }

type staticUIConfig struct{ cfg *uiconfig.Config }

func (p staticUIConfig) GetConfig() (*uiconfig.Config, error) { return p.cfg, nil }

func startUI(frontend string, port int, namespace string) (*uiServer, error) {
	cfg := &uiconfig.Config{
		TemporalGRPCAddress: frontend,
		Host:                host,
		Port:                port,
		EnableUI:            true,
		DefaultNamespace:    namespace,
		HideLogs:            true,
		DisableNewsFetch:    true,
		// A reset instance or trial bypasses the workflow that collects
		// its result (the trial's results, preds.json, W&B): `starter
		// retry` re-runs instances instead.
		WorkflowResetDisabled: true,
		CORS:                  uiconfig.CORS{CookieInsecure: true},
	}
	s := uiserver.NewServer(uioptions.WithConfigProvider(staticUIConfig{cfg}))
	errc := make(chan error, 1)
	go func() { errc <- s.Start() }()
	select {
	case err := <-errc:
		return nil, fmt.Errorf("devserver: web UI: %v", err)
	default:
	}
	return &uiServer{s: s}, nil
}

func (u *uiServer) stop() { u.s.Stop() }

func describeNS(ns string) *workflowservice.DescribeNamespaceRequest {
	return &workflowservice.DescribeNamespaceRequest{Namespace: ns}
}

// quietLogger drops the SDK's logs while probing readiness.
type quietLogger struct{}

func (quietLogger) Debug(string, ...interface{}) {}
func (quietLogger) Info(string, ...interface{})  {}
func (quietLogger) Warn(string, ...interface{})  {}
func (quietLogger) Error(string, ...interface{}) {}

var _ sdklog.Logger = quietLogger{}
