package swebench

import (
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/ctxresearch/ctxsweep/sweep"
)

// DefaultSeed is the seed's --instances-shuffle-seed default.
const DefaultSeed = 42

// Selection says which instances a trial runs: where they come from and the
// seed's --instances.* options.
type Selection struct {
	// Subset is verified, verified-mini, lite, full, multilingual or
	// multimodal (see Subsets), or a Hugging Face dataset id "owner/name".
	// Empty means verified. Ignored when File is set.
	Subset string
	// Split is the dataset split; empty means "test" (what run_sweep passes).
	Split string
	// Filter is a regular expression matched at the start of the instance
	// id (Python re.match); empty means ".*". See MatchFilter.
	Filter string
	// Slice is Python slice syntax ("stop", "start:stop", "start:stop:step");
	// empty keeps everything.
	Slice string
	// Shuffle sorts by instance id, then shuffles with
	// random.Random(Seed).shuffle.
	Shuffle bool
	// Seed is used as given, 0 included; DefaultSelection sets DefaultSeed.
	Seed int
	// File, when set, is a local .json, .jsonl or .parquet instance file
	// used instead of the Hugging Face dataset.
	File string
}

// DefaultSelection returns the seed's defaults: verified, test split, all
// instances, no shuffle, seed 42.
func DefaultSelection() Selection {
	return Selection{Subset: "verified", Split: "test", Filter: ".*", Seed: DefaultSeed}
}

// Select applies the seed's _filter_batch_items to rows, in its order:
//  1. start from dataset order;
//  2. if Shuffle: sort by instance id, then random.Random(Seed).shuffle;
//  3. keep ids matching Filter at their start (Python re.match);
//  4. apply Slice (sweep.ApplySlice).
//
// rows is not modified. Sorting compares ids byte-wise, which for UTF-8 is
// the code-point order Python's sorted uses.
func Select(rows []Instance, sel Selection) ([]Instance, error) {
	out := slices.Clone(rows)
	if sel.Shuffle {
		slices.SortStableFunc(out, func(a, b Instance) int { return strings.Compare(a.InstanceID, b.InstanceID) })
		r := NewPyRandomBig(big.NewInt(int64(sel.Seed)))
		r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	}
	re, err := CompileFilter(sel.Filter)
	if err != nil {
		return nil, err
	}
	kept := out[:0]
	for _, in := range out {
		if re.MatchString(in.InstanceID) {
			kept = append(kept, in)
		}
	}
	res, err := sweep.ApplySlice(kept, sel.Slice)
	if err != nil {
		return nil, fmt.Errorf("swebench: instances slice %q: %w", sel.Slice, err)
	}
	return slices.Clip(res), nil
}

// CompileFilter compiles an instance filter with Python re.match semantics:
// the pattern must match at the start of the id but may end anywhere, so
// "django__django-1" also keeps django__django-11099. Empty means ".*".
//
// Go's regexp is RE2, not Python's re. Differences that matter for filters:
// no backreferences (\1) or lookaround ((?=...), (?!...), (?<=...)); Python's
// \Z is written \z; \d, \w and \s are ASCII-only in Go but Unicode in Python
// (instance ids are ASCII, so this does not change results); Python's $ also
// matches before a final newline. The seed's filter files (|-joined id lists)
// mean the same in both.
func CompileFilter(pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		pattern = ".*"
	}
	re, err := regexp.Compile(`^(?:` + pattern + `)`)
	if err != nil {
		return nil, fmt.Errorf("swebench: instances filter %q is not a valid Go (RE2) regular expression: %v", pattern, err)
	}
	return re, nil
}

// MatchFilter reports whether id matches pattern at its start (re.match).
func MatchFilter(pattern, id string) (bool, error) {
	re, err := CompileFilter(pattern)
	if err != nil {
		return false, err
	}
	return re.MatchString(id), nil
}
