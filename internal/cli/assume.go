package cli

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/awsclient"
)

// assumeCmd is `inkan assume`: the client side of the seed (what
// aws-actions/configure-aws-credentials does) for any CI system or shell, against inkan or
// AWS. It gets a web identity token, trades it with AssumeRoleWithWebIdentity, checks the
// credentials with GetCallerIdentity and writes them where --output says — the only place
// a secret is ever written. Random (nil: crypto/rand) makes the GITHUB_ENV delimiters.
type assumeCmd struct {
	Random io.Reader
	Now    func() time.Time
}

// assumeFlags are the flags of assume; environment fallbacks are read in resolve.
type assumeFlags struct {
	roleARN, sessionName, audience, token, tokenFile, endpoint, region string
	output, profile, credentialsFile                                   string
	duration, retries                                                  int
}

func (f *assumeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.roleARN, "role-arn", "", "role to assume (AWS_ROLE_ARN)")
	fs.StringVar(&f.sessionName, "role-session-name", "", "session name (AWS_ROLE_SESSION_NAME, default GitHubActions)")
	fs.IntVar(&f.duration, "duration-seconds", 3600, "session duration")
	fs.StringVar(&f.audience, "audience", "sts.amazonaws.com", "audience to request from the GitHub runner")
	fs.StringVar(&f.token, "token", "", "'-' reads the web identity token from standard input")
	fs.StringVar(&f.tokenFile, "token-file", "", "read the web identity token from this file (AWS_WEB_IDENTITY_TOKEN_FILE)")
	fs.StringVar(&f.endpoint, "endpoint", "", "STS endpoint (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL; default AWS's)")
	fs.StringVar(&f.region, "region", "", "region (AWS_REGION, AWS_DEFAULT_REGION; default us-east-1)")
	fs.StringVar(&f.output, "output", "env", "env, github, json, credential-process or profile")
	fs.StringVar(&f.profile, "profile", "", "profile name for --output profile")
	fs.StringVar(&f.credentialsFile, "credentials-file", "", "file for --output profile (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials)")
	fs.IntVar(&f.retries, "retry-max-attempts", awsclient.DefaultMaxAttempts, "attempts for retryable failures (throttling, 5xx, network)")
}

func (c *assumeCmd) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// assumeConfig is the resolved invocation.
type assumeConfig struct {
	assumeFlags
	explicitRegion bool
}

// validSessionName is STS's RoleSessionName rule, 2 to 64 of [\w+=,.@-]
// (aws-federation.md §1.2), checked before sending as configure-aws-credentials v6.2 does.
func validSessionName(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.ContainsRune("_+=,.@-", c)) {
			return false
		}
	}
	return true
}

