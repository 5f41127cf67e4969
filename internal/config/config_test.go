package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "inkan.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTheFileOverridesDefaultsAndTheEnvironmentOverridesTheFile(t *testing.T) {
	c := Default()
	if err := c.LoadFile(writeFile(t, "addr: 127.0.0.1:9000\ndata_dir: /tmp/x\nregion: eu-west-1\n")); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"INKAN_ADDR": "127.0.0.1:9100"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9100" || c.DataDir != "/tmp/x" || c.Region != "eu-west-1" || c.AccountID != "000000000000" {
		t.Fatalf("layering went wrong: %+v", c)
	}
	if c.PublicURL != "http://127.0.0.1:9100" || !c.DerivedPublicURL {
		t.Fatalf("public URL %q", c.PublicURL)
	}
	if c.Explain != "operator" {
		t.Fatalf("explain defaults to operator outside --dev, got %q", c.Explain)
	}
}

func TestUnknownKeysAreErrorsThatNameThem(t *testing.T) {
	c := Default()
	err := c.LoadFile(writeFile(t, "addr: 127.0.0.1:9000\nroles:\n  - name: deploy\n    trust_polcy: x\n"))
	if err == nil || !strings.Contains(err.Error(), "roles[0].trust_polcy (line 4): unknown key") ||
		!strings.Contains(err.Error(), "trust_policy") {
		t.Fatalf("LoadFile = %v, want an error naming roles[0].trust_polcy and the known keys", err)
	}
	err = c.LoadFile(writeFile(t, "oidc:\n  leway: 1m\n"))
	if err == nil || !strings.Contains(err.Error(), "oidc.leway (line 2)") {
		t.Fatalf("LoadFile = %v, want an error naming oidc.leway", err)
	}
}

func TestValidationNamesEveryBadField(t *testing.T) {
	c := Default()
	c.Addr, c.AccountID, c.Lint = "nonsense", "12", "maybe"
	c.TLS.Cert = "cert.pem"
	c.Declare.Roles = []Role{{Name: "r"}}
	err := c.Validate()
	for _, want := range []string{"addr", "account_id", "lint", "tls", "roles[0].trust_policy"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
}

func TestPolicyDocumentsMayBeWrittenAsYAML(t *testing.T) {
	c := Default()
	err := c.LoadFile(writeFile(t, `
roles:
  - name: deploy
    max_session_duration: 2h
    trust_policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {Federated: "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"}
          Action: sts:AssumeRoleWithWebIdentity
          Condition:
            Bool: {"aws:SecureTransport": true}
    policies:
      s3: '{"Version":"2012-10-17","Statement":[]}'
`))
	if err != nil {
		t.Fatal(err)
	}
	r := c.Declare.Roles[0]
	want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`
	if string(r.TrustPolicy) != want {
		t.Fatalf("trust policy JSON:\n got %s\nwant %s", r.TrustPolicy, want)
	}
	if r.Policies["s3"] != `{"Version":"2012-10-17","Statement":[]}` || r.MaxSessionDuration.String() != "2h0m0s" {
		t.Fatalf("role %+v", r)
	}
}

func TestTheStoreIsSQLiteByDefaultOrAPostgresURLAndItsPasswordIsNeverQuoted(t *testing.T) {
	for _, c := range []struct {
		store, passwordFile, wantErr string
	}{
		{"", "", ""},
		{"sqlite", "", ""},
		{"postgres://inkan@db.example/inkan", "/run/secrets/pg", ""},
		{"postgresql://inkan:s3cret@db.example:5432/inkan?sslmode=verify-full", "", ""},
		{"postgres://inkan:s3cret@db.example/inkan", "/run/secrets/pg", "store_password_file: the store URL carries a password already"},
		{"mysql://inkan:s3cret@db/inkan", "", "store: must be sqlite or a postgres:// or postgresql:// URL"},
		{"postgres://inkan:s3cret@/inkan", "", "store: is not a valid postgres:// URL with a host"},
		{"sqlite", "/run/secrets/pg", "store_password_file: is for a PostgreSQL store"},
	} {
		cfg := Default()
		env := map[string]string{"INKAN_STORE": c.store, "INKAN_STORE_PASSWORD_FILE": c.passwordFile}
		if err := cfg.ApplyEnv(func(k string) string { return env[k] }); err != nil {
			t.Fatal(err)
		}
		err := cfg.Validate()
		switch {
		case c.wantErr == "" && err != nil:
			t.Errorf("store %q: Validate = %v, want success", c.store, err)
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("store %q: Validate = %v, want an error with %q", c.store, err, c.wantErr)
		case err != nil && strings.Contains(err.Error(), "s3cret"):
			t.Errorf("store %q: the error %q quotes the password", c.store, err)
		}
		if c.wantErr == "" && c.store == "" && cfg.Store != "sqlite" {
			t.Errorf("the default store is %q, want sqlite", cfg.Store)
		}
	}
	cfg := Default()
	if err := cfg.LoadFile(writeFile(t, "store: postgres://inkan@db/inkan\nstore_password_file: /run/secrets/pg\n")); err != nil {
		t.Fatal(err)
	}
	if !cfg.IsPostgres() || cfg.StorePasswordFile != "/run/secrets/pg" {
		t.Fatalf("the YAML keys store and store_password_file were not read: %+v", cfg)
	}
}
