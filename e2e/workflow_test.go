package e2e

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// The acceptance of issue 6: the seed's GitHub Actions workflow, step by step, offline.
//
//	permissions: id-token: write                  → inkan idp runner-env
//	aws-actions/configure-aws-credentials         → inkan assume --output github
//	aws s3 sync . s3://bucket/ --exclude "*" --include "src/*"   → Debian's AWS CLI v2

func TestTheSeedsWorkflowDeploysSrcWithInkanAssumeAndTheAWSCLI(t *testing.T) {
	awsCLI(t)
	srv := startServer(t)
	role := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:"+seedRepo+":*"), 0, seedPermissions())
	createSeedBucket(t, srv)

	// The runner gives a job with `id-token: write` these two variables.
	runner := readEnvLines(mustInkan(t, nil, "idp", "runner-env", "--endpoint", srv.URL, "--repo", seedRepo, "--ref", seedRef, "--github-env"))
	if !strings.Contains(runner["ACTIONS_ID_TOKEN_REQUEST_URL"], "?") || runner["ACTIONS_ID_TOKEN_REQUEST_TOKEN"] == "" {
		t.Fatalf("runner env = %v", runner)
	}

	// configure-aws-credentials, with AWS_ENDPOINT_URL_STS pointing at inkan.
	files := t.TempDir()
	job := map[string]string{"GITHUB_ENV": filepath.Join(files, "env"), "GITHUB_OUTPUT": filepath.Join(files, "output"),
		"AWS_ENDPOINT_URL_STS": srv.URL, "AWS_REGION": "ap-northeast-1"}
	for k, v := range runner {
		job[k] = v
	}
	masks := mustInkan(t, job, "assume", "--role-arn", role, "--output", "github")
	jobEnv := readFileCommands(t, job["GITHUB_ENV"])
	for _, secret := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} {
		if jobEnv[secret] == "" || !strings.Contains(masks, "::add-mask::"+jobEnv[secret]+"\n") {
			t.Fatalf("%s is missing or unmasked", secret)
		}
	}
	outputs := readFileCommands(t, job["GITHUB_OUTPUT"])
	if outputs["aws-account-id"] != testAccount || outputs["authenticated-arn"] != "arn:aws:sts::"+testAccount+":assumed-role/deploy/GitHubActions" {
		t.Fatalf("step outputs = %v", outputs)
	}

	// aws s3 sync, with the credentials the step exported.
	workspace, srcKeys := checkout(t)
	deploy := map[string]string{"AWS_ACCESS_KEY_ID": jobEnv["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": jobEnv["AWS_SECRET_ACCESS_KEY"],
		"AWS_SESSION_TOKEN": jobEnv["AWS_SESSION_TOKEN"], "AWS_REGION": jobEnv["AWS_REGION"], "AWS_DEFAULT_REGION": jobEnv["AWS_DEFAULT_REGION"]}
	out := syncSrc(t, srv, workspace, deploy)
	if got := bucketKeys(t, srv); !slices.Equal(got, srcKeys) {
		t.Fatalf("the bucket holds %v, want exactly %v\naws s3 sync said:\n%s", got, srcKeys, out)
	}
	if again := syncSrc(t, srv, workspace, deploy); strings.Contains(again, "upload:") {
		t.Fatalf("a second sync uploaded again:\n%s", again)
	}
}

// syncSrc runs the seed's deploy step in the checkout and returns what it printed.
func syncSrc(t *testing.T, srv *testServer, workspace string, env map[string]string) string {
	t.Helper()
	cmd := awsCommand(context.Background(), t, env, "s3", "sync", ".", "s3://"+seedBucket+"/", "--exclude", "*", "--include", "src/*", "--endpoint-url", srv.URL)
	cmd.Dir = workspace
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("aws s3 sync: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
	}
	return string(out)
}

// readEnvLines reads NAME=value lines.
func readEnvLines(text string) map[string]string {
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vars[k] = v
		}
	}
	return vars
}

func TestTheSeedsWorkflowDeploysSrcWithTheGoSDKsWebIdentityProvider(t *testing.T) {
	eachBackend(t, goSDKDeploys)
}

