package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

// The seed's trust policy, for the test identity provider of srv.
func seedTrustPolicy(srv *testServer, subPattern string) string {
	host := strings.TrimPrefix(srv.URL, "http://") + "/idp"
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Principal":{"Federated":"arn:aws:iam::` + testAccount + `:oidc-provider/` + host + `"},
  "Action":"sts:AssumeRoleWithWebIdentity",
  "Condition":{"StringEquals":{"` + host + `:aud":"sts.amazonaws.com"},
               "StringLike":{"` + host + `:sub":"` + subPattern + `"}}}]}`
}

// rootConfig is an SDK configuration signed by root against srv.
func rootConfig(srv *testServer) aws.Config {
	return sessionConfig(aws.Credentials{AccessKeyID: rootAccessKeyID, SecretAccessKey: rootSecretKey})
}

func sessionConfig(c aws.Credentials) aws.Config {
	return aws.Config{Region: "ap-northeast-1", Credentials: credentials.StaticCredentialsProvider{Value: c}}
}

func iamClient(srv *testServer) *iam.Client {
	return iam.NewFromConfig(rootConfig(srv), func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

func stsClient(srv *testServer, c aws.Credentials) *sts.Client {
	return sts.NewFromConfig(sessionConfig(c), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
}

// createRole creates a role with a trust policy and optional inline policies through the IAM API.
func createRole(t *testing.T, srv *testServer, name, trust string, maxSession int32, inline map[string]string) string {
	t.Helper()
	ctx := context.Background()
	c := iamClient(srv)
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if maxSession > 0 {
		in.MaxSessionDuration = aws.Int32(maxSession)
	}
	out, err := c.CreateRole(ctx, in)
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	for pn, doc := range inline {
		if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(name), PolicyName: aws.String(pn), PolicyDocument: aws.String(doc)}); err != nil {
			t.Fatalf("PutRolePolicy %s/%s: %v", name, pn, err)
		}
	}
	return aws.ToString(out.Role.Arn)
}

// mintToken asks the test identity provider for a GitHub-shaped token.
func mintToken(t *testing.T, srv *testServer, req map[string]any) string {
	t.Helper()
	if _, ok := req["audience"]; !ok {
		req["audience"] = "sts.amazonaws.com"
	}
	body, _ := json.Marshal(req)
	resp, err := http.Post(srv.URL+"/idp/mint", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("mint: %d %s", resp.StatusCode, data)
	}
	var v struct{ Value string }
	if err := json.Unmarshal(data, &v); err != nil || v.Value == "" {
		t.Fatalf("mint answer %s: %v", data, err)
	}
	return v.Value
}

func assumeWeb(ctx context.Context, srv *testServer, roleARN, token string, mod func(*sts.AssumeRoleWithWebIdentityInput)) (*sts.AssumeRoleWithWebIdentityOutput, error) {
	in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("GitHubActions"), WebIdentityToken: aws.String(token)}
	if mod != nil {
		mod(in)
	}
	c := sts.NewFromConfig(aws.Config{Region: "ap-northeast-1"}, func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	return c.AssumeRoleWithWebIdentity(ctx, in)
}

func awsCreds(out *sts.AssumeRoleWithWebIdentityOutput) aws.Credentials {
	return aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId), SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken: aws.ToString(out.Credentials.SessionToken)}
}

// apiCode returns the AWS error code of err, or fails.
func apiCode(t *testing.T, err error) (string, string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want an AWS API error, got %v", err)
	}
	return ae.ErrorCode(), ae.ErrorMessage()
}

func TestTheSeedExchangeSucceedsAndTheSessionAuthenticates(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, nil)
	tok := mintToken(t, srv, map[string]any{"repository": "acme/app", "ref": "refs/heads/deploy"})
	start := time.Now()
	out, err := assumeWeb(ctx, srv, roleARN, tok, func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(3600) })
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v", err)
	}
	host := strings.TrimPrefix(srv.URL, "http://") + "/idp"
	checks := map[string][2]string{
		"AssumedRoleUser.Arn":         {aws.ToString(out.AssumedRoleUser.Arn), "arn:aws:sts::" + testAccount + ":assumed-role/deploy/GitHubActions"},
		"Provider":                    {aws.ToString(out.Provider), "arn:aws:iam::" + testAccount + ":oidc-provider/" + host},
		"Audience":                    {aws.ToString(out.Audience), "sts.amazonaws.com"},
		"SubjectFromWebIdentityToken": {aws.ToString(out.SubjectFromWebIdentityToken), "repo:acme/app:ref:refs/heads/deploy"},
	}
	for field, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %q, want %q", field, c[0], c[1])
		}
	}
	if id := aws.ToString(out.AssumedRoleUser.AssumedRoleId); !strings.HasPrefix(id, "AROA") || !strings.HasSuffix(id, ":GitHubActions") {
		t.Errorf("AssumedRoleId = %q", id)
	}
	if k := aws.ToString(out.Credentials.AccessKeyId); !strings.HasPrefix(k, "ASIA") || len(k) != 20 {
		t.Errorf("AccessKeyId = %q", k)
	}
	// The session is not cut to the 5-minute token: it lasts the hour asked for.
	if exp := aws.ToTime(out.Credentials.Expiration); exp.Sub(start) < 59*time.Minute || exp.Sub(start) > 61*time.Minute {
		t.Errorf("Expiration %v is not one hour after %v", exp, start)
	}
	id, err := stsClient(srv, awsCreds(out)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity with the session: %v", err)
	}
	if aws.ToString(id.Arn) != checks["AssumedRoleUser.Arn"][1] || aws.ToString(id.Account) != testAccount ||
		aws.ToString(id.UserId) != aws.ToString(out.AssumedRoleUser.AssumedRoleId) {
		t.Errorf("GetCallerIdentity = %s %s %s", aws.ToString(id.Arn), aws.ToString(id.Account), aws.ToString(id.UserId))
	}
}

func TestWebIdentityErrorsCarryAWSCodes(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, nil)
	good := mintToken(t, srv, map[string]any{"repository": "acme/app", "ref": "refs/heads/deploy"})
	cases := []struct {
		name, token, code, message string
		mod                        func(*sts.AssumeRoleWithWebIdentityInput)
	}{
		{name: "a token from another repository", token: mintToken(t, srv, map[string]any{"repository": "evil/app"}),
			code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{name: "the wrong audience", token: mintToken(t, srv, map[string]any{"repository": "acme/app", "audience": "https://github.com/acme"}),
			code: "InvalidIdentityToken", message: "Incorrect token audience"},
		{name: "an expired token", token: mintToken(t, srv, map[string]any{"repository": "acme/app", "issued_at": time.Now().Add(-time.Hour).Format(time.RFC3339)}),
			code: "ExpiredTokenException", message: "Token expired: current date/time"},
		{name: "not a JWT", token: "this-is-not-a-jwt", code: "InvalidIdentityToken", message: "The ID Token provided is not a valid JWT"},
		{name: "a session name with a space", token: good, code: "ValidationError", message: "roleSessionName",
			mod: func(in *sts.AssumeRoleWithWebIdentityInput) { in.RoleSessionName = aws.String("bad name") }},
		{name: "a duration above the role's maximum", token: good, code: "ValidationError", message: "exceeds the MaxSessionDuration",
			mod: func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(7200) }},
		{name: "a duration below 900 seconds", token: good, code: "ValidationError", message: "durationSeconds",
			mod: func(in *sts.AssumeRoleWithWebIdentityInput) { in.DurationSeconds = aws.Int32(60) }},
		{name: "a malformed session policy", token: good, code: "MalformedPolicyDocument", message: "",
			mod: func(in *sts.AssumeRoleWithWebIdentityInput) { in.Policy = aws.String(`{"Statement":"nope"}`) }},
		{name: "a role that does not exist", token: good, code: "AccessDenied", message: "Not authorized",
			mod: func(in *sts.AssumeRoleWithWebIdentityInput) {
				in.RoleArn = aws.String("arn:aws:iam::" + testAccount + ":role/nope")
			}},
		{name: "a ProviderId with an OIDC token", token: good, code: "ValidationError", message: "ProviderId",
			mod: func(in *sts.AssumeRoleWithWebIdentityInput) { in.ProviderId = aws.String("www.amazon.com") }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := assumeWeb(ctx, srv, roleARN, c.token, c.mod)
			if err == nil {
				t.Fatal("the exchange succeeded")
			}
			code, msg := apiCode(t, err)
			if code != c.code || !strings.Contains(msg, c.message) {
				t.Fatalf("got %s %q, want %s containing %q", code, msg, c.code, c.message)
			}
		})
	}
}

func TestATokenFromAnUnregisteredIssuerIsRefused(t *testing.T) {
	srv := startServer(t)
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, nil)
	other := unregisteredToken(t)
	_, err := assumeWeb(context.Background(), srv, roleARN, other, nil)
	code, msg := apiCode(t, err)
	if code != "InvalidIdentityToken" || !strings.Contains(msg, "No OpenIDConnect provider found in your account for http://127.0.0.1") {
		t.Fatalf("got %s %q", code, msg)
	}
}

func TestTheSessionTokenIsCheckedOnEveryUse(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, nil)
	out, err := assumeWeb(ctx, srv, roleARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := awsCreds(out)
	tampered := c
	tampered.SessionToken = c.SessionToken[:len(c.SessionToken)-4] + "AAAA"
	_, err = stsClient(srv, tampered).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code, _ := apiCode(t, err); code != "InvalidClientTokenId" {
		t.Fatalf("tampered session token: %s", code)
	}
	wrongSecret := c
	wrongSecret.SecretAccessKey = "x" + c.SecretAccessKey[1:]
	_, err = stsClient(srv, wrongSecret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code, _ := apiCode(t, err); code != "SignatureDoesNotMatch" {
		t.Fatalf("wrong secret: %s", code)
	}
	other := c
	other.AccessKeyID = "ASIAAAAAAAAAAAAAAAAA"
	_, err = stsClient(srv, other).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if code, _ := apiCode(t, err); code != "InvalidClientTokenId" {
		t.Fatalf("token of another key: %s", code)
	}
}

func TestRoleChainingIsLimitedToAnHour(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	firstARN := createRole(t, srv, "first", seedTrustPolicy(srv, "repo:acme/app:*"), 0, map[string]string{
		"chain": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`})
	secondARN := createRole(t, srv, "second", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"`+firstARN+`"},"Action":"sts:AssumeRole"}]}`, 7200, nil)
	out, err := assumeWeb(ctx, srv, firstARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	c := stsClient(srv, awsCreds(out))
	chained, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(secondARN), RoleSessionName: aws.String("chained")})
	if err != nil {
		t.Fatalf("AssumeRole from a session: %v", err)
	}
	if got := aws.ToString(chained.AssumedRoleUser.Arn); got != "arn:aws:sts::"+testAccount+":assumed-role/second/chained" {
		t.Errorf("chained ARN %s", got)
	}
	_, err = c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(secondARN), RoleSessionName: aws.String("long"), DurationSeconds: aws.Int32(7200)})
	if code, msg := apiCode(t, err); code != "ValidationError" || !strings.Contains(msg, "1 hour") {
		t.Errorf("chained for two hours: %s %s", code, msg)
	}
	// A role whose trust policy does not name the first role cannot be chained into.
	thirdARN := createRole(t, srv, "third", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"AWS":"arn:aws:iam::`+testAccount+`:role/someone-else"},"Action":"sts:AssumeRole"}]}`, 0, nil)
	_, err = c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(thirdARN), RoleSessionName: aws.String("xx")})
	if code, _ := apiCode(t, err); code != "AccessDenied" {
		t.Errorf("chaining into an untrusting role: %s %s", code, err)
	}
}

