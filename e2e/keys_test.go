package e2e

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/inkan-dev/inkan/internal/cli"
)

// adminDo sends a root-signed request to inkan's admin API.
func adminDo(t *testing.T, srv *testServer, method, path string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	const emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: rootAccessKeyID, SecretAccessKey: rootSecretKey},
		req, emptyHash, "inkan", "us-east-1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

func TestSessionsOutliveASealingKeyRotationAndARestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	srv := startServer(t, "--data-dir", dir)
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, nil)
	before, err := assumeWeb(ctx, srv, roleARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if code, body := adminDo(t, srv, "POST", "/_inkan/v1/sealing-keys/rotate"); code != 200 {
		t.Fatalf("rotate: %d %s", code, body)
	}
	after, err := assumeWeb(ctx, srv, roleARN, mintToken(t, srv, map[string]any{"repository": "acme/app"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	// "IQ" and ten base64 characters: the first 60 bits of the sealing key id.
	if aws.ToString(after.Credentials.SessionToken)[:12] == aws.ToString(before.Credentials.SessionToken)[:12] {
		t.Fatal("the session token after rotation names the same key as before")
	}
	check := func(srv *testServer, when string) {
		for name, out := range map[string]*sts.AssumeRoleWithWebIdentityOutput{"sealed before": before, "sealed after": after} {
			if _, err := stsClient(srv, awsCreds(out)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
				t.Errorf("%s, a session %s the rotation: %v", when, name, err)
			}
		}
	}
	check(srv, "after the rotation")
	srv.Stop()
	check(startServer(t, "--data-dir", dir), "after a restart")
}

func TestOnlyRootRotatesSealingKeys(t *testing.T) {
	srv := startServer(t)
	req, _ := http.NewRequest("POST", srv.URL+"/_inkan/v1/sealing-keys/rotate", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an unsigned rotation answered %d", resp.StatusCode)
	}
}

func TestTheAdminCommandRotatesKeysAndRevokesSessions(t *testing.T) {
	srv := startServer(t)
	ctx := context.Background()
	_, assume, getRole := readerSession(t, srv)
	creds := assume()
	if err := getRole(creds); err != nil {
		t.Fatalf("before the revocation: %v", err)
	}
	env := map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY": rootSecretKey}
	admin := func(args ...string) string {
		var stdout, stderr strings.Builder
		code := cli.Main(ctx, append([]string{"admin"}, append(args, "--endpoint", srv.URL)...),
			cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }})
		if code != 0 {
			t.Fatalf("inkan admin %v: exit %d: %s", args, code, stderr.String())
		}
		return stdout.String()
	}
	if got := admin("rotate-sealing-keys"); !strings.Contains(got, "sealing keys rotated") {
		t.Fatalf("rotate: %q", got)
	}
	if _, err := stsClient(srv, creds).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("a session sealed before the rotation: %v", err)
	}
	time.Sleep(10 * time.Millisecond)
	if got := admin("revoke-sessions", "deploy"); !strings.Contains(got, "sessions of role deploy issued before") {
		t.Fatalf("revoke: %q", got)
	}
	err := getRole(creds)
	if code, msg := apiCode(t, err); code != "AccessDenied" || !strings.Contains(msg, "are revoked") {
		t.Fatalf("a revoked session: %s %s", code, msg)
	}
	if err := getRole(assume()); err != nil {
		t.Fatalf("a session issued after the revocation: %v", err)
	}
}