// resolve applies the environment fallbacks and checks the flags.
func (f assumeFlags) resolve(getenv func(string) string) (assumeConfig, error) {
	c := assumeConfig{assumeFlags: f}
	c.roleARN = firstNonEmpty(c.roleARN, getenv("AWS_ROLE_ARN"))
	c.sessionName = firstNonEmpty(c.sessionName, getenv("AWS_ROLE_SESSION_NAME"), "GitHubActions")
	c.explicitRegion = firstNonEmpty(c.region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION")) != ""
	c.region = firstNonEmpty(c.region, getenv("AWS_REGION"), getenv("AWS_DEFAULT_REGION"), awsclient.DefaultRegion)
	c.endpoint = firstNonEmpty(c.endpoint, getenv("AWS_ENDPOINT_URL_STS"), getenv("AWS_ENDPOINT_URL"))
	if c.endpoint == "" {
		c.endpoint = "https://sts.amazonaws.com"
		if c.explicitRegion {
			c.endpoint = "https://sts." + c.region + ".amazonaws.com"
		}
	}
	c.credentialsFile = firstNonEmpty(c.credentialsFile, getenv("AWS_SHARED_CREDENTIALS_FILE"))
	if c.credentialsFile == "" && getenv("HOME") != "" {
		c.credentialsFile = getenv("HOME") + "/.aws/credentials"
	}
	switch {
	case c.roleARN == "":
		return c, usageErrorf("--role-arn (or AWS_ROLE_ARN) is required")
	case !validSessionName(c.sessionName):
		return c, usageErrorf("role session name %q is not valid: 2 to 64 characters of letters, digits and _+=,.@-", c.sessionName)
	case c.token != "" && c.token != "-":
		return c, usageErrorf("--token takes only '-' (standard input): a token on the command line is visible to every user of the machine; use --token-file")
	case c.token != "" && c.tokenFile != "":
		return c, usageErrorf("--token and --token-file are exclusive")
	case c.output == "profile" && (c.profile == "" || c.credentialsFile == ""):
		return c, usageErrorf("--output profile needs --profile NAME and a credentials file (--credentials-file or HOME)")
	case c.retries < 1:
		return c, usageErrorf("--retry-max-attempts must be at least 1")
	}
	if _, ok := assumeWriters()[c.output]; !ok {
		return c, usageErrorf("--output %q: want env, github, json, credential-process or profile", c.output)
	}
	return c, nil
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// Run assumes the role and writes the credentials.
func (c *assumeCmd) Run(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("assume", env)
	var f assumeFlags
	f.register(fs)
	if err := parseIdpFlags(fs, args); err != nil {
		return err
	}
	cfg, err := f.resolve(env.Getenv)
	if err != nil {
		return err
	}
	httpClient := &http.Client{Timeout: 30 * time.Second}
	token, err := readWebIdentityToken(ctx, env, cfg, httpClient)
	if err != nil {
		return err
	}
	client := &awsclient.Client{Endpoint: cfg.endpoint, Region: cfg.region, HTTPClient: httpClient,
		Retry: awsclient.Retry{MaxAttempts: cfg.retries}, Now: c.Now}
	res, err := assumeWithToken(ctx, client, cfg, token)
	if err != nil {
		explainRefusal(env.Stderr, err, token, cfg.endpoint, c.now())
		return fmt.Errorf("could not assume role with OIDC: %s", shortError(err))
	}
	if cfg.output != "credential-process" {
		fmt.Fprintf(env.Stderr, "Assumed %s (account %s); the credentials expire at %s.\n",
			res.identity.Arn, res.identity.Account, res.creds.Expiration.UTC().Format(time.RFC3339))
	}
	return assumeWriters()[cfg.output](c, env, cfg, res)
}

// assumeResult is what the outputs write.
type assumeResult struct {
	creds    awsclient.Credentials
	assumed  *awsclient.AssumeRoleOutput
	identity *awsclient.CallerIdentity
	region   string
}

// assumeWithToken calls AssumeRoleWithWebIdentity, then GetCallerIdentity with the new
// credentials, as configure-aws-credentials does.
func assumeWithToken(ctx context.Context, client *awsclient.Client, cfg assumeConfig, token string) (*assumeResult, error) {
	out, err := client.AssumeRoleWithWebIdentity(ctx, awsclient.AssumeRoleWithWebIdentityInput{
		RoleArn: cfg.roleARN, RoleSessionName: cfg.sessionName, WebIdentityToken: token, DurationSeconds: cfg.duration})
	if err != nil {
		return nil, err
	}
	session := *client
	session.Creds = out.Credentials.Signing()
	id, err := session.GetCallerIdentity(ctx)
	if err != nil {
		return nil, fmt.Errorf("credentials could not be validated: %w", err)
	}
	if id.Account == "" || id.Arn == "" {
		return nil, errors.New("could not get Account ID or ARN from STS")
	}
	return &assumeResult{creds: out.Credentials, assumed: out, identity: id, region: cfg.region}, nil
}

// shortError is the one line Main prints after the explanation.
func shortError(err error) string {
	var e *awsclient.Error
	if errors.As(err, &e) {
		if e.RequestID != "" {
			return e.Code + " (request id " + e.RequestID + ")"
		}
		return e.Code
	}
	return err.Error()
}

// maxTokenBytes is STS's limit on WebIdentityToken.
const maxTokenBytes = 20000

// readWebIdentityToken gets the token from, in order: --token -, --token-file, the GitHub
// runner's ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, AWS_WEB_IDENTITY_TOKEN_FILE.
func readWebIdentityToken(ctx context.Context, env Env, cfg assumeConfig, hc *http.Client) (string, error) {
	switch {
	case cfg.token == "-":
		return readToken(env.Stdin, "standard input")
	case cfg.tokenFile != "":
		return readTokenFile(cfg.tokenFile)
	case env.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL") != "" && env.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN") != "":
		return fetchRunnerToken(ctx, hc, env.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL"),
			env.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"), cfg.audience)
	case env.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE") != "":
		return readTokenFile(env.Getenv("AWS_WEB_IDENTITY_TOKEN_FILE"))
	}
	return "", usageErrorf("no web identity token: pass --token-file FILE or --token - (stdin), or run in a GitHub " +
		"Actions job with `permissions: id-token: write` (ACTIONS_ID_TOKEN_REQUEST_URL is not set)")
}

func readTokenFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("web identity token: %w", err)
	}
	defer f.Close()
	return readToken(f, path)
}