// readerSession creates the role "deploy" (the seed's trust policy, allowed iam:GetRole) and
// returns its ARN and a function that assumes it anew and one that calls GetRole with a
// session's credentials: the probe the revocation tests use.
func readerSession(t *testing.T, srv *testServer) (string, func() aws.Credentials, func(aws.Credentials) error) {
	t.Helper()
	ctx := context.Background()
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, map[string]string{
		"read": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`})
	assume := func() aws.Credentials {
		out, err := assumeWeb(ctx, srv, roleARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}), nil)
		if err != nil {
			t.Fatal(err)
		}
		return awsCreds(out)
	}
	getRole := func(c aws.Credentials) error {
		_, err := iam.NewFromConfig(sessionConfig(c), func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) }).
			GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")})
		return err
	}
	return roleARN, assume, getRole
}

func TestRevokedSessionsAreDenied(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	_, assume, getRole := readerSession(t, srv)
	creds := assume()
	if err := getRole(creds); err != nil {
		t.Fatalf("before the revocation: %v", err)
	}
	time.Sleep(1100 * time.Millisecond)
	// AWS's "revoke older sessions": an inline deny on aws:TokenIssueTime.
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*",
		"Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + time.Now().UTC().Format(time.RFC3339) + `"}}}]}`
	if _, err := iamClient(srv).PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("deploy"),
		PolicyName: aws.String("AWSRevokeOlderSessions"), PolicyDocument: aws.String(revoke)}); err != nil {
		t.Fatal(err)
	}
	err := getRole(creds)
	if code, msg := apiCode(t, err); code != "AccessDenied" || !strings.Contains(msg, "AWSRevokeOlderSessions") {
		t.Fatalf("a revoked session: %s %s", code, msg)
	}
}

