package swebench

import (
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strconv"
	"testing"
)

// testdata/shuffle_vectors.json was produced by CPython 3.11.7 with
//
//	python3 swebench/testdata/gen_shuffle.py > swebench/testdata/shuffle_vectors.json
//
// (run from the repository root). See gen_shuffle.py for what it contains.
type shuffleVectors struct {
	Python string `json:"python"`
	Cases  []struct {
		Seed     string   `json:"seed"`
		N        int      `json:"n"`
		Shuffled []string `json:"shuffled"`
	} `json:"cases"`
	Bits []struct {
		Seed   string   `json:"seed"`
		Bits32 []uint32 `json:"getrandbits32"`
		Bits64 []uint64 `json:"getrandbits64"`
	} `json:"bits"`
}

func loadVectors(t *testing.T) shuffleVectors {
	t.Helper()
	b, err := os.ReadFile("testdata/shuffle_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v shuffleVectors
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if len(v.Cases) == 0 || len(v.Bits) == 0 {
		t.Fatal("empty vectors")
	}
	return v
}

func bigSeed(t *testing.T, s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		t.Fatalf("bad seed %q", s)
	}
	return n
}

// syntheticIDs returns the ids gen_shuffle.py builds, sorted.
func syntheticIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("repo__name-%d", i)
	}
	slices.Sort(ids)
	return ids
}

func TestPyRandomBitsMatchCPython(t *testing.T) {
	for _, c := range loadVectors(t).Bits {
		r := NewPyRandomBig(bigSeed(t, c.Seed))
		for i, want := range c.Bits32 {
			if got := uint32(r.GetRandBits(32)); got != want {
				t.Fatalf("seed %s: getrandbits(32) #%d = %d, want %d", c.Seed, i, got, want)
			}
		}
		for i, want := range c.Bits64 {
			if got := r.GetRandBits(64); got != want {
				t.Fatalf("seed %s: getrandbits(64) #%d = %d, want %d", c.Seed, i, got, want)
			}
		}
	}
}

func TestPyRandomShuffleMatchesCPython(t *testing.T) {
	v := loadVectors(t)
	for _, c := range v.Cases {
		ids := syntheticIDs(c.N)
		NewPyRandomBig(bigSeed(t, c.Seed)).Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		if !slices.Equal(ids, c.Shuffled) && !(len(ids) == 0 && len(c.Shuffled) == 0) {
			t.Errorf("seed %s n=%d: Go order differs from CPython %s\n got %v\nwant %v", c.Seed, c.N, v.Python, ids, c.Shuffled)
		}
	}
}

// TestSelectShuffleMatchesCPython checks the same order through Select, with
// the seed given as an int (it fits for every vector but 2**70+5).
func TestSelectShuffleMatchesCPython(t *testing.T) {
	checked := 0
	for _, c := range loadVectors(t).Cases {
		seed, err := strconv.ParseInt(c.Seed, 10, 64)
		if err != nil {
			continue
		}
		rows := idsToRows(syntheticIDs(c.N))
		slices.Reverse(rows) // dataset order must not matter: Select sorts first
		got, err := Select(rows, Selection{Shuffle: true, Seed: int(seed)})
		if err != nil {
			t.Fatal(err)
		}
		if ids := rowIDs(got); !slices.Equal(ids, c.Shuffled) && len(c.Shuffled) > 0 {
			t.Errorf("seed %s n=%d: got %v", c.Seed, c.N, ids)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no int seeds in vectors")
	}
}

func TestNegativeSeedIsAbs(t *testing.T) {
	a, b := NewPyRandom(-12345), NewPyRandom(12345)
	for i := 0; i < 10; i++ {
		if a.Uint32() != b.Uint32() {
			t.Fatal("seed -12345 differs from 12345")
		}
	}
}

func TestRandBelowRange(t *testing.T) {
	r := NewPyRandom(7)
	for n := uint64(1); n < 200; n++ {
		if v := r.RandBelow(n); v >= n {
			t.Fatalf("RandBelow(%d) = %d", n, v)
		}
	}
	if r.GetRandBits(0) != 0 {
		t.Fatal("getrandbits(0) != 0")
	}
}

func idsToRows(ids []string) []Instance {
	rows := make([]Instance, len(ids))
	for i, id := range ids {
		rows[i] = Instance{InstanceID: id}
	}
	return rows
}

func rowIDs(rows []Instance) []string {
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.InstanceID
	}
	return ids
}
