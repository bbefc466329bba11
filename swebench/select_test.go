package swebench

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// datasetOrder returns repo__name-49 .. repo__name-0, the dataset order the
// "select" vectors in gen_shuffle.py start from.
func datasetOrder() []Instance {
	var rows []Instance
	for i := 49; i >= 0; i-- {
		rows = append(rows, Instance{InstanceID: fmt.Sprintf("repo__name-%d", i)})
	}
	return rows
}

// TestSelectMatchesSeedOrder compares Select with the seed's
// _filter_batch_items run in CPython (shuffle, then filter, then slice).
func TestSelectMatchesSeedOrder(t *testing.T) {
	var v struct {
		Select []struct {
			Shuffle bool     `json:"shuffle"`
			Seed    int      `json:"seed"`
			Filter  string   `json:"filter"`
			Slice   string   `json:"slice"`
			IDs     []string `json:"ids"`
		} `json:"select"`
	}
	readJSONFile(t, "testdata/shuffle_vectors.json", &v)
	if len(v.Select) == 0 {
		t.Fatal("no select vectors")
	}
	for _, c := range v.Select {
		rows := datasetOrder()
		before := rowIDs(rows)
		got, err := Select(rows, Selection{Shuffle: c.Shuffle, Seed: c.Seed, Filter: c.Filter, Slice: c.Slice})
		if err != nil {
			t.Fatal(err)
		}
		if ids := rowIDs(got); !slices.Equal(ids, c.IDs) {
			t.Errorf("%+v:\n got %v\nwant %v", c, ids, c.IDs)
		}
		if !slices.Equal(rowIDs(rows), before) {
			t.Fatal("Select modified its input")
		}
	}
}

func TestFilterIsAnchoredAtStartOnly(t *testing.T) {
	cases := []struct {
		pattern, id string
		want        bool
	}{
		{"django__django-1", "django__django-11099", true}, // prefix match, like re.match
		{"django", "django__django-11099", true},
		{"11099", "django__django-11099", false}, // not re.search
		{"astropy.*|django__django-11099", "django__django-11099", true},
		{"django__django-11099|astropy", "astropy__astropy-12907", true}, // each branch anchored
		{"x|django", "sympy__sympy-django", false},
		{"", "anything", true},
		{".*", "", true},
		{"(?i)DJANGO", "django__django-1", true},
		{"django__django-11099$", "django__django-110990", false},
	}
	for _, c := range cases {
		got, err := MatchFilter(c.pattern, c.id)
		if err != nil || got != c.want {
			t.Errorf("MatchFilter(%q, %q) = %v, %v; want %v", c.pattern, c.id, got, err, c.want)
		}
	}
}

func TestSelectErrors(t *testing.T) {
	rows := datasetOrder()
	if _, err := Select(rows, Selection{Filter: "(?=x)"}); err == nil || !strings.Contains(err.Error(), "(?=x)") {
		t.Errorf("lookahead filter: err = %v, want an error naming the pattern", err)
	}
	if _, err := Select(rows, Selection{Slice: "1:2:3:4"}); err == nil || !strings.Contains(err.Error(), "1:2:3:4") {
		t.Errorf("4-part slice: err = %v", err)
	}
}

func TestSelectOrderFilterBeforeSlice(t *testing.T) {
	// Filter first, then slice: "2" keeps the first two *matching* ids.
	got, err := Select(datasetOrder(), Selection{Filter: "repo__name-3", Slice: "2"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"repo__name-39", "repo__name-38"}; !slices.Equal(rowIDs(got), want) {
		t.Fatalf("got %v want %v", rowIDs(got), want)
	}
	// No shuffle keeps dataset order (no sort).
	got, _ = Select(datasetOrder(), Selection{Slice: "0:2"})
	if want := []string{"repo__name-49", "repo__name-48"}; !slices.Equal(rowIDs(got), want) {
		t.Fatalf("got %v want %v", rowIDs(got), want)
	}
}

func TestDefaultSelection(t *testing.T) {
	s := DefaultSelection()
	if s.Seed != 42 || s.Subset != "verified" || s.Split != "test" || s.Shuffle {
		t.Fatalf("%+v", s)
	}
}