// goSDKDeploys uploads with aws-sdk-go-v2's defaults: CRC32 checksums, sent as
// aws-chunked bodies with a trailing checksum.
func goSDKDeploys(t *testing.T, b objectBackend) {
	srv := b.start(t)
	role := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:"+seedRepo+":*"), 0, seedPermissions())
	createSeedBucket(t, srv)
	tokenFile := filepath.Join(t.TempDir(), "token")
	mustInkan(t, nil, "idp", "token", "--endpoint", srv.URL, "--repo", seedRepo, "--ref", seedRef, "--out", tokenFile)
	// What a job (or an EKS pod) sets; nothing else may leak in from the machine.
	none := filepath.Join(t.TempDir(), "none")
	for k, v := range map[string]string{"AWS_ROLE_ARN": role, "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_SESSION_NAME": "GitHubActions",
		"AWS_ENDPOINT_URL_STS": srv.URL, "AWS_REGION": "ap-northeast-1", "AWS_ENDPOINT_URL": "", "AWS_ACCESS_KEY_ID": "",
		"AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "", "AWS_PROFILE": "", "AWS_CONFIG_FILE": none,
		"AWS_SHARED_CREDENTIALS_FILE": none, "AWS_EC2_METADATA_DISABLED": "true"} {
		t.Setenv(k, v)
	}
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := cfg.Credentials.Retrieve(ctx)
	if err != nil {
		t.Fatalf("the web identity provider failed: %v\n%s", err, srv.stderr.String())
	}
	if creds.Source != stscreds.WebIdentityProviderName || !creds.CanExpire {
		t.Fatalf("credentials from %q", creds.Source)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+testAccount+":assumed-role/deploy/GitHubActions" {
		t.Fatalf("GetCallerIdentity through AWS_ENDPOINT_URL_STS: %v, %v", id, err)
	}
	workspace, srcKeys := checkout(t)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	for _, key := range srcKeys {
		f, err := os.Open(filepath.Join(workspace, filepath.FromSlash(key)))
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(seedBucket), Key: aws.String(key), Body: f})
		f.Close()
		if err != nil {
			t.Fatalf("PutObject %s: %v", key, err)
		}
	}
	if got := bucketKeys(t, srv); !slices.Equal(got, srcKeys) {
		t.Fatalf("the bucket holds %v, want exactly %v", got, srcKeys)
	}
}

// refusal is one negative case of the acceptance: a token, the role it tries, the AWS code
// STS answers and what `inkan assume` must tell the user.
type refusal struct {
	name  string
	mint  []string // flags of `inkan idp token`
	role  string   // deploy or deploy-pinned
	code  string
	wants []string
}

func refusals(srv *testServer) []refusal {
	host := strings.TrimPrefix(srv.URL, "http://")
	return []refusal{
		{"a token of another repository", []string{"--repo", "evil/app", "--ref", seedRef}, "deploy", "AccessDenied",
			[]string{"sub                  repo:evil/app:ref:refs/heads/deploy", `inkan's reason: ` + host + `/idp:sub "repo:evil/app:ref:refs/heads/deploy" matches none of`,
				"The role's trust policy did not allow this token"}},
		{"another branch where the trust pins ref:refs/heads/deploy", []string{"--repo", seedRepo, "--ref", "refs/heads/main"}, "deploy-pinned", "AccessDenied",
			[]string{"ref                  refs/heads/main", `matches none of ["repo:acme/app:ref:refs/heads/deploy"]`}},
		{"the wrong audience", []string{"--repo", seedRepo, "--ref", seedRef, "--audience", "https://github.com/acme"}, "deploy", "InvalidIdentityToken",
			[]string{"Incorrect token audience", "aud                  https://github.com/acme", "Request the token with the registered audience (--audience)"}},
		{"an expired token", []string{"--repo", seedRepo, "--ref", seedRef, "--issued-at", "-1h"}, "deploy", "ExpiredTokenException",
			[]string{"The token expired at ", "fetch a fresh one right before assuming"}},
		{"an unregistered issuer", []string{"--gitlab", "--repo", seedRepo, "--ref", "deploy"}, "deploy", "InvalidIdentityToken",
			[]string{"No OpenIDConnect provider found", "aws iam create-open-id-connect-provider --url " + srv.URL + "/idp/gitlab --client-id-list sts.amazonaws.com --thumbprint-list " + strings.Repeat("0", 40) + " --endpoint-url " + srv.URL}},
	}
}

