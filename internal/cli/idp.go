package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/inkan-dev/inkan/internal/devidp"
)

// defaultEndpoint is where `inkan serve` listens by default.
const defaultEndpoint = "http://127.0.0.1:8750"

// idpCmd is `inkan idp`: the test identity provider of `inkan serve --dev`, from outside.
// runner-env and token talk to a running server; rotate-keys and keys work on its data
// directory directly.
type idpCmd struct{}

const idpUsage = `usage: inkan idp <command> [flags]

commands:
  runner-env   print ACTIONS_ID_TOKEN_REQUEST_URL and _TOKEN for a job, as a GitHub runner sets them
  token        print an ID token for a job
  rotate-keys  make a new signing key active (the old one stays published for --grace)
  keys         list the published signing keys

Run 'inkan idp <command> -h' for its flags.`

// Run dispatches to the subcommand.
func (idpCmd) Run(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, idpUsage)
		if len(args) == 0 {
			return usageErrorf("a subcommand is required")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "runner-env":
		return idpRunnerEnv(ctx, env, args[1:])
	case "token":
		return idpToken(ctx, env, args[1:])
	case "rotate-keys":
		return idpRotateKeys(env, args[1:])
	case "keys":
		return idpKeys(env, args[1:])
	}
	fmt.Fprintln(env.Stderr, idpUsage)
	return usageErrorf("unknown idp command %q", args[0])
}

// jobFlags describe the job a token is for; every claim left out is derived by devidp.
type jobFlags struct {
	endpoint, repo, ref, environment, event, actor, workflow, subClaimKeys string
	immutable                                                              bool
}

func (f *jobFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.endpoint, "endpoint", defaultEndpoint, "URL of a server running with --dev")
	fs.StringVar(&f.repo, "repo", "", "repository owner/name (GitLab: group/project) (required)")
	fs.StringVar(&f.ref, "ref", "refs/heads/main", "git ref; a bare name means a branch")
	fs.StringVar(&f.environment, "environment", "", "the job's deployment environment")
	fs.StringVar(&f.event, "event", "", "event_name (default push, or pull_request for refs/pull/…)")
	fs.StringVar(&f.actor, "actor", "", "the user who triggered the run (default: the owner)")
	fs.StringVar(&f.workflow, "workflow", "", "workflow name (default CI)")
	fs.StringVar(&f.subClaimKeys, "sub-claim-keys", "", "custom sub template: comma-separated include_claim_keys, e.g. repo,context,job_workflow_ref")
	fs.BoolVar(&f.immutable, "immutable-sub", false, "use the immutable repo:OWNER@ID/NAME@ID subject")
}

// jobContext builds the GitHub job of the flags.
func (f *jobFlags) jobContext() (devidp.JobContext, error) {
	if f.repo == "" {
		return devidp.JobContext{}, usageErrorf("--repo is required")
	}
	c := devidp.JobContext{Job: devidp.Job{Repository: f.repo, Ref: f.ref, Environment: f.environment,
		EventName: f.event, Actor: f.actor, Workflow: f.workflow}}
	c.Immutable = f.immutable
	if f.subClaimKeys != "" {
		c.IncludeClaimKeys = strings.Split(f.subClaimKeys, ",")
	}
	return c, nil
}

func idpRunnerEnv(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("idp runner-env", env)
	var jf jobFlags
	jf.register(fs)
	githubEnv := fs.Bool("github-env", false, "print NAME=value lines for $GITHUB_ENV instead of export lines")
	if err := parseIdpFlags(fs, args); err != nil {
		return err
	}
	job, err := jf.jobContext()
	if err != nil {
		return err
	}
	var re devidp.RunnerEnv
	if err := postIDP(ctx, jf.endpoint, "/runner-env", job, &re); err != nil {
		return err
	}
	for _, line := range re.Environ() {
		name, value, _ := strings.Cut(line, "=")
		if *githubEnv {
			fmt.Fprintf(env.Stdout, "%s=%s\n", name, value)
		} else {
			fmt.Fprintf(env.Stdout, "export %s=%s\n", name, shellQuote(value))
		}
	}
	return nil
}

func idpToken(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("idp token", env)
	var jf jobFlags
	jf.register(fs)
	audience := fs.String("audience", devidp.AudienceSTS, "the aud claim")
	lifetime := fs.Duration("lifetime", 0, "exp − iat (default 300s, as GitHub)")
	issuedAt := fs.String("issued-at", "", "iat: an RFC 3339 time, or a duration from now such as -1h (for expired tokens)")
	gitlab := fs.Bool("gitlab", false, "mint a GitLab-CI-shaped token (issuer <endpoint>/idp/gitlab; --repo is the project path)")
	outFile := fs.String("out", "", "write the token to this file (0600, no newline, as AWS_WEB_IDENTITY_TOKEN_FILE readers expect) instead of stdout")
	if err := parseIdpFlags(fs, args); err != nil {
		return err
	}
	opts, err := tokenOptions(*audience, *lifetime, *issuedAt, time.Now())
	if err != nil {
		return err
	}
	var answer struct {
		Value string `json:"value"`
	}
	if *gitlab {
		if jf.repo == "" {
			return usageErrorf("--repo is required")
		}
		req := devidp.GitLabTokenRequest{GitLabJob: devidp.GitLabJob{ProjectPath: jf.repo, Ref: jf.ref, Environment: jf.environment},
			TokenOptions: opts}
		err = postIDP(ctx, jf.endpoint, devidp.GitLabPath+"/mint", req, &answer)
	} else {
		job, jerr := jf.jobContext()
		if jerr != nil {
			return jerr
		}
		err = postIDP(ctx, jf.endpoint, "/mint", devidp.TokenRequest{JobContext: job, TokenOptions: opts}, &answer)
	}
	if err != nil {
		return err
	}
	if *outFile != "" {
		return writeFileAtomic(*outFile, []byte(answer.Value), 0o600)
	}
	fmt.Fprintln(env.Stdout, answer.Value)
	return nil
}

