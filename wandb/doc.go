// Package wandb is a small Weights & Biases client for logging runs from Go
// without the Python SDK or the wandb-core sidecar.
//
// It speaks the public wire protocol directly: GraphQL (UpsertBucket,
// RunResumeStatus, CreateRunFiles, UpsertSweep) and the file_stream endpoint,
// plus PUTs of run files to signed upload URLs.
//
// The central design rule is exactly-once logging: every history row and every
// console line is written at an explicit line offset chosen by the caller (who
// keeps the counter durably), `_step` is always that offset, and the server
// applies lines at their offset. A retried or replayed call therefore re-sends
// the same offsets and never adds a row or advances `_step` twice. The
// OfflineLog records everything on disk first; Sync and (*OfflineLog).Push
// replay it to the server, any number of times. See README.md.
//
// Package fakewandb (a sub-package) is an in-process fake server that records
// what the client sends and asserts the protocol rules.
package wandb
