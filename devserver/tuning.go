package devserver

import (
	"fmt"

	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
)

// connectAttributes are the SQLite URI parameters and pragmas of the
// server's database ("mode" is a URI parameter; the plugin passes every
// other key as "PRAGMA key=value", so the keys carry no "_" prefix).
//
// journal_mode=WAL with synchronous=NORMAL: a commit appends to the
// write-ahead log and returns without an fsync (the log is synced at
// checkpoints). A committed transaction is then in the operating system's
// page cache, so it survives a crash or kill -9 of this process, which is
// the durability the sweeps need (every acknowledged workflow and activity
// transition is kept). It does not survive a power loss or kernel crash:
// the last transactions before one may roll back (the database stays
// consistent). The default before (rollback journal, synchronous=FULL)
// cost about 4 fsyncs per transaction, 55 per agent turn.
func connectAttributes() map[string]string {
	return map[string]string{
		"mode":         "rwc",
		"journal_mode": "wal",
		"synchronous":  "1", // NORMAL
		// Another process reading the file (sqlite3, a backup) must not
		// make a write fail at once.
		"busy_timeout": "5000",
	}
}

// dynamicConfig is the server's dynamic configuration, for one host
// serving one project.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		// Payloads are never stored externally here; skip walking every
		// event's payloads to size external ones on each history write.
		dynamicconfig.ExternalPayloadsEnabled.Key(): false,
		// With one history shard, the default 512 KiB events cache holds
		// the events of a handful of instances; a miss reads history
		// back from SQLite when an activity or workflow task starts.
		// 8 MiB holds the recent events of a few hundred running
		// instances. (32 MiB made the server's memory grow with every
		// finished instance until it filled: a cached event costs 2-3
		// times its encoded size in Go objects.)
		dynamicconfig.EventsCacheMaxSizeBytes.Key(): 8 << 20,
		// The workflow (mutable state) cache holds by default up to
		// 128,000 executions for an hour, finished ones included: memory
		// grew with every finished instance (about 2-3 MiB per trial of 10
		// instances). Bounded by size it stays flat; a finished
		// execution is read back from SQLite on the rare later access.
		dynamicconfig.HistoryCacheSizeBasedLimit.Key():        true,
		dynamicconfig.HistoryCacheHostLevelMaxSizeBytes.Key(): 64 << 20,
	}
}

// staticHosts names the one host of every service, so the services find
// each other without a membership ring: no gossip traffic between them
// while idle, and no wait for the ring at start-up or after a kill.
func staticHosts(cfg *config.Config) map[primitives.ServiceName]static.Hosts {
	hosts := map[primitives.ServiceName]static.Hosts{}
	for _, name := range []primitives.ServiceName{primitives.FrontendService, primitives.HistoryService, primitives.MatchingService, primitives.WorkerService} {
		hosts[name] = static.SingleLocalHost(fmt.Sprintf("%s:%d", host, cfg.Services[string(name)].RPC.GRPCPort))
	}
	return hosts
}
