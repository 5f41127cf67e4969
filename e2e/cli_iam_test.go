package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// awsJSON runs the AWS CLI against srv and decodes its JSON output.
func awsJSON(t *testing.T, srv *testServer, env map[string]string, out any, args ...string) {
	t.Helper()
	stdout, stderr, err := runAWS(t, env, append(args, "--endpoint-url", srv.URL, "--output", "json")...)
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal([]byte(stdout), out); err != nil {
		t.Fatalf("aws %s printed %q: %v", strings.Join(args, " "), stdout, err)
	}
}

func writeTemp(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestTheAWSCLIConfiguresFederationAndExchangesATokenEndToEnd is issue 4's CLI acceptance:
// register an issuer, create the seed's role and its policy, exchange a token and use the
// session, every output checked field by field.
func TestTheAWSCLIConfiguresFederationAndExchangesATokenEndToEnd(t *testing.T) {
	awsCLI(t)
	srv := startServer(t)
	root := rootEnv()
	issuer := "https://token.actions.githubusercontent.com"

	var created struct{ OpenIDConnectProviderArn string }
	awsJSON(t, srv, root, &created, "iam", "create-open-id-connect-provider", "--url", issuer,
		"--client-id-list", "sts.amazonaws.com", "--tags", "Key=team,Value=platform",
		// Debian's CLI 2.9 still requires a thumbprint (optional since 2024): GitHub's published one.
		"--thumbprint-list", "6938fd4d98bab03faadb97b34396831e3780aea1")
	wantProvider := "arn:aws:iam::" + testAccount + ":oidc-provider/token.actions.githubusercontent.com"
	if created.OpenIDConnectProviderArn != wantProvider {
		t.Fatalf("OpenIDConnectProviderArn = %q", created.OpenIDConnectProviderArn)
	}
	var got struct {
		Url            string
		ClientIDList   []string
		ThumbprintList []string
		CreateDate     string
		Tags           []struct{ Key, Value string }
	}
	awsJSON(t, srv, root, &got, "iam", "get-open-id-connect-provider", "--open-id-connect-provider-arn", wantProvider)
	if got.Url != "token.actions.githubusercontent.com" || len(got.ClientIDList) != 1 || got.ClientIDList[0] != "sts.amazonaws.com" ||
		len(got.Tags) != 1 || got.Tags[0].Key != "team" || got.CreateDate == "" {
		t.Fatalf("get-open-id-connect-provider = %+v", got)
	}

	trust := seedTrustPolicy(srv, "repo:acme/app:*")
	var role struct {
		Role struct {
			RoleName, RoleId, Arn, Path string
			MaxSessionDuration          int
			AssumeRolePolicyDocument    any
		}
	}
	awsJSON(t, srv, root, &role, "iam", "create-role", "--role-name", "deploy",
		"--assume-role-policy-document", "file://"+writeTemp(t, "trust.json", trust), "--max-session-duration", "7200")
	if role.Role.RoleName != "deploy" || !strings.HasPrefix(role.Role.RoleId, "AROA") || role.Role.Path != "/" ||
		role.Role.Arn != "arn:aws:iam::"+testAccount+":role/deploy" || role.Role.MaxSessionDuration != 7200 {
		t.Fatalf("create-role = %+v", role.Role)
	}
	permissions := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::artifacts","arn:aws:s3:::artifacts/*"]}]}`
	awsJSON(t, srv, root, nil, "iam", "put-role-policy", "--role-name", "deploy", "--policy-name", "s3",
		"--policy-document", "file://"+writeTemp(t, "perm.json", permissions))
	var fetched struct {
		Role struct {
			RoleName                 string
			AssumeRolePolicyDocument map[string]any
		}
	}
	awsJSON(t, srv, root, &fetched, "iam", "get-role", "--role-name", "deploy")
	// The CLI URL-decodes and parses the document: it must be the trust policy we sent.
	var wantTrust map[string]any
	json.Unmarshal([]byte(trust), &wantTrust)
	if a, b := mustJSON(fetched.Role.AssumeRolePolicyDocument), mustJSON(wantTrust); a != b {
		t.Fatalf("get-role trust policy:\n got %s\nwant %s", a, b)
	}
	var inline struct {
		RoleName, PolicyName string
		PolicyDocument       map[string]any
	}
	awsJSON(t, srv, root, &inline, "iam", "get-role-policy", "--role-name", "deploy", "--policy-name", "s3")
	var wantPerm map[string]any
	json.Unmarshal([]byte(permissions), &wantPerm)
	if inline.RoleName != "deploy" || inline.PolicyName != "s3" || mustJSON(inline.PolicyDocument) != mustJSON(wantPerm) {
		t.Fatalf("get-role-policy = %+v", inline)
	}

	// The exchange, with a token of the test identity provider (registered by --dev).
	token := mintToken(t, srv, map[string]any{"repository": "acme/app", "ref": "refs/heads/deploy"})
	var assumed struct {
		Credentials                 struct{ AccessKeyId, SecretAccessKey, SessionToken, Expiration string }
		SubjectFromWebIdentityToken string
		AssumedRoleUser             struct{ AssumedRoleId, Arn string }
		Provider, Audience          string
	}
	awsJSON(t, srv, map[string]string{"AWS_DEFAULT_REGION": "ap-northeast-1"}, &assumed, "sts", "assume-role-with-web-identity",
		"--role-arn", role.Role.Arn, "--role-session-name", "GitHubActions", "--web-identity-token", token, "--duration-seconds", "7200")
	host := strings.TrimPrefix(srv.URL, "http://") + "/idp"
	exp, err := time.Parse(time.RFC3339, assumed.Credentials.Expiration)
	if err != nil || time.Until(exp) < 119*time.Minute {
		t.Errorf("Expiration %q: %v", assumed.Credentials.Expiration, err)
	}
	for field, c := range map[string][2]string{
		"Arn":      {assumed.AssumedRoleUser.Arn, "arn:aws:sts::" + testAccount + ":assumed-role/deploy/GitHubActions"},
		"RoleId":   {assumed.AssumedRoleUser.AssumedRoleId, role.Role.RoleId + ":GitHubActions"},
		"Provider": {assumed.Provider, "arn:aws:iam::" + testAccount + ":oidc-provider/" + host},
		"Audience": {assumed.Audience, "sts.amazonaws.com"},
		"Subject":  {assumed.SubjectFromWebIdentityToken, "repo:acme/app:ref:refs/heads/deploy"},
	} {
		if c[0] != c[1] {
			t.Errorf("assume-role-with-web-identity %s = %q, want %q", field, c[0], c[1])
		}
	}
	var who struct{ UserId, Account, Arn string }
	awsJSON(t, srv, map[string]string{"AWS_ACCESS_KEY_ID": assumed.Credentials.AccessKeyId, "AWS_SECRET_ACCESS_KEY": assumed.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN": assumed.Credentials.SessionToken, "AWS_DEFAULT_REGION": "ap-northeast-1"}, &who, "sts", "get-caller-identity")
	if who.Account != testAccount || who.Arn != assumed.AssumedRoleUser.Arn || who.UserId != assumed.AssumedRoleUser.AssumedRoleId {
		t.Fatalf("get-caller-identity = %+v", who)
	}
}

func TestTheAWSCLISeesAWSErrorCodes(t *testing.T) {
	awsCLI(t)
	srv := startServer(t)
	_, stderr, err := runAWS(t, rootEnv(), "iam", "get-role", "--role-name", "nope", "--endpoint-url", srv.URL)
	if err == nil || !strings.Contains(stderr, "NoSuchEntity") || !strings.Contains(stderr, "The role with name nope cannot be found.") {
		t.Fatalf("get-role of a missing role: %v\n%s", err, stderr)
	}
	unscoped := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::` + testAccount +
		`:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`
	_, stderr, err = runAWS(t, rootEnv(), "iam", "create-role", "--role-name", "open", "--endpoint-url", srv.URL,
		"--assume-role-policy-document", unscoped)
	if err == nil || !strings.Contains(stderr, "MalformedPolicyDocument") {
		t.Fatalf("an unscoped GitHub trust policy was not refused: %v\n%s", err, stderr)
	}
	_, stderr, err = runAWS(t, map[string]string{"AWS_ACCESS_KEY_ID": "AKIANOTAKEY000000000", "AWS_SECRET_ACCESS_KEY": "x", "AWS_DEFAULT_REGION": "us-east-1"},
		"sts", "get-caller-identity", "--endpoint-url", srv.URL)
	if err == nil || !strings.Contains(stderr, "InvalidClientTokenId") {
		t.Fatalf("an unknown access key: %v\n%s", err, stderr)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