func readToken(r io.Reader, from string) (string, error) {
	if r == nil {
		return "", fmt.Errorf("web identity token: nothing to read from %s", from)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxTokenBytes+1))
	if err != nil {
		return "", fmt.Errorf("web identity token from %s: %w", from, err)
	}
	token := strings.TrimSpace(string(data))
	switch {
	case token == "":
		return "", fmt.Errorf("web identity token: %s is empty", from)
	case len(data) > maxTokenBytes:
		return "", fmt.Errorf("web identity token from %s is longer than STS's %d characters", from, maxTokenBytes)
	}
	return token, nil
}

// runnerError is a failed answer of the runner's token endpoint.
type runnerError struct {
	status  int
	message string
}

func (e *runnerError) Error() string {
	return fmt.Sprintf("getIDToken call failed: HTTP %d: %s", e.status, e.message)
}

// runnerRetry is actions/toolkit's getIDToken policy: up to 10 retries, 5 ms·2ⁿ apart, of
// 502, 503 and 504 answers. Decision: connection failures are retried too (the toolkit's
// client does not), because a dev server may be starting.
func runnerRetry() awsclient.Retry {
	return awsclient.Retry{MaxAttempts: 11, Base: 10 * time.Millisecond, Rand: func() float64 { return 0.5 }}
}

func isRunnerRetryable(err error) bool {
	var re *runnerError
	if errors.As(err, &re) {
		return re.status == http.StatusBadGateway || re.status == http.StatusServiceUnavailable || re.status == http.StatusGatewayTimeout
	}
	var ne *awsclient.NetworkError
	return errors.As(err, &ne)
}

// fetchRunnerToken asks the runner's token endpoint for a token, exactly as actions/toolkit
// does: GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=X with the request token as bearer.
func fetchRunnerToken(ctx context.Context, hc *http.Client, requestURL, requestToken, audience string) (string, error) {
	target := requestURL
	if audience != "" {
		target += "&audience=" + url.QueryEscape(audience)
	}
	var token string
	err := runnerRetry().Do(ctx, isRunnerRetryable, func(ctx context.Context) error {
		var err error
		token, err = getRunnerToken(ctx, hc, target, requestToken)
		return err
	})
	return token, err
}

func getRunnerToken(ctx context.Context, hc *http.Client, target, requestToken string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", fmt.Errorf("ACTIONS_ID_TOKEN_REQUEST_URL is not a URL: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+requestToken)
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", &awsclient.NetworkError{Op: "getIDToken", Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", &awsclient.NetworkError{Op: "getIDToken", Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		var e idpErrorBody
		msg := http.StatusText(resp.StatusCode)
		if json.Unmarshal(data, &e) == nil && e.Message != "" {
			msg = e.Message
		}
		return "", &runnerError{status: resp.StatusCode, message: msg}
	}
	var answer struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(data, &answer); err != nil || answer.Value == "" {
		return "", errors.New("getIDToken call failed: the answer holds no value")
	}
	return answer.Value, nil
}

// decodeClaims returns the claims of a JWT without verifying it: only to explain a refusal.
// Errors never quote the token.
func decodeClaims(token string) (map[string]any, error) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, errors.New("the token is not a JWT (it does not have three dot-separated parts)")
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, errors.New("the token's payload is not base64url")
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil || claims == nil {
		return nil, errors.New("the token's payload is not a JSON object")
	}
	return claims, nil
}

// randomHex returns n random bytes in hex, from r or crypto/rand.
func randomHex(r io.Reader, n int) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", b), nil
}

// trustClaimNames are the claims a trust policy can test (directly, or since 2026 as
// provider-specific keys), in the order a refusal prints them; the rest are left out.
func trustClaimNames() []string {
	return []string{"iss", "aud", "azp", "sub", "repository", "repository_owner", "repository_id", "ref", "ref_type",
		"environment", "event_name", "workflow", "job_workflow_ref", "actor", "runner_environment",
		"project_path", "namespace_path", "ref_path", "pipeline_source", "iat", "nbf", "exp"}
}

