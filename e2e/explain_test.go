package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
)

// requestIDHint is how a refusal names its request id: "(request id <id>" in the message.
var requestIDHint = regexp.MustCompile(`request id ([A-Za-z0-9-]+)`)

// TestARefusalSeenByTheAWSCLIIsExplainedByItsRequestID is issue 7's end-to-end acceptance:
// Debian's AWS CLI v2 is refused AssumeRoleWithWebIdentity with AWS's words and a request
// id only (the server keeps the reason for operators), and `inkan explain <request id>`
// prints the failing condition with its expected and presented values — through the admin
// API, and from the data directory once the server has stopped.
func TestARefusalSeenByTheAWSCLIIsExplainedByItsRequestID(t *testing.T) {
	awsCLI(t)
	srv := startServer(t, "--explain", "operator")
	host := strings.TrimPrefix(srv.URL, "http://") + "/idp"
	role := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:"+seedRepo+":ref:"+seedRef), 0, nil)
	token := strings.TrimSpace(mustInkan(t, nil, "idp", "token", "--endpoint", srv.URL, "--repo", seedRepo, "--ref", "refs/heads/main"))
	_, stderr, err := runAWS(t, map[string]string{"AWS_DEFAULT_REGION": "ap-northeast-1"}, "sts", "assume-role-with-web-identity",
		"--role-arn", role, "--role-session-name", "GitHubActions", "--web-identity-token", token, "--endpoint-url", srv.URL)
	if err == nil {
		t.Fatal("the AWS CLI was not refused")
	}
	if !strings.Contains(stderr, "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity") {
		t.Fatalf("the AWS CLI said:\n%s", stderr)
	}
	if strings.Contains(stderr, "matches none of") {
		t.Fatalf("the reason reached the caller of a server run with --explain operator:\n%s", stderr)
	}
	m := requestIDHint.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no request id in the refusal:\n%s", stderr)
	}
	id := m[1]
	wants := []string{
		"verdict    denied: " + host + `:sub "repo:acme/app:ref:refs/heads/main" matches none of ["repo:acme/app:ref:refs/heads/deploy"] (StringLike, Statement[0])`,
		"failing condition in Statement[0] of the trust policy\n  StringLike " + host + ":sub\n" +
			`  expected   one of ["repo:acme/app:ref:refs/heads/deploy"]` + "\n" + `  presented  "repo:acme/app:ref:refs/heads/main"`,
		"request    " + id + " at ",
		"outcome    deny (AccessDenied)",
		`  ref                    "refs/heads/main"`,
	}
	env := map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY": rootSecretKey}
	out := mustInkan(t, env, "explain", "--endpoint", srv.URL, id)
	checkExplanation(t, "through the admin API", out, wants, token)
	t.Logf("inkan explain %s:\n%s", id, out)

	// The simulator, on the same token and the running server's role, reaches the same verdict.
	code, sim, errOut := inkanRun(t, env, "", "policy", "simulate", "--endpoint", srv.URL, "--role", "deploy", "--token", token)
	if code != 1 || !strings.Contains(sim, wants[0]) {
		t.Fatalf("inkan policy simulate exited %d:\n%s\n%s", code, sim, errOut)
	}

	srv.Stop()
	out = mustInkan(t, nil, "explain", "--data-dir", srv.DataDir, id)
	checkExplanation(t, "from the data directory", out, wants, token)
}

func checkExplanation(t *testing.T, how, out string, wants []string, token string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("%s: the explanation lacks\n%s\n--- it says:\n%s", how, want, out)
		}
	}
	if strings.Contains(out, token) || strings.Contains(out, strings.Split(token, ".")[2]) {
		t.Errorf("%s: the token was printed", how)
	}
}

// TestSimulatingTheSeedsTrustPolicyGivesTheExchangesVerdicts runs `inkan policy simulate`
// on the seed's role of a running server with verified tokens for evil/app and acme/app,
// and checks each verdict against a real exchange of the same token.
func TestSimulatingTheSeedsTrustPolicyGivesTheExchangesVerdicts(t *testing.T) {
	srv := startServer(t)
	role := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:"+seedRepo+":*"), 0, seedPermissions())
	env := map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY": rootSecretKey}
	host := strings.TrimPrefix(srv.URL, "http://") + "/idp"
	cases := []struct {
		repo, verdict string
		code          int
	}{
		{"evil/app", "denied: " + host + `:sub "repo:evil/app:ref:refs/heads/deploy" matches none of ["repo:acme/app:*"] (StringLike, Statement[0])`, 1},
		{seedRepo, "allowed: allowed by Statement[0] (trust policy)", 0},
	}
	for _, c := range cases {
		token := strings.TrimSpace(mustInkan(t, nil, "idp", "token", "--endpoint", srv.URL, "--repo", c.repo, "--ref", seedRef))
		code, out, errOut := inkanRun(t, env, "", "policy", "simulate", "--endpoint", srv.URL, "--role", "deploy", "--token", token)
		if code != c.code || !strings.Contains(out, "verdict    "+c.verdict) {
			t.Fatalf("%s: exit %d\n%s\n%s", c.repo, code, out, errOut)
		}
		t.Logf("inkan policy simulate --role deploy --token <token for %s on %s>:\n%s", c.repo, seedRef, out)
		_, err := assumeWeb(context.Background(), srv, role, token, nil)
		if (err == nil) != (c.code == 0) {
			t.Fatalf("%s: the exchange disagrees with the simulation: %v", c.repo, err)
		}
		if err != nil && !strings.Contains(err.Error(), strings.TrimPrefix(c.verdict, "denied: ")) {
			t.Fatalf("%s: the server's reason differs from the simulation's:\n%v", c.repo, err)
		}
	}
}
