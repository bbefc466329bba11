// Package swebench loads SWE-bench task instances and selects the ones a
// trial runs, the way the seed's SWE-agent fork does
// (sweagent/run/batch_instances.py).
//
// Instances come from a Hugging Face dataset (downloaded once as parquet and
// cached, see Loader) or from a local .json, .jsonl or .parquet file.
// Select applies the seed's shuffle, filter and slice in the seed's order;
// the shuffle is an exact port of CPython's random.Random(seed).shuffle
// (PyRandom), so shuffled subsets match the seed's runs id for id.
//
// The package is pure Go: it imports neither Temporal nor Docker.
package swebench

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Instance is one SWE-bench task. The JSON names are the dataset's column
// names. Unknown columns are ignored when reading.
type Instance struct {
	InstanceID             string   `json:"instance_id"`
	Repo                   string   `json:"repo"`
	BaseCommit             string   `json:"base_commit"`
	Patch                  string   `json:"patch"`
	TestPatch              string   `json:"test_patch"`
	ProblemStatement       string   `json:"problem_statement"`
	HintsText              string   `json:"hints_text"`
	CreatedAt              string   `json:"created_at"`
	Version                string   `json:"version"`
	FailToPass             []string `json:"FAIL_TO_PASS"`
	PassToPass             []string `json:"PASS_TO_PASS"`
	EnvironmentSetupCommit string   `json:"environment_setup_commit"`
	// Difficulty is present in SWE-bench Verified (e.g. "<15 min fix").
	Difficulty string `json:"difficulty,omitempty"`

	// ImageName and DockerImage are per-row image overrides some datasets
	// carry (SWE-smith, rebench); they win over the default image.
	ImageName   string `json:"image_name,omitempty"`
	DockerImage string `json:"docker_image,omitempty"`

	// SWE-bench v5 columns. ImageRef is the v5 `image` column (named so
	// because Image is the method that picks the image to run).
	ImageRef   string `json:"image,omitempty"`
	EvalScript string `json:"eval_script,omitempty"`
	LogParser  string `json:"log_parser,omitempty"` // e.g. "parse_log_django"
	EvalType   string `json:"eval_type,omitempty"`  // "pass_and_fail" or "fail_only"

	// TestCmd is our extension: the command that runs the instance's tests,
	// for instance files that are not SWE-bench rows.
	TestCmd string `json:"test_cmd,omitempty"`
}

// ImageName returns the prebuilt SWE-bench image of an instance id on Docker
// Hub: swebench/sweb.eval.x86_64.<id with "__" replaced by "_1776_">:latest,
// all lower-cased (Docker Hub rejects "__" in repository names).
// Example: django__django-11099 →
// swebench/sweb.eval.x86_64.django_1776_django-11099:latest.
func ImageName(id string) string {
	return strings.ToLower("swebench/sweb.eval.x86_64." + strings.ReplaceAll(id, "__", "_1776_") + ":latest")
}

// Image returns the Docker image to run the instance in: the row's own
// image_name, docker_image or (v5) image column, in that order, else
// ImageName(InstanceID).
func (in Instance) Image() string {
	for _, s := range []string{in.ImageName, in.DockerImage, in.ImageRef} {
		if s != "" {
			return s
		}
	}
	return ImageName(in.InstanceID)
}

// UnmarshalJSON reads one dataset row. FAIL_TO_PASS and PASS_TO_PASS may be
// real lists or strings holding a JSON list (the Hugging Face layout);
// numbers in text fields keep their literal text (version 3.0 → "3.0").
func (in *Instance) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var row map[string]any
	if err := dec.Decode(&row); err != nil {
		return err
	}
	if row == nil {
		return errNotObject
	}
	got, err := decodeRow(row)
	if err != nil {
		return err
	}
	*in = got
	return nil
}
