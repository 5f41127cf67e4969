package e2e

import (
	"os"
	"os/exec"
	"testing"
)

// boto3Python returns a Python interpreter that imports boto3: the first python3 on PATH
// (a pyenv with a current botocore, where there is one), else Debian's /usr/bin/python3
// (package python3-boto3). A test that needs it fails when CI is set, and is skipped
// otherwise.
func boto3Python(t *testing.T) string {
	t.Helper()
	var candidates []string
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	candidates = append(candidates, "/usr/bin/python3")
	for _, p := range candidates {
		if exec.Command(p, "-c", "import boto3").Run() == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("boto3 is required in CI (apt-get install python3-boto3)")
	}
	t.Skip("no python3 with boto3 (apt-get install python3-boto3)")
	return ""
}

// runBoto3 runs a script of testdata/boto3 against srv as root, with extra environment.
func runBoto3(t *testing.T, srv *testServer, script string, env map[string]string) (string, error) {
	t.Helper()
	cmd := exec.Command(boto3Python(t), "testdata/boto3/"+script)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true", "INKAN_ENDPOINT=" + srv.URL,
		"AWS_ACCESS_KEY_ID=" + rootAccessKeyID, "AWS_SECRET_ACCESS_KEY=" + rootSecretKey}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestBoto3SeesS3sAnswersToConditionalRequestsChecksumsAndListings runs the wire fixes of
// issue 13 through boto3 on every backend: failed conditional GETs raise their error (with
// botocore ≥ 1.36, which validates GetObject checksums; Debian's older botocore does not
// validate, and internal/s3 pins the headers for it), conditional deletes, the
// whole-object checksum of a completion, a retried completion, Content-Encoding as sent,
// and ListObjects under botocore's automatic encoding-type=url.
func TestBoto3SeesS3sAnswersToConditionalRequestsChecksumsAndListings(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		out, err := runBoto3(t, srv, "wire_fixes.py", map[string]string{"INKAN_BUCKET": "boto3-fixes"})
		if err != nil {
			t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
		}
		t.Log(out)
	})
}
