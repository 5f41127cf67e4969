package explain

import (
	"bytes"
	"flag"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/devidp"
	"github.com/inkan-dev/inkan/internal/policy"
)

// update rewrites the golden files: go test ./internal/explain -update
var update = flag.Bool("update", false, "rewrite the golden files in testdata")

const (
	account    = "123456789012"
	ghIssuer   = "https://token.actions.githubusercontent.com"
	ghProvider = "arn:aws:iam::" + account + ":oidc-provider/token.actions.githubusercontent.com"
	ghPrefix   = "token.actions.githubusercontent.com"
	roleARN    = "arn:aws:iam::" + account + ":role/deploy"
)

// now is the simulations' clock.
var now = time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

// seedTrust is the trust policy of inkan's seed: aud StringEquals, sub StringLike.
const seedTrust = `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "` + ghProvider + `"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
      "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/app:*"}
    }
  }]
}`

// trustWith is a GitHub trust policy whose single Allow has the given Condition block.
func trustWith(conditions string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + ghProvider + `"},
	  "Action":"sts:AssumeRoleWithWebIdentity","Condition":` + conditions + `}]}`
}

func mustParse(t testing.TB, doc string, kind policy.Kind) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, doc)
	}
	return p
}

// job is a GitHub job of repo on ref with the test identity provider's defaults.
func job(repo, ref string) devidp.JobContext {
	return devidp.JobContext{Job: devidp.Job{Repository: repo, Ref: ref}}
}

// claimsOf returns the GitHub-shaped claims of a job, for audience sts.amazonaws.com.
func claimsOf(t testing.TB, j devidp.JobContext) map[string]any {
	t.Helper()
	c, err := JobClaims(j, ghIssuer, "sts.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// webIdentity is the seed's exchange for claims, against trust.
func webIdentity(t testing.TB, trust string, claims map[string]any) *WebIdentity {
	t.Helper()
	return &WebIdentity{Account: account, RoleARN: roleARN, Trust: mustParse(t, trust, policy.Trust),
		Provider: Provider{URL: ghIssuer, ClientIDs: []string{"sts.amazonaws.com"}}, Claims: claims,
		SessionName: "GitHubActions", Secure: true, Now: now}
}

// rendered runs a renderer into a buffer, compares the output with testdata/name (see
// golden) and returns it.
func rendered(t *testing.T, name string, write func(io.Writer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	golden(t, name, b.Bytes())
	return b.String()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(got) != string(want) {
		t.Fatalf("%s differs from the golden file (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}
