package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/devidp"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// runnerEnv asks the server's runner endpoint for a job's environment.
func (s *testServer) runnerEnv(t *testing.T, repo, ref string) devidp.RunnerEnv {
	t.Helper()
	var re devidp.RunnerEnv
	if err := postIDP(context.Background(), s.url, "/runner-env", devidp.JobContext{Job: devidp.Job{Repository: repo, Ref: ref}}, &re); err != nil {
		t.Fatal(err)
	}
	return re
}

// tokenFile mints a token for repo on ref and writes it to a file.
func (s *testServer) tokenFile(t *testing.T, repo, ref string) (string, string) {
	t.Helper()
	var answer struct{ Value string }
	req := devidp.TokenRequest{JobContext: devidp.JobContext{Job: devidp.Job{Repository: repo, Ref: ref}},
		TokenOptions: devidp.TokenOptions{Audience: devidp.AudienceSTS}}
	if err := postIDP(context.Background(), s.url, "/mint", req, &answer); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte(answer.Value+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, answer.Value
}

// parseFileCommands reads a $GITHUB_ENV or $GITHUB_OUTPUT file: NAME<<DELIMITER blocks
// and NAME=value lines.
func parseFileCommands(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		if name, delim, ok := strings.Cut(lines[i], "<<"); ok {
			var value []string
			for i++; i < len(lines) && lines[i] != delim; i++ {
				value = append(value, lines[i])
			}
			vars[name] = strings.Join(value, "\n")
		} else if name, value, ok := strings.Cut(lines[i], "="); ok {
			vars[name] = value
		}
	}
	return vars
}

// mustWork checks that credentials are a session of the seed's role.
func (s *testServer) mustWork(t *testing.T, keyID, secret, token string) {
	t.Helper()
	c := &awsclient.Client{Endpoint: s.url, Creds: sigv4.Credentials{AccessKeyID: keyID, SecretAccessKey: secret, SessionToken: token}}
	id, err := c.GetCallerIdentity(context.Background())
	if err != nil {
		t.Fatalf("the written credentials do not work: %v", err)
	}
	if id.Arn != "arn:aws:sts::000000000000:assumed-role/deploy/GitHubActions" {
		t.Fatalf("caller = %s", id.Arn)
	}
}

func TestAssumeInAGitHubJobWritesGitHubEnvAndOutputAndMasksTheSecrets(t *testing.T) {
	s := startTestServer(t)
	role := s.createSeedRole(t)
	re := s.runnerEnv(t, demoRepo, demoRef)
	dir := t.TempDir()
	env := map[string]string{"ACTIONS_ID_TOKEN_REQUEST_URL": re.RequestURL, "ACTIONS_ID_TOKEN_REQUEST_TOKEN": re.RequestToken,
		"GITHUB_ENV": filepath.Join(dir, "env"), "GITHUB_OUTPUT": filepath.Join(dir, "output"), "AWS_REGION": "eu-west-1"}
	code, out, errOut := run(t, env, "", "assume", "--role-arn", role, "--endpoint", s.url, "--output", "github")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	vars := parseFileCommands(t, env["GITHUB_ENV"])
	s.mustWork(t, vars["AWS_ACCESS_KEY_ID"], vars["AWS_SECRET_ACCESS_KEY"], vars["AWS_SESSION_TOKEN"])
	if vars["AWS_REGION"] != "eu-west-1" || vars["AWS_DEFAULT_REGION"] != "eu-west-1" {
		t.Fatalf("region variables: %v", vars)
	}
	for _, name := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if !strings.Contains(out, "::add-mask::"+vars[name]+"\n") {
			t.Errorf("%s is not masked", name)
		}
	}
	outputs := parseFileCommands(t, env["GITHUB_OUTPUT"])
	if outputs["aws-account-id"] != "000000000000" || outputs["authenticated-arn"] != "arn:aws:sts::000000000000:assumed-role/deploy/GitHubActions" {
		t.Fatalf("outputs = %v", outputs)
	}
	if strings.Contains(errOut, vars["AWS_SECRET_ACCESS_KEY"]) || !strings.Contains(errOut, "Assumed arn:aws:sts::000000000000:assumed-role/deploy/GitHubActions") {
		t.Fatalf("stderr: %s", errOut)
	}
	// A second step appends: the files keep both sets, the last one wins.
	if code, _, errOut := run(t, env, "", "assume", "--role-arn", role, "--endpoint", s.url, "--output", "github"); code != 0 {
		t.Fatalf("second run: %s", errOut)
	}
	data, _ := os.ReadFile(env["GITHUB_ENV"])
	if n := strings.Count(string(data), "AWS_SESSION_TOKEN<<ghadelimiter_"); n != 2 {
		t.Fatalf("%d session tokens after two runs", n)
	}
}