func TestRefusalsCarryTheAWSCodeAndInkanAssumeExplainsThem(t *testing.T) {
	srv := startServer(t)
	roles := map[string]string{
		"deploy":        createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:"+seedRepo+":*"), 0, nil),
		"deploy-pinned": createRole(t, srv, "deploy-pinned", seedTrustPolicy(srv, "repo:"+seedRepo+":ref:"+seedRef), 0, nil),
	}
	for _, tc := range refusals(srv) {
		t.Run(tc.name, func(t *testing.T) {
			token := strings.TrimSpace(mustInkan(t, nil, append([]string{"idp", "token", "--endpoint", srv.URL}, tc.mint...)...))
			// aws-sdk-go-v2 sees the exact AWS error code.
			_, err := assumeWeb(context.Background(), srv, roles[tc.role], token, nil)
			if code, msg := apiCode(t, err); code != tc.code {
				t.Fatalf("the SDK got %s (%s), want %s", code, msg, tc.code)
			}
			// inkan assume names it and explains it, without printing the token.
			tokenFile := filepath.Join(t.TempDir(), "token")
			os.WriteFile(tokenFile, []byte(token), 0o600)
			code, out, errOut := inkanRun(t, map[string]string{"AWS_ENDPOINT_URL_STS": srv.URL}, "", "assume",
				"--role-arn", roles[tc.role], "--token-file", tokenFile)
			if code != 1 || out != "" {
				t.Fatalf("inkan assume exited %d with stdout %q", code, out)
			}
			wants := append([]string{"sts:AssumeRoleWithWebIdentity: " + tc.code + ": ", "could not assume role with OIDC: " + tc.code}, tc.wants...)
			for _, want := range wants {
				if !strings.Contains(errOut, want) {
					t.Errorf("the explanation lacks %q", want)
				}
			}
			if strings.Contains(errOut, token) || strings.Contains(errOut, strings.Split(token, ".")[2]) {
				t.Error("the token was printed")
			}
			if t.Failed() {
				t.Logf("inkan assume said:\n%s", errOut)
			}
		})
	}
}

func TestWithoutDevReasonsInkanAssumeSaysHowToGetTheExplanation(t *testing.T) {
	srv := startServer(t, "--explain", "operator")
	role := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:"+seedRepo+":*"), 0, nil)
	token := mustInkan(t, nil, "idp", "token", "--endpoint", srv.URL, "--repo", "evil/app")
	code, _, errOut := inkanRun(t, map[string]string{"AWS_ENDPOINT_URL_STS": srv.URL}, token, "assume", "--role-arn", role, "--token", "-")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if strings.Contains(errOut, "inkan's reason") || strings.Contains(errOut, "matches none of") {
		t.Fatalf("the reason reached the caller without --explain caller:\n%s", errOut)
	}
	i := strings.Index(errOut, "an operator can run `inkan explain ")
	if i < 0 {
		t.Fatalf("no way to the explanation:\n%s", errOut)
	}
	id := strings.TrimSuffix(strings.Fields(errOut[i+len("an operator can run `inkan explain "):])[0], "`.")
	root := &awsclient.Client{Endpoint: srv.URL, Creds: sigv4.Credentials{AccessKeyID: rootAccessKeyID, SecretAccessKey: rootSecretKey}}
	rec, err := root.Decision(context.Background(), id)
	if err != nil {
		t.Fatalf("the admin API has no decision %s: %v", id, err)
	}
	if rec.Outcome != "deny" || !strings.Contains(rec.Reason, `matches none of ["repo:acme/app:*"]`) || rec.Claims["sub"] != "repo:evil/app:ref:refs/heads/main" {
		t.Fatalf("decision %s = %+v", id, rec)
	}
}
