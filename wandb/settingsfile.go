package wandb

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// settingsFilePath is the settings file `wandb login --host` writes:
// $WANDB_CONFIG_DIR/settings, by default ~/.config/wandb/settings.
func settingsFilePath() string {
	dir := os.Getenv("WANDB_CONFIG_DIR")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config", "wandb")
	}
	return filepath.Join(dir, "settings")
}

// readSettingsFile returns the [default] section of the settings file
// (base_url, entity, project, ...); a missing file is empty.
func readSettingsFile(path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		case section == "default":
			if k, v, ok := strings.Cut(line, "="); ok {
				out[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	return out
}