func TestAssumeWritesEveryOutputFromEveryTokenSource(t *testing.T) {
	s := startTestServer(t)
	role := s.createSeedRole(t)
	path, token := s.tokenFile(t, demoRepo, demoRef)
	sources := map[string]struct {
		args  []string
		env   map[string]string
		stdin string
	}{
		"--token-file":                {[]string{"--token-file", path}, map[string]string{}, ""},
		"--token - (stdin)":           {[]string{"--token", "-"}, map[string]string{}, token + "\n"},
		"AWS_WEB_IDENTITY_TOKEN_FILE": {nil, map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": path}, ""},
	}
	for name, src := range sources {
		for _, output := range []string{"env", "json", "credential-process"} {
			t.Run(name+"/"+output, func(t *testing.T) {
				src.env["AWS_ENDPOINT_URL_STS"] = s.url
				args := append([]string{"assume", "--role-arn", role, "--output", output}, src.args...)
				code, out, errOut := run(t, src.env, src.stdin, args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				key, secret, session := readCredentialOutput(t, output, out)
				s.mustWork(t, key, secret, session)
				if strings.Contains(out+errOut, token) {
					t.Fatal("the web identity token was printed")
				}
			})
		}
	}
}

// readCredentialOutput extracts the credentials from one --output format.
func readCredentialOutput(t *testing.T, output, out string) (key, secret, session string) {
	t.Helper()
	if output == "env" {
		vars := map[string]string{}
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			name, value, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
			vars[name] = strings.ReplaceAll(strings.Trim(value, "'"), `'\''`, "'")
		}
		return vars["AWS_ACCESS_KEY_ID"], vars["AWS_SECRET_ACCESS_KEY"], vars["AWS_SESSION_TOKEN"]
	}
	var c struct {
		Version                                            int
		AccessKeyID                                        string `json:"AccessKeyId"`
		SecretAccessKey, SessionToken, Expiration, Account string
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("%s output is not JSON: %v\n%s", output, err, out)
	}
	exp, err := time.Parse(time.RFC3339, c.Expiration)
	if err != nil || time.Until(exp) < 50*time.Minute {
		t.Fatalf("Expiration %q", c.Expiration)
	}
	if output == "credential-process" && c.Version != 1 || output == "json" && c.Account != "000000000000" {
		t.Fatalf("%s output: %s", output, out)
	}
	return c.AccessKeyID, c.SecretAccessKey, c.SessionToken
}

func TestAssumeWritesANamedProfileAndKeepsTheOthers(t *testing.T) {
	s := startTestServer(t)
	role := s.createSeedRole(t)
	path, _ := s.tokenFile(t, demoRepo, demoRef)
	home := t.TempDir()
	creds := filepath.Join(home, ".aws", "credentials")
	os.MkdirAll(filepath.Dir(creds), 0o700)
	os.WriteFile(creds, []byte("[default]\naws_access_key_id = AKIAKEEP\n\n[deploy]\naws_access_key_id = OLD\nstale = yes\n\n[other]\nx = 1\n"), 0o600)
	env := map[string]string{"HOME": home, "AWS_ENDPOINT_URL": s.url}
	code, out, errOut := run(t, env, "", "assume", "--role-arn", role, "--token-file", path, "--output", "profile", "--profile", "deploy")
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errOut)
	}
	data, _ := os.ReadFile(creds)
	doc := string(data)
	if !strings.Contains(doc, "[default]\naws_access_key_id = AKIAKEEP\n") || !strings.Contains(doc, "[other]\nx = 1\n") ||
		strings.Contains(doc, "OLD") || strings.Contains(doc, "stale") {
		t.Fatalf("credentials file:\n%s", doc)
	}
	section := doc[strings.Index(doc, "[deploy]"):]
	get := func(k string) string {
		_, rest, _ := strings.Cut(section, k+" = ")
		v, _, _ := strings.Cut(rest, "\n")
		return v
	}
	s.mustWork(t, get("aws_access_key_id"), get("aws_secret_access_key"), get("aws_session_token"))
	if info, _ := os.Stat(creds); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", info.Mode())
	}
}

