package cli

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/devidp"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

const ghProviderARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

// seedTrust is the seed's trust policy for GitHub's issuer.
const seedTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"Federated":"` + ghProviderARN + `"},
  "Action":"sts:AssumeRoleWithWebIdentity",
  "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
               "StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}]}`

// writeFile writes a file in a fresh temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSimulateGivesTheSeedsVerdictsForTestIdentityProviderJobs(t *testing.T) {
	trust := writeFile(t, "trust.json", seedTrust)
	code, out, errOut := run(t, nil, "", "policy", "simulate", "--trust-policy", trust, "--repo", "evil/app")
	want := `verdict    denied: token.actions.githubusercontent.com:sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"] (StringLike, Statement[0])`
	if code != 1 || !strings.Contains(out, want) || !strings.Contains(errOut, "denied") {
		t.Fatalf("evil/app: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out, "request    sts:AssumeRoleWithWebIdentity on arn:aws:iam::123456789012:role/simulated") {
		t.Fatalf("the account was not taken from the trust policy's provider:\n%s", out)
	}
	code, out, _ = run(t, nil, "", "policy", "simulate", "--trust-policy", trust, "--repo", "acme/app", "--ref", "deploy", "--output", "json")
	var res explain.Result
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 || !res.Allowed ||
		res.Claims["sub"] != "repo:acme/app:ref:refs/heads/deploy" {
		t.Fatalf("acme/app: exit %d, %v\n%s", code, err, out)
	}
}

