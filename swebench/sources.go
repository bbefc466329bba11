package swebench

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Subsets maps the seed's --instances-subset names to Hugging Face dataset
// ids, spelled exactly as the seed's SWEBenchInstances spells them; we keep
// that spelling as the default so cache paths and recorded sources match
// its runs. princeton-nlp/... is the old org alias of the canonical
// SWE-bench/... repositories (SWE-bench/SWE-bench_Verified,
// SWE-bench/SWE-bench_Lite, SWE-bench/SWE-bench,
// SWE-bench/SWE-bench_Multilingual); the Hub redirects the old names. To use
// a canonical id, pass it as the subset (ResolveDataset accepts owner/name).
// verified-mini is MariusHobbhahn's 50 Verified instances, not HAL's
// different "Verified Mini".
var Subsets = map[string]string{
	"full":          "princeton-nlp/SWE-Bench",
	"verified":      "princeton-nlp/SWE-Bench_Verified",
	"verified-mini": "MariusHobbhahn/swe-bench-verified-mini",
	"lite":          "princeton-nlp/SWE-Bench_Lite",
	"multimodal":    "princeton-nlp/SWE-Bench_Multimodal",
	"multilingual":  "swe-bench/SWE-Bench_Multilingual",
}

// DefaultSplit is the split run_sweep.py passes (the seed class default is
// dev, but every run uses test).
const DefaultSplit = "test"

// DefaultConfig is the dataset config of every SWE-bench dataset.
const DefaultConfig = "default"

// Dataset names one split of a Hugging Face dataset.
type Dataset struct {
	ID     string // e.g. princeton-nlp/SWE-Bench_Lite
	Config string // "default"
	Split  string // "test"
}

// String returns "id (config config, split split)" for messages.
func (d Dataset) String() string {
	return fmt.Sprintf("%s (config %s, split %s)", d.ID, d.Config, d.Split)
}

var (
	namePart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
)

// ResolveDataset maps a subset name (or a literal "owner/name" dataset id,
// like the seed's path_override) and a split to a Dataset. Empty subset
// means verified and empty split means test.
func ResolveDataset(subset, split string) (Dataset, error) {
	if subset == "" {
		subset = "verified"
	}
	if split == "" {
		split = DefaultSplit
	}
	id, ok := Subsets[subset]
	if !ok {
		if !strings.Contains(subset, "/") {
			return Dataset{}, fmt.Errorf("swebench: unknown instances subset %q: want one of %s, or a Hugging Face dataset id owner/name",
				subset, strings.Join(slices.Sorted(maps.Keys(Subsets)), ", "))
		}
		id = subset
	}
	d := Dataset{ID: id, Config: DefaultConfig, Split: split}
	return d, d.validate()
}

// validate rejects ids, configs and splits that could escape the cache
// directory or a URL path segment.
func (d Dataset) validate() error {
	owner, name, ok := strings.Cut(d.ID, "/")
	for _, p := range []string{owner, name, d.Config, d.Split} {
		if !ok || !namePart.MatchString(p) || strings.Contains(p, "..") {
			return fmt.Errorf("swebench: invalid dataset %s: want owner/name, config and split made of letters, digits, '.', '_' and '-'", d)
		}
	}
	return nil
}

// SourceID is the seed's name for the instance source:
// swe_bench_<subset>_<split>.
func SourceID(subset, split string) string {
	if subset == "" {
		subset = "verified"
	}
	if split == "" {
		split = DefaultSplit
	}
	return "swe_bench_" + subset + "_" + split
}
