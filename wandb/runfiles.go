package wandb

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"

	"gopkg.in/yaml.v3"
)

// WriteRunFiles records the run files the official client uploads with
// every run, for the next push: config.yaml (the config as
// `key: {value: v}`, with `_wandb`) and wandb-metadata.json (where and
// when the run started; meta adds fields such as "program"). Files
// already recorded are kept, so calling it again changes nothing.
func (l *OfflineLog) WriteRunFiles(meta map[string]any) error {
	spec := l.Spec()
	cfgPath := filepath.Join(l.dir, filesDir, "config.yaml")
	if _, err := os.Stat(cfgPath); os.IsNotExist(err) {
		user, err := encodeUserConfig(spec.Config)
		if err != nil {
			return err
		}
		user["_wandb"] = map[string]any{"value": map[string]any{"cli_version": ClientVersion,
			"t": map[string]any{"12": ClientVersion}}}
		v, err := normalize(user)
		if err != nil {
			return err
		}
		b, err := yaml.Marshal(v)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(cfgPath, b); err != nil {
			return err
		}
	}
	metaPath := filepath.Join(l.dir, filesDir, "wandb-metadata.json")
	if _, err := os.Stat(metaPath); os.IsNotExist(err) {
		m := map[string]any{"os": runtime.GOOS + "-" + runtime.GOARCH, "startedAt": spec.StartTime.UTC().Format("2006-01-02T15:04:05.000000Z"),
			"cpu_count": runtime.NumCPU(), "goVersion": runtime.Version()}
		if h, err := os.Hostname(); err == nil {
			m["host"] = h
		}
		for k, v := range meta {
			m[k] = v
		}
		b, err := json.MarshalIndent(m, "", "  ")
		if err != nil {
			return err
		}
		return writeFileAtomic(metaPath, b)
	}
	return nil
}