// unsignedToken is a JWT-shaped token with the claims and a fake signature.
func unsignedToken(t *testing.T, claims map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	seg := base64.RawURLEncoding.EncodeToString
	return seg([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + seg(payload) + "." + seg([]byte("not a signature"))
}

func TestSimulateReadsClaimsFilesAndDecodesTokensOnRequest(t *testing.T) {
	trust := writeFile(t, "trust.json", seedTrust)
	claims, err := explain.JobClaims(devidp.JobContext{Job: devidp.Job{Repository: "acme/app", Environment: "prod"}},
		"https://token.actions.githubusercontent.com", "sts.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(claims)
	code, out, _ := run(t, nil, "", "policy", "simulate", "--trust-policy", trust, "--claims", writeFile(t, "claims.json", string(raw)))
	if code != 0 || !strings.Contains(out, "allowed: allowed by Statement[0] (trust policy)") {
		t.Fatalf("claims file: exit %d\n%s", code, out)
	}
	claims["aud"] = "https://github.com/acme"
	token := unsignedToken(t, claims)
	code, out, errOut := run(t, nil, token, "policy", "simulate", "--trust-policy", trust, "--token", "-", "--decode-only")
	if code != 1 || !strings.Contains(out, `denied: the token's aud ["https://github.com/acme"] holds none of the provider's client IDs ["sts.amazonaws.com"]`) {
		t.Fatalf("decoded token: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(out+errOut, token) {
		t.Fatal("the token was printed")
	}
}

func TestSimulateVerifiesATokenWithTheIssuersKeys(t *testing.T) {
	iss := oidctest.New(t, oidctest.Config{})
	host := strings.TrimPrefix(iss.URL(), "http://")
	trust := writeFile(t, "trust.json", strings.ReplaceAll(strings.ReplaceAll(seedTrust,
		"token.actions.githubusercontent.com", host), "123456789012", "000000000000"))
	claims := oidctest.GitHubClaims(iss.URL(), "sts.amazonaws.com", "acme/app", time.Now())
	good := iss.Sign(claims)
	code, out, errOut := run(t, nil, "", "policy", "simulate", "--trust-policy", trust, "--token", good)
	if code != 0 || !strings.Contains(out, "allowed: allowed by Statement[0] (trust policy)") {
		t.Fatalf("a valid token: exit %d\n%s\n%s", code, out, errOut)
	}
	claims["repository"] = "evil/app"
	forged := good[:strings.IndexByte(good, '.')] + "." + strings.Split(unsignedToken(t, claims), ".")[1] + good[strings.LastIndexByte(good, '.'):]
	code, out, errOut = run(t, nil, "", "policy", "simulate", "--trust-policy", trust, "--token", forged)
	if code != 1 || out != "" || !strings.Contains(errOut, "does not verify") || !strings.Contains(errOut, "--decode-only") {
		t.Fatalf("a forged token: exit %d\n%s\n%s", code, out, errOut)
	}
	if strings.Contains(errOut, forged) {
		t.Fatal("the token was printed")
	}
}

func TestSimulatePermissionsWithPolicyFilesSessionPolicyBoundaryAndContext(t *testing.T) {
	identity := writeFile(t, "deploy.json", `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::builds","arn:aws:s3:::builds/${aws:PrincipalTag/repository}/*"]},
	  {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::builds","Condition":{"StringLike":{"s3:prefix":"acme/*"}}}]}`)
	getOnly := writeFile(t, "get-only.json", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	base := []string{"policy", "simulate", "--role-arn", "arn:aws:iam::123456789012:role/deploy", "--policy", identity, "--tag", "repository=acme/app"}
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"a put under the principal tag's prefix", []string{"--action", "s3:PutObject", "--resource", "arn:aws:s3:::builds/acme/app/x"},
			0, `allowed: allowed by Statement[0] (identity policy "deploy.json")`},
		{"another repository's prefix", []string{"--action", "s3:PutObject", "--resource", "arn:aws:s3:::builds/acme/web/x"},
			1, "denied: no statement allows s3:PutObject on arn:aws:s3:::builds/acme/web/x (identity policies)"},
		{"a session policy narrowing the role", []string{"--action", "s3:PutObject", "--resource", "arn:aws:s3:::builds/acme/app/x", "--session-policy", getOnly},
			1, "denied: the session policy does not allow s3:PutObject on arn:aws:s3:::builds/acme/app/x"},
		{"a permissions boundary", []string{"--action", "s3:PutObject", "--resource", "arn:aws:s3:::builds/acme/app/x", "--boundary", getOnly},
			1, "denied: the permissions boundary does not allow s3:PutObject on arn:aws:s3:::builds/acme/app/x"},
		{"a listing with a prefix condition", []string{"--action", "s3:ListBucket", "--resource", "arn:aws:s3:::builds", "--context", "s3:prefix=web/"},
			0, `allowed: allowed by Statement[0] (identity policy "deploy.json")`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := run(t, nil, "", append(append([]string{}, base...), c.args...)...)
			if code != c.code || !strings.Contains(out, "verdict    "+c.want) {
				t.Fatalf("exit %d (want %d)\n%s\n%s", code, c.code, out, errOut)
			}
		})
	}
}

func TestSimulateRefusesIncompleteInvocations(t *testing.T) {
	trust := writeFile(t, "trust.json", seedTrust)
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"policy", "simulate", "--repo", "acme/app"}, "--role NAME"},
		{[]string{"policy", "simulate", "--trust-policy", trust}, "give a token"},
		{[]string{"policy", "simulate", "--trust-policy", trust, "--role", "x"}, "exclude each other"},
		{[]string{"policy", "simulate", "--trust-policy", trust, "--repo", "a/b", "--output", "yaml"}, "--output"},
		{[]string{"policy", "simulate", "--role-arn", "arn:aws:iam::1:role/r", "--action", "s3:GetObject"}, "--resource"},
		{[]string{"policy", "simulate", "--role-arn", "arn:aws:iam::1:role/r", "--action", "s3:GetObject", "--resource", "*", "--context", "x"}, "NAME=VALUE"},
		{[]string{"policy"}, "missing command"},
		{[]string{"policy", "frobnicate"}, "unknown command"},
	}
	for _, c := range cases {
		code, _, errOut := run(t, nil, "", c.args...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, stderr %q lacks %q", c.args, code, errOut, c.want)
		}
	}
}

// lintDir holds a clean, an unsafe and a broken trust policy.
func lintDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"a-clean.json": seedTrust,
		"b-warning.json": strings.Replace(seedTrust, `"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}`,
			`"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}`, 1),
		"c-unscoped.json":   strings.Replace(seedTrust, `"repo:acme/app:*"`, `"repo:*"`, 1),
		"sub/d-broken.json": `{"Version":`,
		"sub/notes.txt":     "not linted",
	}
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLintExitsBySeverity(t *testing.T) {
	dir := lintDir(t)
	f := func(name string) string { return filepath.Join(dir, name) }
	cases := []struct {
		name string
		args []string
		code int
	}{
		{"a clean file (info only)", []string{f("a-clean.json")}, 0},
		{"info failing on info", []string{"--fail-on", "info", f("a-clean.json")}, 1},
		{"a warning", []string{f("b-warning.json")}, 0},
		{"a warning failing on warnings", []string{f("b-warning.json"), "--fail-on", "warning"}, 1},
		{"an error", []string{f("c-unscoped.json")}, 2},
		{"a broken file", []string{f("sub/d-broken.json")}, 2},
		{"a directory", []string{dir}, 2},
		{"a missing file", []string{f("none.json")}, 3},
		{"no file", nil, 3},
		{"a bad severity", []string{"--fail-on", "fatal", f("a-clean.json")}, 3},
		{"a bad kind", []string{"--kind", "bucket", f("a-clean.json")}, 3},
	}
	for _, c := range cases {
		code, out, errOut := run(t, nil, "", append([]string{"policy", "lint"}, c.args...)...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d\n%s\n%s", c.name, code, c.code, out, errOut)
		}
	}
	code, out, _ := run(t, nil, "", "policy", "lint", dir)
	if code != 2 || !strings.Contains(out, "4 files checked: 2 errors, 1 warning, 2 info") || strings.Contains(out, "notes.txt") {
		t.Fatalf("directory: %d\n%s", code, out)
	}
}