func TestSessionsSurviveARestartWithTheSameDataDirectory(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	var creds aws.Credentials
	func() {
		srv := startServer(t, "--data-dir", dir)
		roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, nil)
		out, err := assumeWeb(ctx, srv, roleARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}), nil)
		if err != nil {
			t.Fatal(err)
		}
		creds = awsCreds(out)
		srv.Stop()
	}()
	srv := startServer(t, "--data-dir", dir)
	id, err := stsClient(srv, creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("a session from before the restart: %v", err)
	}
	if !strings.HasSuffix(aws.ToString(id.Arn), ":assumed-role/deploy/GitHubActions") {
		t.Fatalf("ARN %s", aws.ToString(id.Arn))
	}
}

// unregisteredToken is a well-signed token from an issuer nobody registered.
func unregisteredToken(t *testing.T) string {
	iss := oidctest.New(t, oidctest.Config{})
	return iss.Sign(iss.Claims("sts.amazonaws.com", time.Now()))
}

func TestSessionPoliciesNarrowTheRolesPermissions(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, map[string]string{
		"read": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:GetRole","iam:ListRoles"],"Resource":"*"}]}`})
	narrow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"*"}]}`
	out, err := assumeWeb(ctx, srv, roleARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}),
		func(in *sts.AssumeRoleWithWebIdentityInput) { in.Policy = aws.String(narrow) })
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToInt32(out.SessionTokenSize); int(got) != len(aws.ToString(out.Credentials.SessionToken)) || aws.ToInt32(out.SessionTokenUtilization) <= 0 {
		t.Errorf("SessionTokenSize %d, SessionTokenUtilization %d", got, aws.ToInt32(out.SessionTokenUtilization))
	}
	c := iam.NewFromConfig(sessionConfig(awsCreds(out)), func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	if _, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")}); err != nil {
		t.Fatalf("GetRole, allowed by both the role and the session policy: %v", err)
	}
	_, err = c.ListRoles(ctx, &iam.ListRolesInput{})
	if code, msg := apiCode(t, err); code != "AccessDenied" || !strings.Contains(msg, "iam:ListRoles") {
		t.Fatalf("ListRoles, allowed by the role but not the session policy: %s %s", code, msg)
	}
	// Without a session policy the same role may list.
	full, err := assumeWeb(ctx, srv, roleARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	c = iam.NewFromConfig(sessionConfig(awsCreds(full)), func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	if _, err := c.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("ListRoles without a session policy: %v", err)
	}
}

func TestAnIssuerWhoseKeysCannotBeFetchedIsAnIDPCommunicationError(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	iss := oidctest.New(t, oidctest.Config{})
	if _, err := iamClient(srv).CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String(iss.URL()),
		ClientIDList: []string{"sts.amazonaws.com"}}); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(iss.URL(), "http://")
	roleARN := createRole(t, srv, "deploy", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Principal":{"Federated":"arn:aws:iam::`+testAccount+`:oidc-provider/`+host+`"},"Action":"sts:AssumeRoleWithWebIdentity",
		"Condition":{"StringEquals":{"`+host+`:aud":"sts.amazonaws.com"},"StringLike":{"`+host+`:sub":"repo:acme/app:*"}}}]}`, 0, nil)
	claims := oidctest.GitHubClaims(iss.URL(), "sts.amazonaws.com", "acme/app", time.Now())
	iss.SetOutage(oidctest.JWKS, oidctest.Fail500)
	_, err := assumeWeb(ctx, srv, roleARN, iss.Sign(claims), nil)
	if code, msg := apiCode(t, err); code != "IDPCommunicationError" || !strings.Contains(msg, "Couldn't retrieve verification key from your identity provider,  please reference") {
		t.Fatalf("JWKS answering 500: %s %q", code, msg)
	}
	// The issuer recovers; after the failure is forgotten (5 s), the same kind of token passes.
	iss.SetOutage(oidctest.JWKS, oidctest.Up)
	time.Sleep(5500 * time.Millisecond)
	if _, err := assumeWeb(ctx, srv, roleARN, iss.Sign(oidctest.GitHubClaims(iss.URL(), "sts.amazonaws.com", "acme/app", time.Now())), nil); err != nil {
		t.Fatalf("after recovery: %v", err)
	}
}

func TestSessionPoliciesAndTagsOverTheLimitArePackedPolicyTooLarge(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, nil)
	pol, err := iamClient(srv).CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	// A 2,000-character inline session policy and ten managed ones pass each limit alone but
	// not together.
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` +
		strings.Repeat("b", 1900) + `"}]}`
	var arns []ststypes.PolicyDescriptorType
	for i := 0; i < 10; i++ {
		arns = append(arns, ststypes.PolicyDescriptorType{Arn: pol.Policy.Arn})
	}
	_, err = assumeWeb(ctx, srv, roleARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}), func(in *sts.AssumeRoleWithWebIdentityInput) {
		in.Policy, in.PolicyArns = aws.String(inline), arns
	})
	if code, _ := apiCode(t, err); code != "PackedPolicyTooLarge" {
		t.Fatalf("got %s", code)
	}
}