func TestAssumeExplainsARefusalWithTheTokensClaimsAndNeverPrintsTheToken(t *testing.T) {
	s := startTestServer(t)
	role := s.createSeedRole(t)
	path, token := s.tokenFile(t, demoEvilRepo, "refs/heads/main")
	code, out, errOut := run(t, map[string]string{"AWS_ENDPOINT_URL_STS": s.url}, "", "assume", "--role-arn", role, "--token-file", path)
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, want := range []string{
		"sts:AssumeRoleWithWebIdentity: AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity",
		"sub                  repo:evil/app:ref:refs/heads/main",
		"repository           evil/app",
		"aud                  sts.amazonaws.com",
		`inkan's reason: ` + strings.TrimPrefix(s.url, "http://") + `/idp:sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"]`,
		"inkan assume: could not assume role with OIDC: AccessDenied (request id ",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q", want)
		}
	}
	if strings.Contains(errOut, token) || strings.Contains(errOut, strings.Split(token, ".")[2]) {
		t.Fatal("the token or its signature was printed")
	}
	if t.Failed() {
		t.Log(errOut)
	}
}

func TestAssumeFlagsFallBackToTheEnvironment(t *testing.T) {
	cases := []struct {
		name                    string
		env                     map[string]string
		endpoint, region, creds string
	}{
		{"nothing set: AWS's global endpoint", map[string]string{}, "https://sts.amazonaws.com", "us-east-1", ""},
		{"a region: its regional endpoint", map[string]string{"AWS_DEFAULT_REGION": "eu-west-3", "HOME": "/h"},
			"https://sts.eu-west-3.amazonaws.com", "eu-west-3", "/h/.aws/credentials"},
		{"AWS_REGION wins over AWS_DEFAULT_REGION", map[string]string{"AWS_REGION": "ap-south-1", "AWS_DEFAULT_REGION": "eu-west-3"},
			"https://sts.ap-south-1.amazonaws.com", "ap-south-1", ""},
		{"AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:8750"}, "http://127.0.0.1:8750", "us-east-1", ""},
		{"AWS_ENDPOINT_URL_STS wins", map[string]string{"AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_STS": "http://b",
			"AWS_SHARED_CREDENTIALS_FILE": "/c"}, "http://b", "us-east-1", "/c"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.env["AWS_ROLE_ARN"] = "arn:aws:iam::000000000000:role/deploy"
			c, err := assumeFlags{output: "env", retries: 1}.resolve(func(k string) string { return tc.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if c.endpoint != tc.endpoint || c.region != tc.region || c.credentialsFile != tc.creds ||
				c.roleARN != tc.env["AWS_ROLE_ARN"] || c.sessionName != "GitHubActions" {
				t.Fatalf("resolved %+v", c)
			}
		})
	}
}

func TestAssumeRefusesBadInvocationsWithUsageErrors(t *testing.T) {
	cases := map[string][]string{
		"no role":                       {"assume", "--token", "-"},
		"a token on the command line":   {"assume", "--role-arn", "r", "--token", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
		"a session name with a space":   {"assume", "--role-arn", "r", "--role-session-name", "my session"},
		"a one-character session name":  {"assume", "--role-arn", "r", "--role-session-name", "x"},
		"an unknown output":             {"assume", "--role-arn", "r", "--output", "yaml"},
		"a profile output without name": {"assume", "--role-arn", "r", "--output", "profile", "--credentials-file", "/tmp/x"},
		"both token flags":              {"assume", "--role-arn", "r", "--token", "-", "--token-file", "f"},
		"no token source at all":        {"assume", "--role-arn", "r"},
		"zero attempts":                 {"assume", "--role-arn", "r", "--retry-max-attempts", "0"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := run(t, nil, "", args...)
			if code != 2 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if strings.Contains(errOut, "eyJhbGci") {
				t.Fatal("the refused token was echoed")
			}
		})
	}
}

func TestAnEmptyOrOversizedTokenIsRefusedBeforeCallingSTS(t *testing.T) {
	for name, stdin := range map[string]string{"empty": "\n", "oversized": strings.Repeat("a", maxTokenBytes+1)} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := run(t, nil, stdin, "assume", "--role-arn", "r", "--token", "-", "--endpoint", "http://127.0.0.1:1")
			if code != 1 || !strings.Contains(errOut, "web identity token") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
		})
	}
}

