package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The outputs of `inkan assume`: env, github, json, credential-process, profile.

// assumeWriter writes the credentials for one --output.
type assumeWriter func(c *assumeCmd, env Env, cfg assumeConfig, r *assumeResult) error

func assumeWriters() map[string]assumeWriter {
	return map[string]assumeWriter{
		"env":                writeEnvOutput,
		"github":             writeGitHubOutput,
		"json":               writeJSONOutput,
		"credential-process": writeCredentialProcess,
		"profile":            writeProfileOutput,
	}
}

// variables are the environment configure-aws-credentials exports.
func (r *assumeResult) variables() [][2]string {
	return [][2]string{{"AWS_ACCESS_KEY_ID", r.creds.AccessKeyID}, {"AWS_SECRET_ACCESS_KEY", r.creds.SecretAccessKey},
		{"AWS_SESSION_TOKEN", r.creds.SessionToken}, {"AWS_REGION", r.region}, {"AWS_DEFAULT_REGION", r.region}}
}

func writeEnvOutput(_ *assumeCmd, env Env, _ assumeConfig, r *assumeResult) error {
	for _, v := range r.variables() {
		fmt.Fprintf(env.Stdout, "export %s=%s\n", v[0], shellQuote(v[1]))
	}
	return nil
}

// writeGitHubOutput does what configure-aws-credentials does in a job: mask the secrets,
// append the variables to $GITHUB_ENV and aws-account-id/authenticated-arn to
// $GITHUB_OUTPUT, in the toolkit's heredoc form.
func writeGitHubOutput(c *assumeCmd, env Env, _ assumeConfig, r *assumeResult) error {
	envFile, outFile := env.Getenv("GITHUB_ENV"), env.Getenv("GITHUB_OUTPUT")
	if envFile == "" {
		return errors.New("--output github needs $GITHUB_ENV (set by GitHub Actions; set it to a file to test)")
	}
	for _, secret := range []string{r.creds.AccessKeyID, r.creds.SecretAccessKey, r.creds.SessionToken} {
		fmt.Fprintf(env.Stdout, "::add-mask::%s\n", secret)
	}
	if err := appendFileCommands(c.Random, envFile, r.variables()); err != nil {
		return err
	}
	if outFile == "" {
		fmt.Fprintln(env.Stderr, "GITHUB_OUTPUT is not set: the step outputs aws-account-id and authenticated-arn were not written")
		return nil
	}
	return appendFileCommands(c.Random, outFile, [][2]string{{"aws-account-id", r.identity.Account}, {"authenticated-arn", r.identity.Arn}})
}

// appendFileCommands appends NAME<<DELIMITER lines, as actions/toolkit's
// prepareKeyValueMessage does, with a fresh random delimiter per value.
func appendFileCommands(random io.Reader, path string, vars [][2]string) error {
	var b strings.Builder
	for _, v := range vars {
		id, err := randomHex(random, 16)
		if err != nil {
			return err
		}
		delimiter := "ghadelimiter_" + id
		if strings.Contains(v[0], delimiter) || strings.Contains(v[1], delimiter) {
			return fmt.Errorf("%s holds its own delimiter", v[0])
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", v[0], delimiter, v[1], delimiter)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// jsonCredentials is --output json.
type jsonCredentials struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	SessionToken    string `json:"SessionToken"`
	Expiration      string `json:"Expiration"`
	Region          string `json:"Region"`
	Account         string `json:"Account"`
	Arn             string `json:"Arn"`
	AssumedRoleID   string `json:"AssumedRoleId"`
	Subject         string `json:"SubjectFromWebIdentityToken"`
	Audience        string `json:"Audience,omitempty"`
	Provider        string `json:"Provider,omitempty"`
}

func writeJSONOutput(_ *assumeCmd, env Env, _ assumeConfig, r *assumeResult) error {
	return writeIndentedJSON(env.Stdout, jsonCredentials{AccessKeyID: r.creds.AccessKeyID, SecretAccessKey: r.creds.SecretAccessKey,
		SessionToken: r.creds.SessionToken, Expiration: r.creds.Expiration.UTC().Format(time.RFC3339), Region: r.region,
		Account: r.identity.Account, Arn: r.identity.Arn, AssumedRoleID: r.assumed.AssumedRoleUser.AssumedRoleID,
		Subject: r.assumed.SubjectFromWebIdentityToken, Audience: r.assumed.Audience, Provider: r.assumed.Provider})
}

// writeCredentialProcess prints the credential_process answer (Version 1), so that
// ~/.aws/config can run `inkan assume --output credential-process` and refresh by itself.
func writeCredentialProcess(_ *assumeCmd, env Env, _ assumeConfig, r *assumeResult) error {
	return writeIndentedJSON(env.Stdout, struct {
		Version         int
		AccessKeyID     string `json:"AccessKeyId"`
		SecretAccessKey string
		SessionToken    string
		Expiration      string
	}{1, r.creds.AccessKeyID, r.creds.SecretAccessKey, r.creds.SessionToken, r.creds.Expiration.UTC().Format(time.RFC3339)})
}

func writeIndentedJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// writeProfileOutput replaces the profile's section of the shared credentials file,
// keeping every other line, and writes it back 0600 through a rename.
func writeProfileOutput(_ *assumeCmd, env Env, cfg assumeConfig, r *assumeResult) error {
	old, err := os.ReadFile(cfg.credentialsFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(cfg.credentialsFile), 0o700); err != nil {
		return err
	}
	body := []string{"aws_access_key_id = " + r.creds.AccessKeyID, "aws_secret_access_key = " + r.creds.SecretAccessKey,
		"aws_session_token = " + r.creds.SessionToken}
	if err := writeFileAtomic(cfg.credentialsFile, []byte(replaceINISection(string(old), cfg.profile, body)), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(env.Stderr, "Wrote profile %q to %s; use it with AWS_PROFILE=%s (region %s).\n", cfg.profile, cfg.credentialsFile, cfg.profile, r.region)
	return nil
}

// replaceINISection returns doc with section [name] holding exactly body, appended at the
// end when the section is new.
func replaceINISection(doc, name string, body []string) string {
	var out []string
	in, done := false, false
	for _, line := range strings.Split(strings.TrimRight(doc, "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			in = strings.TrimSpace(trimmed[1:len(trimmed)-1]) == name
			if in {
				out = append(append(out, "["+name+"]"), body...)
				done = true
				continue
			}
		}
		// The old section's lines go; blank lines stay, as separators.
		if (!in || trimmed == "") && (trimmed != "" || len(out) > 0) {
			out = append(out, line)
		}
	}
	if !done {
		if len(out) > 0 {
			out = append(out, "")
		}
		out = append(append(out, "["+name+"]"), body...)
	}
	return strings.Join(out, "\n") + "\n"
}
