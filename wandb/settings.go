package wandb

import (
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// DefaultBaseURL is the W&B SaaS API endpoint.
const DefaultBaseURL = "https://api.wandb.ai"

// ClientVersion is reported in the run config's `_wandb.value.t` telemetry.
const ClientVersion = "0.1.0"

// Settings holds the connection settings of a Client.
//
// The API key is kept behind an unexported pointer: fmt prints Settings
// through String (which redacts it) and prints the pointer of an embedded
// Settings as an address, so the key never reaches a log line or an error.
type Settings struct {
	BaseURL string // API base URL without a trailing slash
	AppURL  string // UI base URL for links; derived from BaseURL when empty
	Entity  string // default entity (user or team); empty = the server's default
	Project string // default project (WANDB_PROJECT)
	Mode    string // WANDB_MODE: "", online, offline, disabled (dryrun = offline)
	// KeySource says where the key came from: "env", "netrc:<path>", "explicit" or "".
	KeySource string

	key *secret
}

// secret wraps the API key; its methods keep it out of formatted output.
type secret struct{ v string }

func (s *secret) String() string   { return "[REDACTED]" }
func (s *secret) GoString() string { return "[REDACTED]" }

// SettingsFromEnv resolves settings the way the W&B SDK does: the key from
// WANDB_API_KEY, else from the netrc file ($NETRC, ~/.netrc, ~/_netrc) entry
// whose machine is the base URL's host; the base URL from WANDB_BASE_URL
// (default https://api.wandb.ai); WANDB_ENTITY, WANDB_PROJECT, WANDB_MODE and
// WANDB_APP_URL. base_url, entity, project and mode not set in the
// environment come from the settings file `wandb login --host` writes
// ($WANDB_CONFIG_DIR/settings, section [default]). A missing key is not
// an error: check Valid.
func SettingsFromEnv() (Settings, error) {
	file := readSettingsFile(settingsFilePath())
	env := func(name, key string) string {
		if v := os.Getenv(name); v != "" {
			return v
		}
		return file[key]
	}
	s := Settings{
		BaseURL: normalizeBaseURL(env("WANDB_BASE_URL", "base_url")),
		AppURL:  strings.TrimRight(os.Getenv("WANDB_APP_URL"), "/"),
		Entity:  env("WANDB_ENTITY", "entity"),
		Project: env("WANDB_PROJECT", "project"),
		Mode:    normalizeMode(env("WANDB_MODE", "mode")),
	}
	if k := strings.TrimSpace(os.Getenv("WANDB_API_KEY")); k != "" {
		return s.WithAPIKey(k, "env"), nil
	}
	u, err := url.Parse(s.BaseURL)
	if err != nil || u.Host == "" {
		return s, fmt.Errorf("wandb: invalid WANDB_BASE_URL %q", s.BaseURL)
	}
	path, ok := netrcPath()
	if !ok {
		return s, nil
	}
	key, found, err := netrcPassword(path, u.Host, u.Hostname())
	if err != nil {
		return s, err
	}
	if found {
		s = s.WithAPIKey(key, "netrc:"+path)
	}
	return s, nil
}

// WithAPIKey returns a copy of s using key; source is recorded in KeySource.
func (s Settings) WithAPIKey(key, source string) Settings {
	key = strings.TrimSpace(key)
	if key == "" {
		s.key, s.KeySource = nil, ""
		return s
	}
	s.key, s.KeySource = &secret{key}, source
	return s
}

// Valid reports whether an API key is present.
func (s Settings) Valid() bool { return s.key != nil && s.key.v != "" }

// Offline reports whether WANDB_MODE asks for offline or disabled logging.
func (s Settings) Offline() bool { return s.Mode == "offline" || s.Mode == "disabled" }

// String describes the settings with the key redacted.
func (s Settings) String() string {
	k := "none"
	if s.Valid() {
		k = "set (" + s.KeySource + ")"
	}
	return fmt.Sprintf("wandb.Settings{BaseURL:%s Entity:%s Project:%s Mode:%s Key:%s}",
		s.base(), s.Entity, s.Project, s.Mode, k)
}

// GoString is String, so %#v never prints the key either.
func (s Settings) GoString() string { return s.String() }

// base returns the normalized base URL.
func (s Settings) base() string { return normalizeBaseURL(s.BaseURL) }

// app returns the UI URL: WANDB_APP_URL, else the base URL with
// "://api.wandb." turned into "://" and any other "://api." into "://app.".
func (s Settings) app() string {
	if s.AppURL != "" {
		return strings.TrimRight(s.AppURL, "/")
	}
	b := s.base()
	switch {
	case strings.Contains(b, "://api.wandb."):
		return strings.Replace(b, "://api.wandb.", "://wandb.", 1)
	case strings.Contains(b, "://api."):
		return strings.Replace(b, "://api.", "://app.", 1)
	}
	return b
}

// authHeader is the Basic credential "api:<key>".
func (s Settings) authHeader() string {
	if !s.Valid() {
		return ""
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte("api:"+s.key.v))
}

// redact replaces every occurrence of the key (and its Basic encoding) in msg.
func (s Settings) redact(msg string) string {
	if !s.Valid() {
		return msg
	}
	msg = strings.ReplaceAll(msg, s.key.v, "[REDACTED]")
	if h := strings.TrimPrefix(s.authHeader(), "Basic "); h != "" {
		msg = strings.ReplaceAll(msg, h, "[REDACTED]")
	}
	return msg
}

func normalizeBaseURL(b string) string {
	b = strings.TrimRight(strings.TrimSpace(b), "/")
	if b == "" {
		return DefaultBaseURL
	}
	return b
}

func normalizeMode(m string) string {
	m = strings.ToLower(strings.TrimSpace(m))
	switch m {
	case "dryrun":
		return "offline"
	case "run":
		return "online"
	}
	return m
}
