package workerid

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

func TestStringParses(t *testing.T) {
	me := Self()
	if me.PID != os.Getpid() || me.Machine == "" {
		t.Fatalf("Self() = %+v", me)
	}
	got, ok := Parse(me.String())
	if !ok || got != me {
		t.Fatalf("Parse(%q) = %+v, %v; want %+v", me.String(), got, ok, me)
	}
	for _, bad := range []string{"1234", "a-b-c", "h-m-b-ns-x", "h--b-1-2"} {
		if _, ok := Parse(bad); ok {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
}

func writeRecord(t *testing.T, data string, id ID, beat time.Time) string {
	t.Helper()
	if err := os.MkdirAll(Dir(data), 0o755); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(Record{ID: id, Started: beat, Heartbeat: beat})
	if err := os.WriteFile(recordFile(data, id.String()), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return id.String()
}

func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

func TestDead(t *testing.T) {
	data := t.TempDir()
	now := time.Now()
	me := Self()
	if Dead(data, me.String(), time.Time{}, now) {
		t.Error("this process judged dead")
	}
	// Same machine, boot and PID namespace: the PID decides, whatever the record says.
	gone := me
	gone.PID = deadPID(t)
	if !Dead(data, writeRecord(t, data, gone, now), time.Time{}, now) {
		t.Error("an exited process of this PID namespace judged alive")
	}
	live := me
	live.PID = os.Getppid()
	if Dead(data, writeRecord(t, data, live, now.Add(-time.Hour)), time.Time{}, now) {
		t.Error("a running process of this PID namespace judged dead")
	}
	// Another PID namespace (another host, container or unshare): its PID
	// means nothing here; only an expired record makes it dead.
	other := me
	other.PIDNS, other.PID = "1", gone.PID
	name := writeRecord(t, data, other, now.Add(-Expiry/2))
	if Dead(data, name, time.Time{}, now) {
		t.Error("a foreign worker with a fresh record judged dead")
	}
	writeRecord(t, data, other, now.Add(-2*Expiry))
	if !Dead(data, name, time.Time{}, now) {
		t.Error("a foreign worker with an expired record judged alive")
	}
	// No record at all: only leftovers older than NoRecordExpiry go.
	ghost := ID{Hostname: "elsewhere", Machine: "m2", Boot: "b2", PIDNS: "9", PID: 7}
	if Dead(data, ghost.String(), now.Add(-time.Hour), now) {
		t.Error("a recent leftover without a record removed")
	}
	if !Dead(data, ghost.String(), now.Add(-2*NoRecordExpiry), now) || !Dead(data, "4242", now.Add(-2*NoRecordExpiry), now) {
		t.Error("an old leftover without a record kept")
	}
	if Dead(data, "4242", now, now) {
		t.Error("a fresh legacy pid directory removed")
	}
}

func TestBeat(t *testing.T) {
	data := t.TempDir()
	stop, err := Beat(data)
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(Dir(data), Self().String()+".json")
	var rec Record
	b, err := os.ReadFile(f)
	if err != nil || json.Unmarshal(b, &rec) != nil || rec.ID != Self() || time.Since(rec.Heartbeat) > time.Minute {
		t.Fatalf("record %s: %v %+v", f, err, rec)
	}
	stop()
	if _, err := os.Stat(f); !os.IsNotExist(err) {
		t.Errorf("record left after stop: %v", err)
	}
}
