package e2e

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/inkan-dev/inkan/internal/cli"
)

// TestTheAWSCLISyncsWithSSEAndConfiguresBucketEncryption syncs a tree (one file large
// enough for a multipart upload) with `aws s3 sync --sse AES256`, checks that the objects
// say AES256, that no file on disk holds their bytes, and that they sync back; then
// manages the bucket's default encryption with s3api.
func TestTheAWSCLISyncsWithSSEAndConfiguresBucketEncryption(t *testing.T) {
	srv := startServer(t)
	env := rootEnv()
	marker := []byte("inkan-sse-plaintext-marker-")
	files := map[string][]byte{"small.txt": append(append([]byte(nil), marker...), "small"...),
		"dir/big.bin": append(append([]byte(nil), marker...), randomBytes(7, 9<<20)...)}
	up := t.TempDir()
	writeTree(t, up, files)
	mustS3CLI(t, srv, env, "s3", "mb", "s3://enc")
	mustS3CLI(t, srv, env, "s3", "sync", "--no-progress", "--sse", "AES256", up, "s3://enc/")
	for _, key := range []string{"small.txt", "dir/big.bin"} {
		if out := mustS3CLI(t, srv, env, "s3api", "head-object", "--bucket", "enc", "--key", key); !strings.Contains(out, `"ServerSideEncryption": "AES256"`) {
			t.Errorf("head-object %s printed %s", key, out)
		}
	}
	filepath.WalkDir(srv.DataDir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, marker) {
				t.Errorf("%s holds an object's plaintext", path)
			}
		}
		return nil
	})
	down := t.TempDir()
	mustS3CLI(t, srv, env, "s3", "sync", "--no-progress", "s3://enc/", down)
	if diff := sameTree(files, readTree(t, down)); diff != "" {
		t.Fatal(diff)
	}

	// Debian's AWS CLI (2.9) predates BlockedEncryptionTypes and does not print it; the
	// SDK and boto3 tests read it.
	out := mustS3CLI(t, srv, env, "s3api", "get-bucket-encryption", "--bucket", "enc")
	if !strings.Contains(out, `"SSEAlgorithm": "AES256"`) || !strings.Contains(out, `"BucketKeyEnabled": false`) {
		t.Fatalf("default get-bucket-encryption printed %s", out)
	}
	wantCLIError(t, srv, env, "NotImplemented", "PutBucketEncryption", "s3api", "put-bucket-encryption", "--bucket", "enc",
		"--server-side-encryption-configuration", `{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"aws:kms"}}]}`)
	mustS3CLI(t, srv, env, "s3api", "put-bucket-encryption", "--bucket", "enc", "--server-side-encryption-configuration",
		`{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"},"BucketKeyEnabled":true}]}`)
	out = mustS3CLI(t, srv, env, "s3api", "get-bucket-encryption", "--bucket", "enc")
	if !strings.Contains(out, `"BucketKeyEnabled": true`) {
		t.Fatalf("get-bucket-encryption after the put printed %s", out)
	}
	mustS3CLI(t, srv, env, "s3api", "delete-bucket-encryption", "--bucket", "enc")
	if out := mustS3CLI(t, srv, env, "s3api", "get-bucket-encryption", "--bucket", "enc"); !strings.Contains(out, `"BucketKeyEnabled": false`) {
		t.Fatalf("get-bucket-encryption after the delete printed %s", out)
	}
	wantCLIError(t, srv, env, "NotImplemented", "PutObject", "s3api", "put-object", "--bucket", "enc", "--key", "kms",
		"--server-side-encryption", "aws:kms")
}

// TestBoto3RoundTripsSSECOverHTTPS runs testdata/boto3/ssec.py against inkan served over
// TLS with a self-signed certificate.
func TestBoto3RoundTripsSSECOverHTTPS(t *testing.T) {
	certPath, keyPath, _ := selfSigned(t)
	srv := startServer(t, "--tls-cert", certPath, "--tls-key", keyPath)
	out, err := runBoto3(t, srv, "ssec.py", map[string]string{"INKAN_BUCKET": "boto3-ssec", "AWS_CA_BUNDLE": certPath})
	if err != nil {
		t.Fatalf("boto3: %v\n%s\nserver log:\n%s", err, out, srv.stderr.String())
	}
}

