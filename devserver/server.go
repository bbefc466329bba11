// Package devserver runs a real Temporal server in-process, persisted in a
// SQLite file, bound to 127.0.0.1, with the Temporal Web UI beside it. It is
// what `starter` uses when no Temporal address is given.
package devserver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const host = "127.0.0.1"

// Options configures the embedded server.
type Options struct {
	// DBPath is the SQLite file; created with the schema when missing.
	DBPath string
	// Namespace is registered on start (default "default").
	Namespace string
	// Port for the frontend gRPC service; 0 tries 7233 and falls back to a free port.
	Port int
	// UIPort for the Web UI; 0 tries 8233 and falls back to a free port; -1 disables the UI.
	UIPort int
	// LogFile receives the server's own logs (default: next to DBPath).
	LogFile string
	// SearchAttributes are custom search attributes registered with a
	// new namespace (an existing one gets them through the operator API).
	SearchAttributes map[string]enumspb.IndexedValueType
}

// Server is a running embedded Temporal server.
type Server struct {
	srv       temporal.Server
	ui        *uiServer
	addr      string
	uiURL     string
	namespace string
}

// Start creates (if needed) and starts the server. It returns once the
// frontend answers.
func Start(ctx context.Context, o Options) (*Server, error) {
	if o.DBPath == "" {
		return nil, errors.New("devserver: DBPath is required")
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if err := os.MkdirAll(filepath.Dir(o.DBPath), 0o755); err != nil {
		return nil, fmt.Errorf("devserver: data directory: %w", err)
	}
	if o.LogFile == "" {
		o.LogFile = filepath.Join(filepath.Dir(o.DBPath), "temporal-server.log")
	}
	if err := os.MkdirAll(filepath.Dir(o.LogFile), 0o755); err != nil {
		return nil, fmt.Errorf("devserver: log directory: %w", err)
	}
	pp, err := choosePorts(o.DBPath+".ports.json", o.Port)
	if err != nil {
		return nil, err
	}
	port := pp.Frontend
	cfg, sqlCfg, err := buildConfig(o.DBPath, pp)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(o.DBPath); os.IsNotExist(err) {
		if err := sqlite.SetupSchema(sqlCfg); err != nil {
			return nil, fmt.Errorf("devserver: creating schema in %s: %w", o.DBPath, err)
		}
	}
	nsCfg, err := sqlite.NewNamespaceConfig(cfg.ClusterMetadata.CurrentClusterName, o.Namespace, false, o.SearchAttributes)
	if err != nil {
		return nil, err
	}
	if err := sqlite.CreateNamespaces(sqlCfg, nsCfg); err != nil {
		return nil, fmt.Errorf("devserver: namespace %s: %w", o.Namespace, err)
	}
	logger := log.NewZapLogger(log.BuildZapLogger(log.Config{Level: "warn", OutputFile: o.LogFile}))
	authorizer, err := authorization.GetAuthorizerFromConfig(&cfg.Global.Authorization)
	if err != nil {
		return nil, err
	}
	claims, err := authorization.GetClaimMapperFromConfig(&cfg.Global.Authorization, logger)
	if err != nil {
		return nil, err
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claims }),
		temporal.WithDynamicConfigClient(dynamicConfig()),
		temporal.WithStaticHosts(staticHosts(cfg)),
	)
	if err != nil {
		return nil, fmt.Errorf("devserver: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("devserver: start: %w", err)
	}
	s := &Server{srv: srv, addr: fmt.Sprintf("%s:%d", host, port), namespace: o.Namespace}
	if err := s.waitReady(ctx); err != nil {
		_ = srv.Stop()
		return nil, err
	}
	if o.UIPort >= 0 {
		uiPort, err := pickPort(o.UIPort, 8233)
		if err == nil {
			s.ui, err = startUI(s.addr, uiPort, o.Namespace)
		}
		if err == nil {
			s.uiURL = fmt.Sprintf("http://%s:%d", host, uiPort)
		}
	}
	return s, nil
}

// Address is the frontend host:port.
func (s *Server) Address() string { return s.addr }

// UIURL is the Web UI address, or "" when it is not served.
func (s *Server) UIURL() string { return s.uiURL }

// Namespace is the registered namespace.
func (s *Server) Namespace() string { return s.namespace }

// Stop shuts the UI and the server down.
func (s *Server) Stop() error {
	if s.ui != nil {
		s.ui.stop()
	}
	return s.srv.Stop()
}

func (s *Server) waitReady(ctx context.Context) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := client.Dial(client.Options{HostPort: s.addr, Namespace: s.namespace, Logger: quietLogger{}})
		if err == nil {
			_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
			if err == nil {
				_, err = c.WorkflowService().DescribeNamespace(ctx, describeNS(s.namespace))
			}
			c.Close()
			if err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("devserver: not ready at %s: %w", s.addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func buildConfig(dbPath string, pp ports) (*config.Config, *config.SQL, error) {
	port := pp.Frontend
	sqlCfg := &config.SQL{
		PluginName:        sqliteplugin.PluginName,
		DatabaseName:      dbPath,
		ConnectAttributes: connectAttributes(),
	}
	cfg := &config.Config{}
	cfg.Global.Membership = config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: host}
	cfg.Persistence = config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlCfg}},
	}
	cfg.ClusterMetadata = &cluster.Config{
		FailoverVersionIncrement: 10,
		MasterClusterName:        "active",
		CurrentClusterName:       "active",
		ClusterInformation: map[string]cluster.ClusterInformation{
			"active": {Enabled: true, InitialFailoverVersion: 1, RPCAddress: fmt.Sprintf("%s:%d", host, port)},
		},
	}
	cfg.DCRedirectionPolicy = config.DCRedirectionPolicy{Policy: "noop"}
	cfg.Services = map[string]config.Service{}
	for i, name := range []string{"frontend", "history", "matching", "worker"} {
		p := port
		if i > 0 {
			p = pp.Services[i-1]
		}
		cfg.Services[name] = config.Service{RPC: config.RPC{GRPCPort: p, MembershipPort: pp.Membership[i], BindOnIP: host}}
	}
	cfg.Archival = config.Archival{
		History:    config.HistoryArchival{State: "disabled"},
		Visibility: config.VisibilityArchival{State: "disabled"},
	}
	cfg.NamespaceDefaults = config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
		History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
		Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
	}}
	cfg.PublicClient = config.PublicClient{HostPort: fmt.Sprintf("%s:%d", host, port)}
	return cfg, sqlCfg, nil
}

// pickPort returns want when set, else preferred when free, else any free port.
func pickPort(want, preferred int) (int, error) {
	if want > 0 {
		return want, nil
	}
	if l, err := net.Listen("tcp", fmt.Sprintf("%s:%d", host, preferred)); err == nil {
		_ = l.Close()
		return preferred, nil
	}
	return freePort()
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", host+":0")
	if err != nil {
		return 0, fmt.Errorf("devserver: no free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