func TestRefusalsSayWhatToChange(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	claims := map[string]any{"iss": "http://127.0.0.1:8750/idp/gitlab", "aud": "api://x", "exp": float64(1_800_000_000 - 3700)}
	cases := []struct {
		code, message, want string
	}{
		{"InvalidIdentityToken", "No OpenIDConnect provider found in your account for http://127.0.0.1:8750/idp/gitlab",
			"aws iam create-open-id-connect-provider --url http://127.0.0.1:8750/idp/gitlab --client-id-list api://x --thumbprint-list 0000000000000000000000000000000000000000 --endpoint-url http://127.0.0.1:8750"},
		{"InvalidIdentityToken", "Incorrect token audience", "The token's aud (api://x) is none of the provider's client ids"},
		{"ExpiredTokenException", "Token expired: current date/time 1800000000 must be before the expiration date/time 1799996300",
			"The token expired at 2027-01-15T06:58:20Z, 1h1m40s ago"},
		{"AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", "127.0.0.1:8750/idp/gitlab:sub"},
		{"InvalidIdentityToken", "The ID Token provided is not a valid JWT.", "not an access token"},
	}
	for _, tc := range cases {
		t.Run(tc.code+"/"+tc.message, func(t *testing.T) {
			got := refusalHint(&awsclient.Error{Code: tc.code, Message: tc.message}, claims, "http://127.0.0.1:8750", now)
			if !strings.Contains(got, tc.want) {
				t.Fatalf("hint %q lacks %q", got, tc.want)
			}
		})
	}
}

func TestInkansReasonIsReadFromADevDenialAndItsRequestIDHint(t *testing.T) {
	msg := `Not authorized to perform sts:AssumeRoleWithWebIdentity. inkan: h/idp:sub "a" matches none of ["b"] (StringLike, Statement[0]) (request id R1)`
	if got := inkanReason(msg); got != `h/idp:sub "a" matches none of ["b"] (StringLike, Statement[0])` {
		t.Fatalf("reason = %q", got)
	}
	if got := inkanReason("Not authorized (request id R1; an operator can run 'inkan explain R1' for the reason)"); got != "" {
		t.Fatalf("reason = %q", got)
	}
	var b strings.Builder
	explainRefusal(&b, &awsclient.Error{Op: "sts:AssumeRoleWithWebIdentity", Code: "AccessDenied", RequestID: "R1",
		Message: "Not authorized (request id R1; an operator can run 'inkan explain R1' for the reason)"}, "not-a-jwt", "https://sts.amazonaws.com", time.Now())
	if !strings.Contains(b.String(), "an operator can run `inkan explain R1`") || !strings.Contains(b.String(), "could not be read") {
		t.Fatalf("explanation:\n%s", b.String())
	}
}

func TestTheRunnerTokenIsFetchedAsTheToolkitDoesAndRetriedOnGatewayErrorsOnly(t *testing.T) {
	var calls atomic.Int32
	statuses := []int{http.StatusServiceUnavailable, http.StatusBadGateway, http.StatusOK}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(calls.Add(1)) - 1
		if r.URL.Query().Get("api-version") != "2.0" || r.URL.Query().Get("audience") != "sts.amazonaws.com" ||
			r.Header.Get("Authorization") != "Bearer request-token" {
			t.Errorf("request %s with %q", r.URL, r.Header.Get("Authorization"))
		}
		if r.URL.Query().Get("job") == "unauthorized" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"unauthorized","message":"the request token has expired"}`)
			return
		}
		w.WriteHeader(statuses[min(n, len(statuses)-1)])
		io.WriteString(w, `{"count":3,"value":"jwt"}`)
	}))
	defer srv.Close()
	token, err := fetchRunnerToken(context.Background(), srv.Client(), srv.URL+"/idtoken?api-version=2.0", "request-token", "sts.amazonaws.com")
	if err != nil || token != "jwt" || calls.Load() != 3 {
		t.Fatalf("token %q after %d calls: %v", token, calls.Load(), err)
	}
	calls.Store(0)
	_, err = fetchRunnerToken(context.Background(), srv.Client(), srv.URL+"/idtoken?api-version=2.0&job=unauthorized", "request-token", "sts.amazonaws.com")
	if err == nil || !strings.Contains(err.Error(), "HTTP 401: the request token has expired") || calls.Load() != 1 {
		t.Fatalf("err = %v after %d calls", err, calls.Load())
	}
}

func TestAProfileSectionIsReplacedOrAppended(t *testing.T) {
	body := []string{"a = 1"}
	cases := []struct{ doc, want string }{
		{"", "[p]\na = 1\n"},
		{"[x]\nk = v\n", "[x]\nk = v\n\n[p]\na = 1\n"},
		{"[p]\nold = 1\n[x]\nk = v\n", "[p]\na = 1\n[x]\nk = v\n"},
		{"# comment\n[ p ]\nold = 1\n\n[x]\nk = v", "# comment\n[p]\na = 1\n\n[x]\nk = v\n"},
	}
	for _, tc := range cases {
		if got := replaceINISection(tc.doc, "p", body); got != tc.want {
			t.Errorf("replace in %q = %q, want %q", tc.doc, got, tc.want)
		}
	}
}