// tlsS3 is rootS3 over TLS trusting the test certificate.
func tlsS3(t *testing.T) (*s3.Client, *testServer) {
	certPath, keyPath, pool := selfSigned(t)
	srv := startServer(t, "--tls-cert", certPath, "--tls-key", keyPath)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	return s3.NewFromConfig(rootConfig(srv), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle, o.HTTPClient = aws.String(srv.URL), true, client
	}), srv
}

// TestTheGoSDKUploadsSSECMultipartAndReadsRangesAcrossParts uploads an SSE-C object in
// two parts (a part without the key, or with another one, is refused), then reads a range
// across the part boundary and a part by number with the key.
func TestTheGoSDKUploadsSSECMultipartAndReadsRangesAcrossParts(t *testing.T) {
	c, _ := tlsS3(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ssec")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("ssec"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			BlockedEncryptionTypes:             &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeNone}}}}}}); err != nil {
		t.Fatal(err)
	}
	raw := bytes.Repeat([]byte{0x5a}, 32)
	sum := md5.Sum(raw)
	key, keyMD5 := base64.StdEncoding.EncodeToString(raw), base64.StdEncoding.EncodeToString(sum[:])
	otherRaw := bytes.Repeat([]byte{0x33}, 32)
	otherSum := md5.Sum(otherRaw)
	other, otherMD5 := base64.StdEncoding.EncodeToString(otherRaw), base64.StdEncoding.EncodeToString(otherSum[:])
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(keyMD5)})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{randomBytes(1, 5<<20), randomBytes(2, 1<<20+3)}
	uploadPart := func(n int32, k, m *string) (*s3.UploadPartOutput, error) {
		in := &s3.UploadPartInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(n),
			Body: bytes.NewReader(parts[n-1])}
		if k != nil {
			in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), k, m
		}
		return c.UploadPart(ctx, in)
	}
	_, err = uploadPart(1, nil, nil)
	wantS3Error(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = uploadPart(1, aws.String(other), aws.String(otherMD5))
	wantS3Error(t, err, "AccessDenied", http.StatusForbidden)
	var done []types.CompletedPart
	for i := range parts {
		out, err := uploadPart(int32(i+1), aws.String(key), aws.String(keyMD5))
		if err != nil || aws.ToString(out.SSECustomerKeyMD5) != keyMD5 {
			t.Fatalf("UploadPart %d = %+v, %v", i+1, out, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	if _, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatal(err)
	}
	whole := append(append([]byte(nil), parts[0]...), parts[1]...)
	first, last := len(parts[0])-70000, len(parts[0])+70000
	get, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), Range: aws.String("bytes=" + strconv.Itoa(first) + "-" + strconv.Itoa(last)),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(keyMD5)})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(get.Body); !bytes.Equal(b, whole[first:last+1]) {
		t.Fatal("the range across the parts reads back wrong")
	}
	part2, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), PartNumber: aws.Int32(2),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(keyMD5)})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(part2.Body); !bytes.Equal(b, parts[1]) {
		t.Fatal("part 2 reads back wrong")
	}
}

// TestTheGoSDKIsHeldToADenyUnlessAES256BucketPolicy puts the classic bucket policy and
// checks that only uploads naming AES256 pass, with the SDK's own headers.
func TestTheGoSDKIsHeldToADenyUnlessAES256BucketPolicy(t *testing.T) {
	srv := startServer(t)
	c := rootS3(srv)
	ctx := context.Background()
	createBuckets(t, srv, "guarded")
	policy := policyDoc(`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::guarded/*",
		"Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}}`,
		`{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::guarded/*",
		"Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}`)
	if _, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("guarded"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("guarded"), Key: aws.String("k"), Body: strings.NewReader("v")})
	wantS3Error(t, err, "AccessDenied", http.StatusForbidden)
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("guarded"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("PutObject with AES256 = %+v, %v", out, err)
	}
}

