package activities

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"sync"

	"github.com/ctxresearch/ctxsweep/llm"
	"github.com/ctxresearch/ctxsweep/store"
	"github.com/ctxresearch/ctxsweep/workflows"
)

// Presets given to `starter` with --models-file travel with the sweep:
// the whole preset set is stored once per content in the data directory
// (models/<hash>.json; names of key variables, never keys) and every
// trial refers to it (Tuning.Models), so a worker started without the
// same --models-file runs the sweep's models as the starter checked them.

func modelsFile(hash string) string { return path.Join("models", hash+".json") }

// StoreModels stores a preset set read from files and returns the
// reference trials carry.
func StoreModels(dataDir string, files []string, ps llm.Presets) (workflows.ModelsRef, error) {
	data, err := json.Marshal(ps)
	if err != nil {
		return workflows.ModelsRef{}, err
	}
	sum := sha256.Sum256(data)
	ref := workflows.ModelsRef{Hash: hex.EncodeToString(sum[:8])}
	for _, f := range files {
		if abs, err := filepath.Abs(f); err == nil {
			f = abs
		}
		ref.Files = append(ref.Files, f)
	}
	st := store.Store{Root: dataDir}
	if !st.Exists(modelsFile(ref.Hash)) {
		if err := st.WriteFile(modelsFile(ref.Hash), data); err != nil {
			return ref, fmt.Errorf("storing the model presets of %v: %w", files, err)
		}
	}
	return ref, nil
}

var storedModels sync.Map // store root + hash -> llm.Presets

// presets are the model presets of a trial: the stored set it refers to,
// else the worker's own.
func (a *Activities) presets(t workflows.TrialRef) (llm.Presets, error) {
	ref := t.Tuning.Models
	if ref == nil {
		return a.Presets, nil
	}
	key := a.Store.Root + "\x00" + ref.Hash
	if ps, ok := storedModels.Load(key); ok {
		return ps.(llm.Presets), nil
	}
	var ps llm.Presets
	ok, err := a.Store.ReadJSON(modelsFile(ref.Hash), &ps)
	if err == nil && !ok {
		err = fmt.Errorf("not found")
	}
	if err != nil {
		return nil, configError("the sweep's model presets (from %v) in %s: %v; start workers on the data directory the sweep was started with", ref.Files, a.Store.Path(modelsFile(ref.Hash)), err)
	}
	storedModels.Store(key, ps)
	return ps, nil
}
