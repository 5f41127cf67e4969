package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestBoto3BrowserUploadsAndCORS runs the browser features of issue 13 through boto3 and
// requests on every backend: CORS rules put and read back, a preflight answered from them,
// generate_presigned_post signed by a federated session and posted as a browser would
// (201 with PostResponse, CORS headers on the answer), the policy's refusals, a key the
// session's role may not write, and a success_action_redirect.
func TestBoto3BrowserUploadsAndCORS(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		bucket := "browser"
		creds := sessionEnv(t, srv, "uploader", policyDoc(
			`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::`+bucket+`/uploads/*","Condition":{"StringEquals":{"s3:authType":"POST"}}}`))
		out, err := runBoto3(t, srv, "browser.py", map[string]string{"INKAN_BUCKET": bucket,
			"SESSION_ACCESS_KEY_ID": creds["AWS_ACCESS_KEY_ID"], "SESSION_SECRET_ACCESS_KEY": creds["AWS_SECRET_ACCESS_KEY"],
			"SESSION_TOKEN": creds["AWS_SESSION_TOKEN"]})
		if err != nil {
			t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
		}
	})
}

// TestJavaScriptSDKCreatePresignedPostFormUploads posts the form of the JavaScript SDK's
// createPresignedPost, signed by a federated session, with fetch and FormData as a page
// does: 201 with PostResponse, the bytes stored, EntityTooLarge past content-length-range.
func TestJavaScriptSDKCreatePresignedPostFormUploads(t *testing.T) {
	node, dir := jsSDK(t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "s3-presigned-post", "package.json")); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("@aws-sdk/s3-presigned-post is required in CI (cd e2e/testdata/jssdk && npm install)")
		}
		t.Skip("@aws-sdk/s3-presigned-post is not installed (cd e2e/testdata/jssdk && npm install)")
	}
	srv := startServerEnv(t, nil)
	createBuckets(t, srv, "forms")
	creds := sessionEnv(t, srv, "uploader", policyDoc(
		`{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::forms/uploads/*"}`))
	cmd := exec.Command(node, "post.mjs")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_EC2_METADATA_DISABLED=true", "S3_ENDPOINT=" + srv.URL,
		"BUCKET=forms", "AWS_ACCESS_KEY_ID=" + creds["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY=" + creds["AWS_SECRET_ACCESS_KEY"],
		"AWS_SESSION_TOKEN=" + creds["AWS_SESSION_TOKEN"]}
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("node post.mjs: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
	}
}
