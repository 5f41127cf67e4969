package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration of one inkan server.
type Config struct {
	// Addr is the listen address of the one HTTP endpoint.
	Addr string `yaml:"addr"`
	// DataDir holds the embedded store, objects, keys and audit log.
	DataDir string `yaml:"data_dir"`
	// PublicURL is how clients reach this server (used for the test IdP's issuer URL and in
	// messages). Default: http(s)://Addr.
	PublicURL string `yaml:"public_url"`
	// Dev enables the built-in test identity provider, http:// issuers on loopback hosts, and
	// denial reasons in the messages callers see.
	Dev bool `yaml:"dev"`
	// AccountID is the 12-digit account id every ARN carries.
	AccountID string `yaml:"account_id"`
	// Region, when set, is the only region clients may sign for; empty accepts any.
	Region string `yaml:"region"`
	// Domain enables virtual-hosted-style S3 requests for <bucket>.<Domain>.
	Domain string `yaml:"domain"`
	TLS    TLS    `yaml:"tls"`
	// Lint decides what a trust policy with an error-level linter finding does on write:
	// "refuse" (MalformedPolicyDocument) or "warn" (accepted, logged).
	Lint string `yaml:"lint"`
	// Explain decides what callers see on a denial: "caller" (the one-sentence reason in the
	// error message) or "operator" (AWS's text and the request id; the reason stays in the
	// audit log). Default: "caller" with Dev, else "operator".
	Explain string `yaml:"explain"`
	// Console is "on" (the operator console at /console/, the default) or "off".
	Console string  `yaml:"console"`
	OIDC    OIDC    `yaml:"oidc"`
	Audit   Audit   `yaml:"audit"`
	Objects Objects `yaml:"objects"`
	// Decisions tunes the decision log in the store.
	Decisions Decisions `yaml:"decisions"`
	// Limits bound slow request bodies and each client's requests in flight.
	Limits Limits `yaml:"limits"`
	Root   Root   `yaml:"-"`
	// Lifecycle tunes the worker that executes S3 lifecycle configurations.
	Lifecycle Lifecycle `yaml:"lifecycle"`
	// Store selects the store: "sqlite" (the file inkan.db in DataDir) or a postgres:// or
	// postgresql:// URL, which may carry the password (it is never logged).
	Store string `yaml:"store"`
	// StorePasswordFile, with a PostgreSQL store, names a file holding the password (read
	// once at start, a trailing newline dropped; refused if every user may read it).
	StorePasswordFile string `yaml:"store_password_file"`
	// DerivedPublicURL is set by Validate when PublicURL was derived from Addr.
	DerivedPublicURL bool     `yaml:"-"`
	Declare          Declared `yaml:",inline"`
}

// TLS names the certificate and key files for serving HTTPS; both or neither.
type TLS struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// OIDC tunes token verification and the issuer key cache.
type OIDC struct {
	Leeway          Duration `yaml:"leeway"`
	RefreshInterval Duration `yaml:"refresh_interval"`
	MaxStale        Duration `yaml:"max_stale"`
}

// Audit sizes the audit log.
type Audit struct {
	MaxFileBytes int64 `yaml:"max_file_bytes"`
	MaxFiles     int   `yaml:"max_files"`
}

// Objects chooses and tunes the object backend. UploadMaxAge and SweepInterval tune the
// local one; Backend and Upstream are in objects.go.
type Objects struct {
	UploadMaxAge  Duration `yaml:"upload_max_age"`
	SweepInterval Duration `yaml:"sweep_interval"`
	// Backend is "local" (files under DataDir) or an upstream S3 URL, s3+http://host:port or
	// s3+https://host.
	Backend  string   `yaml:"backend"`
	Upstream Upstream `yaml:"upstream"`
	// EncryptAtRest encrypts every new local object with SSE-S3 unless SSE-C is asked for
	// (default true, AWS's behaviour); false stores objects as sent unless a request or a
	// bucket's encryption configuration asks for encryption (docs/security.md).
	EncryptAtRest bool `yaml:"encrypt_at_rest"`
}

// Root holds the administrator credentials, from the environment only.
type Root struct {
	AccessKeyID     string
	SecretAccessKey string
}

// Duration is a time.Duration written as "90s", "1h" in YAML and the environment.
type Duration time.Duration

// UnmarshalYAML accepts a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration such as 90s or 1h", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// Default returns the embedded defaults.
func Default() Config {
	return Config{
		Addr:      "127.0.0.1:8750",
		DataDir:   "./inkan-data",
		AccountID: "000000000000",
		Lint:      "refuse",
		Console:   "on",
		Store:     "sqlite",
		OIDC: OIDC{
			Leeway:          Duration(5 * time.Minute),
			RefreshInterval: Duration(10 * time.Second),
			MaxStale:        Duration(24 * time.Hour),
		},
		Audit: Audit{MaxFileBytes: 64 << 20, MaxFiles: 20},
		Objects: Objects{UploadMaxAge: Duration(7 * 24 * time.Hour), SweepInterval: Duration(time.Hour),
			Backend: "local", Upstream: defaultUpstream(), EncryptAtRest: true},
		Decisions: defaultDecisions(),
		Limits:    defaultLimits(),
		Lifecycle: defaultLifecycle(),
	}
}

// LoadFile decodes the YAML file at path over c, strictly: an unknown key is an error that
// names it.
func (c *Config) LoadFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	if err := checkKeys(&doc, reflect.TypeFor[Config](), ""); err != nil {
		return fmt.Errorf("config %s: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config %s: %w", path, err)
	}
	return nil
}