func TestLintWritesSARIFForCodeScanning(t *testing.T) {
	dir := lintDir(t)
	code, out, _ := run(t, nil, "", "policy", "lint", "--output", "sarif", filepath.Join(dir, "c-unscoped.json"))
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &log); err != nil || code != 2 || log.Version != "2.1.0" {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	r := log.Runs[0].Results[0]
	if r.RuleID != "inkan/trust-policy-error" || r.Level != "error" || r.Locations[0].PhysicalLocation.Region.StartLine != 5 {
		t.Fatalf("result %+v", r)
	}
}

func TestWhoCanAssumeSaysWhoInPlainWordsFromAFile(t *testing.T) {
	dir := lintDir(t)
	code, out, _ := run(t, nil, "", "policy", "who-can-assume", "--trust-policy", filepath.Join(dir, "a-clean.json"))
	if code != 0 || !strings.Contains(out, "who        any workflow of repository acme/app, on any ref") {
		t.Fatalf("exit %d\n%s", code, out)
	}
	code, out, _ = run(t, nil, "", "policy", "who-can-assume", "--output", "json", "--trust-policy", filepath.Join(dir, "c-unscoped.json"))
	var a struct {
		Grants   []explain.Grant `json:"grants"`
		Findings []struct {
			Severity string `json:"severity"`
		} `json:"findings"`
	}
	// An error finding fails the command (exit 2, as lint), after printing the analysis.
	if err := json.Unmarshal([]byte(out), &a); err != nil || code != explain.StatusErrors || !a.Grants[0].Unscoped ||
		a.Grants[0].Who[0] != "any repository of any owner — unscoped!" || a.Findings[0].Severity != "error" {
		t.Fatalf("exit %d, %v\n%s", code, err, out)
	}
	if code, _, errOut := run(t, nil, "", "policy", "who-can-assume"); code != 2 || !strings.Contains(errOut, "name one role") {
		t.Fatalf("no role: %d %s", code, errOut)
	}
}

// TestPolicyCommandsAgainstARunningServer reads the role, its provider and its policies
// through the IAM API of a running inkan.
func TestPolicyCommandsAgainstARunningServer(t *testing.T) {
	s := startTestServer(t)
	s.createSeedRole(t)
	env := map[string]string{}
	base := []string{"--endpoint", s.url, "--data-dir", s.dataDir}
	code, out, errOut := run(t, env, "", append([]string{"policy", "simulate", "--role", demoRole, "--repo", "evil/app"}, base...)...)
	if code != 1 || !strings.Contains(out, `matches none of ["repo:acme/app:*"] (StringLike, Statement[0])`) {
		t.Fatalf("evil/app: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, env, "", append([]string{"policy", "simulate", "--role", demoRole, "--repo", "acme/app", "--ref", "deploy"}, base...)...)
	if code != 0 || !strings.Contains(out, "allowed: allowed by Statement[0] (trust policy)") {
		t.Fatalf("acme/app: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, env, "", append([]string{"policy", "simulate", "--role", demoRole, "--action", "s3:DeleteBucket",
		"--resource", "arn:aws:s3:::" + demoBucket}, base...)...)
	if code != 1 || !strings.Contains(out, "denied: no statement allows s3:DeleteBucket on arn:aws:s3:::"+demoBucket+" (identity policies)") {
		t.Fatalf("permissions: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, env, "", append([]string{"policy", "simulate", "--role", demoRole, "--action", "s3:PutObject",
		"--resource", "arn:aws:s3:::" + demoBucket + "/src/index.html"}, base...)...)
	if code != 0 || !strings.Contains(out, `allowed: allowed by Statement[1] (identity policy "deploy-site")`) {
		t.Fatalf("permissions: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, env, "", append([]string{"policy", "who-can-assume", demoRole}, base...)...)
	if code != 0 || !strings.Contains(out, "any workflow of repository acme/app, on any ref") {
		t.Fatalf("who-can-assume: exit %d\n%s\n%s", code, out, errOut)
	}
}