// explainRefusal prints why STS refused the token, in words a user can act on: the error,
// the token's testable claims (never the token), inkan's reason or how to get it, and a
// hint for the error code.
func explainRefusal(w io.Writer, err error, token, endpoint string, now time.Time) {
	var e *awsclient.Error
	if !errors.As(err, &e) {
		return
	}
	message, _, _ := strings.Cut(e.Message, ". inkan: ")
	fmt.Fprintf(w, "%s: %s: %s\n", e.Op, e.Code, message)
	claims, cerr := decodeClaims(token)
	if cerr != nil {
		fmt.Fprintf(w, "\nThe token could not be read: %v.\n", cerr)
	} else {
		fmt.Fprintln(w, "\nWhat the token says (the claims a trust policy can test):")
		for _, name := range trustClaimNames() {
			if v, ok := claims[name]; ok {
				fmt.Fprintf(w, "  %-20s %s\n", name, claimText(name, v))
			}
		}
	}
	fmt.Fprintln(w)
	if reason := inkanReason(e.Message); reason != "" {
		fmt.Fprintf(w, "inkan's reason: %s\n", reason)
	} else if strings.Contains(e.Message, "inkan explain") && e.RequestID != "" {
		fmt.Fprintf(w, "inkan keeps the reason in its audit log: an operator can run `inkan explain %s`.\n", e.RequestID)
	}
	if hint := refusalHint(e, claims, endpoint, now); hint != "" {
		fmt.Fprintln(w, hint)
	}
	fmt.Fprintln(w)
}

// inkanReason extracts the reason inkan appends to a denial with --dev
// ("<AWS message>. inkan: <reason> (request id …)").
func inkanReason(message string) string {
	_, reason, ok := strings.Cut(message, ". inkan: ")
	if !ok {
		return ""
	}
	if i := strings.LastIndex(reason, " (request id "); i >= 0 {
		reason = reason[:i]
	}
	return reason
}

// claimText renders a claim value; times read as dates.
func claimText(name string, v any) string {
	if n, ok := v.(float64); ok && (name == "exp" || name == "iat" || name == "nbf") {
		return time.Unix(int64(n), 0).UTC().Format(time.RFC3339)
	}
	if s, ok := v.(string); ok {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// refusalHint says what to change, for the codes a user can act on.
func refusalHint(e *awsclient.Error, claims map[string]any, endpoint string, now time.Time) string {
	iss, _ := claims["iss"].(string)
	endpointFlag := ""
	if !strings.Contains(endpoint, ".amazonaws.com") {
		endpointFlag = " --endpoint-url " + endpoint
	}
	aud := claimText("aud", claims["aud"])
	prefix := strings.TrimPrefix(strings.TrimPrefix(iss, "https://"), "http://")
	switch {
	case e.Code == "AccessDenied":
		return fmt.Sprintf("The role's trust policy did not allow this token. Its conditions test keys such as %s:sub and %s:aud "+
			"against the values above: check the repository, branch (ref), environment and audience it expects.", prefix, prefix)
	case strings.Contains(e.Message, "No OpenIDConnect provider found"):
		// Older AWS CLIs (Debian's 2.9) still require a thumbprint; inkan uses it only when the
		// issuer's TLS chain does not verify, so any 40-hex value serves for a public issuer.
		return fmt.Sprintf("The issuer %s is not registered in this account. Register it (client id = the token's aud):\n"+
			"  aws iam create-open-id-connect-provider --url %s --client-id-list %s --thumbprint-list %s%s",
			iss, iss, aud, strings.Repeat("0", 40), endpointFlag)
	case strings.Contains(e.Message, "Incorrect token audience"):
		return fmt.Sprintf("The token's aud (%s) is none of the provider's client ids. Request the token with the registered "+
			"audience (--audience), or add this one with `aws iam add-client-id-to-open-id-connect-provider`.", aud)
	case e.Code == "ExpiredTokenException":
		if exp, ok := claims["exp"].(float64); ok {
			at := time.Unix(int64(exp), 0)
			return fmt.Sprintf("The token expired at %s, %s ago. ID tokens live minutes (GitHub's 5): fetch a fresh one right before assuming.",
				at.UTC().Format(time.RFC3339), now.Sub(at).Round(time.Second))
		}
		return "The token has expired: fetch a fresh one right before assuming."
	case e.Code == "InvalidIdentityToken":
		return "STS could not validate the token: check that it is an ID token (not an access token) from the registered issuer."
	}
	return ""
}