// envVars maps each INKAN_* variable to the setting it overrides.
func (c *Config) envVars() map[string]func(string) error {
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	dur := func(p *Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			*p = Duration(d)
			return err
		}
	}
	return map[string]func(string) error{
		"INKAN_ADDR":                   str(&c.Addr),
		"INKAN_DATA_DIR":               str(&c.DataDir),
		"INKAN_PUBLIC_URL":             str(&c.PublicURL),
		"INKAN_ACCOUNT_ID":             str(&c.AccountID),
		"INKAN_REGION":                 str(&c.Region),
		"INKAN_DOMAIN":                 str(&c.Domain),
		"INKAN_TLS_CERT":               str(&c.TLS.Cert),
		"INKAN_TLS_KEY":                str(&c.TLS.Key),
		"INKAN_LINT":                   str(&c.Lint),
		"INKAN_EXPLAIN":                str(&c.Explain),
		"INKAN_CONSOLE":                str(&c.Console),
		"INKAN_ROOT_ACCESS_KEY_ID":     str(&c.Root.AccessKeyID),
		"INKAN_ROOT_SECRET_ACCESS_KEY": str(&c.Root.SecretAccessKey),
		"INKAN_STORE":                  str(&c.Store),
		"INKAN_STORE_PASSWORD_FILE":    str(&c.StorePasswordFile),
		"INKAN_OIDC_LEEWAY":            dur(&c.OIDC.Leeway),
		"INKAN_OIDC_MAX_STALE":         dur(&c.OIDC.MaxStale),
		"INKAN_DEV": func(v string) error {
			b, err := strconv.ParseBool(v)
			c.Dev = b
			return err
		},
	}
}

// ApplyEnv overrides settings from INKAN_* variables read through getenv.
func (c *Config) ApplyEnv(getenv func(string) string) error {
	vars := c.envVars()
	maps.Copy(vars, c.Decisions.envVars())
	maps.Copy(vars, c.Objects.envVars())
	maps.Copy(vars, c.Limits.envVars())
	maps.Copy(vars, c.Lifecycle.envVars())
	for name, set := range vars {
		if v := getenv(name); v != "" {
			if err := set(v); err != nil {
				return fmt.Errorf("config: %s=%q: %w", name, v, err)
			}
		}
	}
	return nil
}

// Validate checks the tree and fills derived defaults; errors name the field.
func (c *Config) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...)))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		bad("addr", "%q is not host:port", c.Addr)
	}
	if c.DataDir == "" {
		bad("data_dir", "must not be empty")
	}
	if len(c.AccountID) != 12 || strings.Trim(c.AccountID, "0123456789") != "" {
		bad("account_id", "%q must be 12 digits", c.AccountID)
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		bad("tls", "cert and key go together")
	}
	switch c.Lint {
	case "refuse", "warn":
	default:
		bad("lint", "%q must be refuse or warn", c.Lint)
	}
	if c.Console != "on" && c.Console != "off" {
		bad("console", "%q must be on or off", c.Console)
	}
	switch c.Explain {
	case "":
		c.Explain = "operator"
		if c.Dev {
			c.Explain = "caller"
		}
	case "caller", "operator":
	default:
		bad("explain", "%q must be caller or operator", c.Explain)
	}
	if (c.Root.AccessKeyID == "") != (c.Root.SecretAccessKey == "") {
		bad("INKAN_ROOT_ACCESS_KEY_ID", "and INKAN_ROOT_SECRET_ACCESS_KEY go together")
	}
	if c.Root.AccessKeyID != "" && (len(c.Root.AccessKeyID) < 16 || len(c.Root.SecretAccessKey) < 16) {
		bad("INKAN_ROOT_ACCESS_KEY_ID", "root keys must be at least 16 characters each")
	}
	errs = append(errs, c.validateStore()...)
	if c.PublicURL == "" {
		scheme := "http"
		if c.TLS.Cert != "" {
			scheme = "https"
		}
		c.PublicURL = scheme + "://" + c.Addr
		c.DerivedPublicURL = true
	}
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	errs = append(errs, c.Objects.validate()...)
	errs = append(errs, c.Declare.validate()...)
	errs = append(errs, c.Decisions.validate()...)
	errs = append(errs, c.Limits.validate()...)
	errs = append(errs, c.Lifecycle.validate()...)
	return errors.Join(errs...)
}

// IsPostgres reports whether Store names a PostgreSQL database rather than SQLite.
func (c *Config) IsPostgres() bool {
	scheme, _, ok := strings.Cut(c.Store, "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

// validateStore checks store and store_password_file. Its messages never quote the store
// URL: it may carry a password.
func (c *Config) validateStore() []error {
	var errs []error
	bad := func(field, msg string) { errs = append(errs, fmt.Errorf("%s: %s", field, msg)) }
	switch {
	case c.Store == "":
		c.Store = "sqlite"
	case c.Store == "sqlite":
	case !c.IsPostgres():
		bad("store", "must be sqlite or a postgres:// or postgresql:// URL (the value is not shown: it may hold a password)")
	default:
		u, err := url.Parse(c.Store)
		if err != nil || u.Host == "" {
			bad("store", "is not a valid postgres:// URL with a host (the value is not shown: it may hold a password)")
			break
		}
		if _, has := u.User.Password(); has && c.StorePasswordFile != "" {
			bad("store_password_file", "the store URL carries a password already: give it in one place")
		}
	}
	if c.StorePasswordFile != "" && c.Store == "sqlite" {
		bad("store_password_file", "is for a PostgreSQL store; the SQLite store has no password")
	}
	return errs
}

// String prints the duration as Go does.
func (d Duration) String() string { return time.Duration(d).String() }