// tokenOptions reads --audience, --lifetime and --issued-at.
func tokenOptions(audience string, lifetime time.Duration, issuedAt string, now time.Time) (devidp.TokenOptions, error) {
	opts := devidp.TokenOptions{Audience: audience}
	if lifetime < 0 || lifetime%time.Second != 0 {
		return opts, usageErrorf("--lifetime %v: want a positive whole number of seconds", lifetime)
	}
	opts.LifetimeSeconds = int(lifetime / time.Second)
	switch {
	case issuedAt == "":
	case strings.ContainsAny(issuedAt, "T:"):
		t, err := time.Parse(time.RFC3339, issuedAt)
		if err != nil {
			return opts, usageErrorf("--issued-at %q: want an RFC 3339 time or a duration such as -1h", issuedAt)
		}
		opts.IssuedAt = t
	default:
		d, err := time.ParseDuration(issuedAt)
		if err != nil {
			return opts, usageErrorf("--issued-at %q: want an RFC 3339 time or a duration such as -1h", issuedAt)
		}
		opts.IssuedAt = now.Add(d).Truncate(time.Second)
	}
	return opts, nil
}

// parseIdpFlags parses a subcommand's flags, which take no arguments.
func parseIdpFlags(fs *flag.FlagSet, args []string) error {
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return nil
}

// idpErrorBody is the test identity provider's error answer.
type idpErrorBody struct {
	Code    string `json:"error"`
	Message string `json:"message"`
}

// postIDP posts a JSON request to the test identity provider of the server at endpoint
// (mounted at /idp) and decodes its JSON answer into out.
func postIDP(ctx context.Context, endpoint, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	url := strings.TrimRight(endpoint, "/") + "/idp" + path
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("--endpoint %q: %w", endpoint, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the test identity provider (is `inkan serve --dev` running at %s?): %w", endpoint, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode == http.StatusNotFound {
		return fmt.Errorf("%s has no test identity provider: start it with `inkan serve --dev`", endpoint)
	}
	if resp.StatusCode != http.StatusOK {
		var e idpErrorBody
		if json.Unmarshal(data, &e) == nil && e.Message != "" {
			return fmt.Errorf("the test identity provider refused: %s", e.Message)
		}
		return fmt.Errorf("the test identity provider answered HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(data, out)
}

// dataDirFlag registers --data-dir with the serve command's default and environment.
func dataDirFlag(fs *flag.FlagSet, env Env) *string {
	def := env.Getenv("INKAN_DATA_DIR")
	if def == "" {
		def = "./inkan-data"
	}
	return fs.String("data-dir", def, "the server's data directory (INKAN_DATA_DIR)")
}

// openIDPKeys opens <data-dir>/devidp; unless create, a directory without keys is an error.
func openIDPKeys(dataDir string, grace time.Duration, create bool) (*devidp.KeySet, error) {
	dir := filepath.Join(dataDir, "devidp")
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) && !create {
		return nil, fmt.Errorf("%s holds no test identity provider keys: run `inkan serve --dev --data-dir %s` once", dataDir, dataDir)
	}
	return devidp.OpenKeySet(dir, devidp.KeySetOptions{Grace: grace})
}

func idpRotateKeys(env Env, args []string) error {
	fs := newFlagSet("idp rotate-keys", env)
	dataDir := dataDirFlag(fs, env)
	grace := fs.Duration("grace", devidp.DefaultGrace, "how long the replaced key stays published")
	if err := parseIdpFlags(fs, args); err != nil {
		return err
	}
	if *grace < 0 {
		return usageErrorf("--grace must not be negative")
	}
	keys, err := openIDPKeys(*dataDir, *grace, true)
	if err != nil {
		return err
	}
	k, err := keys.Rotate()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "new active key %s; a running server signs with it now\n", k.KeyID)
	return writeKeys(env.Stdout, keys)
}

func idpKeys(env Env, args []string) error {
	fs := newFlagSet("idp keys", env)
	dataDir := dataDirFlag(fs, env)
	if err := parseIdpFlags(fs, args); err != nil {
		return err
	}
	keys, err := openIDPKeys(*dataDir, 0, false)
	if err != nil {
		return err
	}
	return writeKeys(env.Stdout, keys)
}

// writeKeys lists the published keys, the active one first.
func writeKeys(out io.Writer, keys *devidp.KeySet) error {
	infos, err := keys.Keys()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KID\tX5T\tCREATED\tSTATUS")
	for _, k := range infos {
		status := "active"
		if !k.Active {
			status = "published until " + k.UnpublishAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", k.KeyID, k.X5t, k.Created.UTC().Format(time.RFC3339), status)
	}
	return tw.Flush()
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