// wantS3Error fails unless err is an S3 error with code and status.
func wantS3Error(t *testing.T, err error, code string, status int) {
	t.Helper()
	var ae smithy.APIError
	var re *awshttp.ResponseError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !errors.As(err, &re) || re.HTTPStatusCode() != status {
		t.Fatalf("error %v, want %s (%d)", err, code, status)
	}
}

// TestTheUpstreamBackendRefusesEncryptionItCannotVouchFor: in front of SeaweedFS, which
// does not honour x-amz-server-side-encryption without a KMS of its own, inkan refuses
// encryption requests with 501 naming the backend and claims no encryption in answers.
func TestTheUpstreamBackendRefusesEncryptionItCannotVouchFor(t *testing.T) {
	srv := sharedSeaweed(t).start(t)
	c := rootS3(srv)
	ctx := context.Background()
	createBuckets(t, srv, "upenc")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("upenc"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAes256})
	wantS3Error(t, err, "NotImplemented", http.StatusNotImplemented)
	if !strings.Contains(err.Error(), "upstream backend") {
		t.Errorf("the refusal does not name the backend: %v", err)
	}
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("upenc"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}})
	wantS3Error(t, err, "NotImplemented", http.StatusNotImplemented)
	_, err = c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("upenc")})
	wantS3Error(t, err, "ServerSideEncryptionConfigurationNotFoundError", http.StatusNotFound)
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("upenc"), Key: aws.String("k"), Body: strings.NewReader("v")})
	if err != nil || out.ServerSideEncryption != "" {
		t.Fatalf("a plain PutObject upstream = %q, %v; want no encryption claimed", out.ServerSideEncryption, err)
	}
	head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("upenc"), Key: aws.String("k")})
	if err != nil || head.ServerSideEncryption != "" {
		t.Fatalf("HeadObject upstream = %q, %v", head.ServerSideEncryption, err)
	}
}

// TestTheAdminCommandRotatesEncryptionKeysAndOldObjectsStayReadable rotates the master key
// with `inkan admin rotate-encryption-keys` between two writes: both objects read back, also
// after a restart, and an unsigned rotation is refused.
func TestTheAdminCommandRotatesEncryptionKeysAndOldObjectsStayReadable(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, "--data-dir", dir)
	ctx := context.Background()
	createBuckets(t, srv, "rot")
	put := func(srv *testServer, key string) {
		out, err := rootS3(srv).PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("rot"), Key: aws.String(key), Body: strings.NewReader("body of " + key)})
		if err != nil || out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Fatalf("PutObject %s = %+v, %v", key, out, err)
		}
	}
	put(srv, "old")
	env := map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY": rootSecretKey}
	var stdout, stderr strings.Builder
	code := cli.Main(ctx, []string{"admin", "rotate-encryption-keys", "--endpoint", srv.URL},
		cli.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string { return env[k] }})
	if code != 0 || !strings.Contains(stdout.String(), "encryption keys rotated: new objects are encrypted under master key ") {
		t.Fatalf("inkan admin rotate-encryption-keys: exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	put(srv, "new")
	resp, err := http.Post(srv.URL+"/_inkan/v1/encryption-keys/rotate", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("an unsigned rotation answered %d", resp.StatusCode)
	}
	srv.Stop()
	srv = startServer(t, "--data-dir", dir)
	for _, key := range []string{"old", "new"} {
		got, err := rootS3(srv).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rot"), Key: aws.String(key)})
		if err != nil {
			t.Fatalf("GetObject %s after the rotation and a restart: %v", key, err)
		}
		if b, _ := io.ReadAll(got.Body); string(b) != "body of "+key {
			t.Fatalf("%s reads %q", key, b)
		}
	}
}
