package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// jsSDK returns the node binary and the directory holding the AWS SDK for JavaScript v3
// (installed by .ci/run with npm from e2e/testdata/jssdk/package.json; Go tools skip testdata). A test that needs it fails when
// CI is set and it is missing, and skips otherwise.
func jsSDK(t *testing.T) (string, string) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "jssdk"))
	if err != nil {
		t.Fatal(err)
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-sts", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node and the AWS SDK for JavaScript are required in CI (cd e2e/testdata/jssdk && npm install): %v", err)
		}
		t.Skipf("node or e2e/testdata/jssdk/node_modules is missing (cd e2e/testdata/jssdk && npm install): %v", err)
	}
	return node, dir
}

// TestTheJavaScriptSDKAsConfigureAWSCredentialsUsesIt drives the SDK that
// aws-actions/configure-aws-credentials bundles: the STS endpoint from AWS_ENDPOINT_URL_STS,
// the unsigned exchange, a signed GetCallerIdentity, and S3 uploads including a streamed body
// sent as STREAMING-UNSIGNED-PAYLOAD-TRAILER.
func TestTheJavaScriptSDKAsConfigureAWSCredentialsUsesIt(t *testing.T) {
	eachBackend(t, jsSDKFlow)
}

func jsSDKFlow(t *testing.T, b objectBackend) {
	node, dir := jsSDK(t)
	srv := b.start(t)
	ctx := context.Background()
	s3c := s3.NewFromConfig(rootConfig(srv), func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, map[string]string{
		"site": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::site/src/*"}]}`})
	cmd := exec.Command(node, "flow.mjs")
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_STS=" + srv.URL, "S3_ENDPOINT=" + srv.URL, "BUCKET=site", "ROLE_ARN=" + roleARN,
		"TOKEN=" + mintToken(t, srv, map[string]any{"repository": "acme/app", "ref": "refs/heads/deploy"})}
	out, err := cmd.Output()
	var got struct {
		Arn, Provider, Audience, CallerArn, Account, ChecksumCRC32, Error, Message string
		StreamedBack                                                               bool
	}
	if jerr := json.Unmarshal(out, &got); jerr != nil {
		t.Fatalf("node flow.mjs: %v, %v\n%s", err, jerr, out)
	}
	if err != nil || got.Error != "" {
		t.Fatalf("the JavaScript SDK failed: %s: %s (%v)", got.Error, got.Message, err)
	}
	wantArn := "arn:aws:sts::" + testAccount + ":assumed-role/deploy/GitHubActions"
	if got.Arn != wantArn || got.CallerArn != wantArn || got.Account != testAccount || got.Audience != "sts.amazonaws.com" ||
		!strings.HasSuffix(got.Provider, ":oidc-provider/"+strings.TrimPrefix(srv.URL, "http://")+"/idp") {
		t.Errorf("identity: %+v", got)
	}
	if !got.StreamedBack || got.ChecksumCRC32 == "" {
		t.Errorf("the streamed object did not come back whole with its CRC32: %+v", got)
	}
}
