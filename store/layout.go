package store

import (
	"fmt"
	"path"
)

// Layout of one instance's files, relative to the data directory:
//
//	runs/<sweep>/<trial>/<instance>/head.json          system + instance messages
//	runs/<sweep>/<trial>/<instance>/turns/0007.a0.json model reply, turn 7, attempt 0
//	runs/<sweep>/<trial>/<instance>/turns/0007.obs.json observation of turn 7
//	runs/<sweep>/<trial>/<instance>/summaries/03.json  third summary
//	runs/<sweep>/<trial>/<instance>/record.json        final instance record
//	runs/<sweep>/<trial>/<instance>/<instance>.traj    trajectory (seed layout)

// InstanceDir is the directory of an instance of a trial directory.
func InstanceDir(trialDir, instance string) string { return path.Join(trialDir, instance) }

// HeadFile holds the system and instance messages.
func HeadFile(dir string) string { return path.Join(dir, "head.json") }

// ReplyFile holds the model reply of a turn's attempt.
func ReplyFile(dir string, turn, attempt int) string {
	return path.Join(dir, "turns", fmt.Sprintf("%04d.a%d.json", turn, attempt))
}

// ObservationFile holds the observation of a turn.
func ObservationFile(dir string, turn int) string {
	return path.Join(dir, "turns", fmt.Sprintf("%04d.obs.json", turn))
}

// SummaryFile holds the i-th summary (1-based).
func SummaryFile(dir string, i int) string {
	return path.Join(dir, "summaries", fmt.Sprintf("%02d.json", i))
}

// RecordFile holds the final instance record.
func RecordFile(dir string) string { return path.Join(dir, "record.json") }

// TrajFile is the seed-format trajectory.
func TrajFile(dir, instance string) string { return path.Join(dir, instance+".traj") }

// PatchFile holds the submitted patch.
func PatchFile(dir, instance string) string { return path.Join(dir, instance+".patch") }

// EventsFile is the instance's append-only audit log: one JSON line for
// every model call and command actually made (repeats included).
func EventsFile(dir string) string { return path.Join(dir, "events.jsonl") }
