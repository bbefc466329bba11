package wandb

import (
	"os"
	"path/filepath"
	"testing"
)

func TestParseNetrc(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "netrc")
	text := "# comment\nmachine github.com login me password gh\n" +
		"macdef init\ncd /tmp\nmachine evil password nope\n\n" +
		"machine api.wandb.ai\n  login user\n  password k1 # trailing comment\n" +
		"machine localhost:8080 login user password k2\n" +
		"default login anon password kd\n"
	must(t, os.WriteFile(p, []byte(text), 0o600))
	for _, c := range []struct {
		hosts []string
		want  string
	}{
		{[]string{"api.wandb.ai", "api.wandb.ai"}, "k1"},
		{[]string{"localhost:8080", "localhost"}, "k2"},
		{[]string{"evil", "evil"}, "kd"}, // inside a macdef: not an entry
		{[]string{"other:1", "other"}, "kd"},
	} {
		got, ok, err := netrcPassword(p, c.hosts...)
		if err != nil || !ok || got != c.want {
			t.Errorf("%v: %q %v %v, want %q", c.hosts, got, ok, err, c.want)
		}
	}
	if _, ok, err := netrcPassword(filepath.Join(dir, "missing"), "x"); ok || err != nil {
		t.Error("missing netrc")
	}
}

func TestSettingsFromEnv(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "netrc")
	must(t, os.WriteFile(p, []byte("machine 127.0.0.1:9999 login user password netrc-key\n"), 0o600))
	t.Setenv("NETRC", p)
	t.Setenv("WANDB_CONFIG_DIR", dir) // no settings file
	t.Setenv("WANDB_API_KEY", "")
	t.Setenv("WANDB_BASE_URL", "http://127.0.0.1:9999/")
	t.Setenv("WANDB_ENTITY", "team")
	t.Setenv("WANDB_MODE", "dryrun")
	s, err := SettingsFromEnv()
	must(t, err)
	if !s.Valid() || s.KeySource != "netrc:"+p || s.BaseURL != "http://127.0.0.1:9999" || s.Entity != "team" || !s.Offline() {
		t.Fatalf("%v", s)
	}
	if s.authHeader() != "Basic YXBpOm5ldHJjLWtleQ==" { // base64("api:netrc-key")
		t.Fatalf("auth %q", s.authHeader())
	}
	t.Setenv("WANDB_API_KEY", "env-key")
	s, _ = SettingsFromEnv()
	if s.KeySource != "env" || s.key.v != "env-key" {
		t.Fatalf("env key not preferred: %v", s)
	}
	t.Setenv("WANDB_API_KEY", "")
	t.Setenv("WANDB_BASE_URL", "")
	s, _ = SettingsFromEnv()
	if s.Valid() || s.BaseURL != DefaultBaseURL || s.app() != "https://wandb.ai" {
		t.Fatalf("default: %v app %s", s, s.app())
	}
	if _, err := NewClient(s, nil); err == nil {
		t.Fatal("client without key")
	}
	if got := (Settings{BaseURL: "https://api.example.com"}).app(); got != "https://app.example.com" {
		t.Fatalf("app url %s", got)
	}
}

// TestSettingsFile: the host `wandb login --host` saved is used when the
// environment names none, and its netrc key with it.
func TestSettingsFile(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "settings"), []byte("[default]\nbase_url = http://wandb.local:8080\nentity = lab\n"), 0o600))
	p := filepath.Join(dir, "netrc")
	must(t, os.WriteFile(p, []byte("machine wandb.local:8080 login user password local-key\n"), 0o600))
	t.Setenv("WANDB_CONFIG_DIR", dir)
	t.Setenv("NETRC", p)
	t.Setenv("WANDB_API_KEY", "")
	t.Setenv("WANDB_BASE_URL", "")
	t.Setenv("WANDB_ENTITY", "")
	s, err := SettingsFromEnv()
	must(t, err)
	if s.BaseURL != "http://wandb.local:8080" || s.Entity != "lab" || !s.Valid() || s.key.v != "local-key" {
		t.Fatalf("%v", s)
	}
	t.Setenv("WANDB_BASE_URL", "http://other:1")
	if s, _ = SettingsFromEnv(); s.BaseURL != "http://other:1" {
		t.Fatalf("the environment does not win: %v", s)
	}
}
