package metrics

import (
	"reflect"
	"testing"
)

func withSteps() []Instance {
	done := fixture()
	for i := range done {
		done[i].Steps = stepInstance().Steps
	}
	return done
}

func TestLogIsConcatenationOfOnCompleted(t *testing.T) {
	done := withSteps()
	var want []Row
	for k := 1; k <= len(done); k++ {
		want = append(want, OnCompleted(done[:k])...)
	}
	if got := Log(done); !reflect.DeepEqual(got, want) {
		t.Fatalf("Log differs from OnCompleted prefixes")
	}
	// Each chunk ends with the live aggregate row.
	chunk := OnCompleted(done[:2])
	if len(chunk) != 4 || chunk[3]["n_instances"] != 2 || chunk[0]["global_step"] != 4 {
		t.Errorf("chunk %v", chunk)
	}
	if OnCompleted(nil) != nil {
		t.Error("nothing completed")
	}
}

func TestEnd(t *testing.T) {
	f := End(fixture())
	if !reflect.DeepEqual(f.Summary, Aggregate(fixture()).Summary()) || f.TurnDistribution == nil || f.Instances == nil ||
		len(f.Instances.Data) != 3 {
		t.Fatalf("%+v", f)
	}
	e := End(nil)
	if e.TurnDistribution != nil || e.Instances != nil || e.Summary["n_instances"] != 0 {
		t.Errorf("empty end %+v", e)
	}
}
