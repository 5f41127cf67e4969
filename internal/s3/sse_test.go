package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// TestNewObjectsAreEncryptedWithSSES3AndSayso checks AWS's default: every write answers
// x-amz-server-side-encryption: AES256 (PutObject, CopyObject, the three multipart
// steps), and so do GetObject and HeadObject.
func TestNewObjectsAreEncryptedWithSSES3AndSayso(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	put, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: e.body([]byte("hello"))})
	if err != nil || put.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("PutObject = %q, %v; want AES256", put.ServerSideEncryption, err)
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Range: aws.String("bytes=1-3")})
	if err != nil || get.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("GetObject = %q, %v", get.ServerSideEncryption, err)
	}
	if b, _ := io.ReadAll(get.Body); string(b) != "ell" {
		t.Fatalf("ranged read %q", b)
	}
	head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err != nil || head.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("HeadObject = %q, %v", head.ServerSideEncryption, err)
	}
	cp, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("copy"), CopySource: aws.String("data/k")})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CopyObject = %q, %v", cp.ServerSideEncryption, err)
	}
	up, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("mp")})
	if err != nil || up.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CreateMultipartUpload = %q, %v", up.ServerSideEncryption, err)
	}
	part, err := c.UploadPart(e.ctx, &s3sdk.UploadPartInput{Bucket: aws.String("data"), Key: aws.String("mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: e.body([]byte("part"))})
	if err != nil || part.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("UploadPart = %q, %v", part.ServerSideEncryption, err)
	}
	done, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	if err != nil || done.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CompleteMultipartUpload = %q, %v", done.ServerSideEncryption, err)
	}
}

// TestEncryptionHeadersAreCheckedAsS3ChecksThem covers reference §4's refusals: aws:kms
// is 501 (no KMS), another value 400, the header on a read 400.
func TestEncryptionHeadersAreCheckedAsS3ChecksThem(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	for _, v := range []types.ServerSideEncryption{types.ServerSideEncryptionAwsKms, types.ServerSideEncryptionAwsKmsDsse} {
		_, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: e.body([]byte("v")), ServerSideEncryption: v})
		requireCode(t, err, "NotImplemented", http.StatusNotImplemented)
	}
	_, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: e.body([]byte("v")), ServerSideEncryption: "AES128"})
	requireCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k"), SSEKMSKeyId: aws.String("alias/x"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	requireCode(t, err, "NotImplemented", http.StatusNotImplemented)
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: e.body([]byte("v")),
		ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatal(err)
	}
	withSSE := func(o *s3sdk.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.SetHeaderValue("x-amz-server-side-encryption", "AES256"))
	}
	_, err = c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}, withSSE)
	requireCode(t, err, "InvalidArgument", http.StatusBadRequest)
	_, err = c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}, withSSE)
	requireStatus(t, err, http.StatusBadRequest)
}

// TestBucketEncryptionIsStoredReadBackAndResetToTheDefault covers
// Put/Get/DeleteBucketEncryption and the refusal of KMS defaults.
func TestBucketEncryptionIsStoredReadBackAndResetToTheDefault(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	put := func(alg types.ServerSideEncryption, blocked ...types.EncryptionType) error {
		rule := types.ServerSideEncryptionRule{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: alg},
			BucketKeyEnabled: aws.Bool(true)}
		if blocked != nil {
			rule.BlockedEncryptionTypes = &types.BlockedEncryptionTypes{EncryptionType: blocked}
		}
		_, err := c.PutBucketEncryption(e.ctx, &s3sdk.PutBucketEncryptionInput{Bucket: aws.String("data"),
			ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{rule}}})
		return err
	}
	requireCode(t, put(types.ServerSideEncryptionAwsKms), "NotImplemented", http.StatusNotImplemented)
	requireCode(t, put(types.ServerSideEncryptionAwsKmsDsse), "NotImplemented", http.StatusNotImplemented)
	requireCode(t, put("AES128"), "MalformedXML", http.StatusBadRequest)
	doc := []byte(`<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`)
	resp, err := e.server.Client().Do(signed(t, e, rootCredentials(), http.MethodPut, "/data?encryption", doc, sha256Hex(doc), nil))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "Missing required header for this request: Content-MD5") {
		t.Fatalf("PutBucketEncryption without a checksum answered %d %s", resp.StatusCode, body)
	}
	if err := put(types.ServerSideEncryptionAes256, types.EncryptionTypeNone); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketEncryption(e.ctx, &s3sdk.GetBucketEncryptionInput{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	r := out.ServerSideEncryptionConfiguration.Rules[0]
	if r.ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 || !aws.ToBool(r.BucketKeyEnabled) ||
		r.BlockedEncryptionTypes.EncryptionType[0] != types.EncryptionTypeNone {
		t.Fatalf("read back %+v", r)
	}
	if _, err := c.DeleteBucketEncryption(e.ctx, &s3sdk.DeleteBucketEncryptionInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	blocked := func(when string) {
		out, err := c.GetBucketEncryption(e.ctx, &s3sdk.GetBucketEncryptionInput{Bucket: aws.String("data")})
		if err != nil || out.ServerSideEncryptionConfiguration.Rules[0].BlockedEncryptionTypes.EncryptionType[0] != types.EncryptionTypeSseC {
			t.Fatalf("%s: %+v, %v; want the default (SSE-C blocked)", when, out, err)
		}
	}
	blocked("after DeleteBucketEncryption")
	// a bucket deleted and created again does not inherit its predecessor's configuration
	if err := put(types.ServerSideEncryptionAes256, types.EncryptionTypeNone); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(e.ctx, &s3sdk.DeleteBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	e.bucket("data")
	blocked("after the bucket was deleted and created again")
}

// TestWithDefaultEncryptionOffOnlyWhatIsAskedForIsEncrypted pins objects.encrypt_at_rest
// false: no header and a 404 GetBucketEncryption where nothing asked for encryption, and
// encryption (with its header) for a request's AES256 or a bucket's configuration.
func TestWithDefaultEncryptionOffOnlyWhatIsAskedForIsEncrypted(t *testing.T) {
	e := newEnv(t, envOptions{plaintext: true})
	e.bucket("data")
	c := e.client(rootCredentials())
	_, err := c.GetBucketEncryption(e.ctx, &s3sdk.GetBucketEncryptionInput{Bucket: aws.String("data")})
	requireCode(t, err, "ServerSideEncryptionConfigurationNotFoundError", http.StatusNotFound)
	put := func(key string, sse types.ServerSideEncryption) types.ServerSideEncryption {
		out, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: e.body([]byte("v")), ServerSideEncryption: sse})
		if err != nil {
			t.Fatal(err)
		}
		head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
		if err != nil || head.ServerSideEncryption != out.ServerSideEncryption {
			t.Fatalf("HeadObject %s = %q, %v; PutObject said %q", key, head.ServerSideEncryption, err, out.ServerSideEncryption)
		}
		return out.ServerSideEncryption
	}
	if got := put("plain", ""); got != "" {
		t.Fatalf("an object nobody asked to encrypt reports %q", got)
	}
	if got := put("asked", types.ServerSideEncryptionAes256); got != types.ServerSideEncryptionAes256 {
		t.Fatalf("an object written with AES256 reports %q", got)
	}
	if _, err := c.PutBucketEncryption(e.ctx, &s3sdk.PutBucketEncryptionInput{Bucket: aws.String("data"),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}}); err != nil {
		t.Fatal(err)
	}
	if got := put("configured", ""); got != types.ServerSideEncryptionAes256 {
		t.Fatalf("an object in a bucket configured for AES256 reports %q", got)
	}
}

// TestABucketPolicyCanDenyUploadsWithoutAES256 is the classic policy: deny s3:PutObject
// unless x-amz-server-side-encryption is AES256, and deny it when the header is absent.
func TestABucketPolicyCanDenyUploadsWithoutAES256(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	policy := `{"Version":"2012-10-17","Statement":[
		{"Sid":"DenyWrongEncryption","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::data/*",
		 "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
		{"Sid":"DenyUnencrypted","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::data/*",
		 "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`
	if _, err := c.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: e.body([]byte("v"))})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	_, err = c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("k2"), CopySource: aws.String("data/k")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	_, err = c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("k")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: e.body([]byte("v")),
		ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatalf("PutObject with AES256 under the policy: %v", err)
	}
	if _, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("k2"), CopySource: aws.String("data/k"),
		ServerSideEncryption: types.ServerSideEncryptionAes256}); err != nil {
		t.Fatalf("CopyObject with AES256 under the policy: %v", err)
	}
	// a multipart upload started with AES256 finishes: its parts carry the upload's key
	up, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("mp"),
		ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(e.ctx, &s3sdk.UploadPartInput{Bucket: aws.String("data"), Key: aws.String("mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: e.body([]byte("part"))})
	if err != nil {
		t.Fatalf("UploadPart of an AES256 upload under the policy: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}}); err != nil {
		t.Fatalf("CompleteMultipartUpload of an AES256 upload under the policy: %v", err)
	}
}

// customerKey is an SSE-C key and its MD5, base64.
func customerKey(b byte) (key, keyMD5 string) {
	raw := bytes.Repeat([]byte{b}, 32)
	sum := md5.Sum(raw)
	return base64.StdEncoding.EncodeToString(raw), base64.StdEncoding.EncodeToString(sum[:])
}

// allowSSEC sets BlockedEncryptionTypes NONE on the bucket.
func (e *env) allowSSEC(c *s3sdk.Client, bucket string) {
	e.t.Helper()
	if _, err := c.PutBucketEncryption(e.ctx, &s3sdk.PutBucketEncryptionInput{Bucket: aws.String(bucket),
		ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
			ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256},
			BlockedEncryptionTypes:             &types.BlockedEncryptionTypes{EncryptionType: []types.EncryptionType{types.EncryptionTypeNone}}}}}}); err != nil {
		e.t.Fatal(err)
	}
}

// TestSSECObjectsNeedTheirKeyOnEveryRead walks reference §4's SSE-C table over TLS:
// blocked by default (403), then a round trip, the echoed headers, a read without the key
// (400), with another key (403), HEAD, and a copy to SSE-S3 that needs the source's key.
func TestSSECObjectsNeedTheirKeyOnEveryRead(t *testing.T) {
	e := newEnv(t, envOptions{tls: true})
	e.bucket("data")
	c := e.client(rootCredentials())
	key, keyMD5 := customerKey(1)
	other, otherMD5 := customerKey(2)
	in := func(k string) *s3sdk.PutObjectInput {
		return &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: e.body([]byte("secret data")),
			SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(keyMD5)}
	}
	_, err := c.PutObject(e.ctx, in("k"))
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	e.allowSSEC(c, "data")
	put, err := c.PutObject(e.ctx, in("k"))
	if err != nil || aws.ToString(put.SSECustomerAlgorithm) != "AES256" || aws.ToString(put.SSECustomerKeyMD5) != keyMD5 || put.ServerSideEncryption != "" {
		t.Fatalf("PutObject = %+v, %v", put, err)
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(keyMD5)})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(get.Body); string(b) != "secret data" || aws.ToString(get.SSECustomerKeyMD5) != keyMD5 {
		t.Fatalf("GetObject read %q, key MD5 %q", b, aws.ToString(get.SSECustomerKeyMD5))
	}
	_, err = c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(other), SSECustomerKeyMD5: aws.String(otherMD5)})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	_, err = c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(other), SSECustomerKeyMD5: aws.String(otherMD5)})
	requireStatus(t, err, http.StatusForbidden)
	if _, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(keyMD5)}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObjectAttributes(e.ctx, &s3sdk.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("k"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	if _, err := c.GetObjectAttributes(e.ctx, &s3sdk.GetObjectAttributesInput{Bucket: aws.String("data"), Key: aws.String("k"),
		ObjectAttributes:     []types.ObjectAttributes{types.ObjectAttributesObjectSize},
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(keyMD5)}); err != nil {
		t.Fatalf("GetObjectAttributes with the key: %v", err)
	}
	_, err = c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("plain"), CopySource: aws.String("data/k")})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	cp, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("plain"), CopySource: aws.String("data/k"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(key), CopySourceSSECustomerKeyMD5: aws.String(keyMD5)})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CopyObject SSE-C to SSE-S3 = %+v, %v", cp, err)
	}
	got, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("plain")})
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(got.Body); string(b) != "secret data" {
		t.Fatalf("the SSE-S3 copy reads %q", b)
	}
	// key rotation by copying onto itself with a new key
	if _, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), CopySource: aws.String("data/k"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(key), CopySourceSSECustomerKeyMD5: aws.String(keyMD5),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(other), SSECustomerKeyMD5: aws.String(otherMD5)}); err != nil {
		t.Fatalf("rotating the key by copy: %v", err)
	}
	_, err = c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(key), SSECustomerKeyMD5: aws.String(keyMD5)})
	requireStatus(t, err, http.StatusForbidden)
}

// TestSSECHeaderProblemsAreS3sAnswers covers the header rows of reference §4's table,
// plain HTTP included.
func TestSSECHeaderProblemsAreS3sAnswers(t *testing.T) {
	key, keyMD5 := customerKey(1)
	short := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{1}, 16))
	for _, tc := range []struct {
		name, alg, key, md5, message string
	}{
		{"another algorithm", "AES128", key, keyMD5, "must provide a valid encryption algorithm."},
		{"no key", "AES256", "", keyMD5, "must provide an appropriate secret key."},
		{"no key MD5", "AES256", key, "", "must provide the client calculated MD5 of the secret key."},
		{"a key of 128 bits", "AES256", short, keyMD5, "The secret key was invalid for the specified algorithm."},
		{"another key's MD5", "AES256", key, base64.StdEncoding.EncodeToString(make([]byte, 16)), "The calculated MD5 hash of the key did not match the hash that was provided."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{tls: true})
			e.bucket("data")
			status, body := e.rawSSEC(tc.alg, tc.key, tc.md5)
			if status != http.StatusBadRequest || !strings.Contains(body, "<Code>InvalidArgument</Code>") || !strings.Contains(body, tc.message) {
				t.Fatalf("answer %d %s", status, body)
			}
			if strings.Contains(body, key) {
				t.Fatal("the answer quotes the key")
			}
		})
	}
	t.Run("plain HTTP", func(t *testing.T) {
		e := newEnv(t)
		e.bucket("data")
		status, body := e.rawSSEC("AES256", key, keyMD5)
		if status != http.StatusBadRequest || !strings.Contains(body, "<Code>InvalidRequest</Code>") || !strings.Contains(body, "must be made over a secure connection") {
			t.Fatalf("answer %d %s", status, body)
		}
	})
}

// rawSSEC sends a GET with the SSE-C headers as given (the SDK would fix them).
func (e *env) rawSSEC(alg, key, keyMD5 string) (int, string) {
	e.t.Helper()
	h := http.Header{}
	for name, v := range map[string]string{"algorithm": alg, "key": key, "key-MD5": keyMD5} {
		if v != "" {
			h.Set("x-amz-server-side-encryption-customer-"+name, v)
		}
	}
	req := signed(e.t, e, rootCredentials(), http.MethodGet, "/data/k", nil, emptySHA256, h)
	resp, err := e.server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestADamagedEncryptedObjectIsAServerErrorWithoutDetail flips a byte in every data file:
// a GET answers 500 InternalError with S3's generic message, never other bytes and never
// the file's path (the cause goes to the log).
func TestADamagedEncryptedObjectIsAServerErrorWithoutDetail(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: e.body([]byte("precious bytes"))}); err != nil {
		t.Fatal(err)
	}
	damaged := 0
	filepath.WalkDir(filepath.Join(e.dir, "objects", "blobs"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		b[len(b)-3] ^= 1
		damaged++
		return os.WriteFile(path, b, 0o600)
	})
	if damaged != 1 {
		t.Fatalf("damaged %d data files, want 1", damaged)
	}
	req := signed(t, e, rootCredentials(), http.MethodGet, "/data/k", nil, emptySHA256, nil)
	resp, err := e.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "<Code>InternalError</Code>") ||
		strings.Contains(string(body), "blobs") || strings.Contains(string(body), "precious") {
		t.Fatalf("answer %d %s", resp.StatusCode, body)
	}
}

// TestObjectsStoredBeforeEncryptionAreServedAsTheyAre writes an object as an older inkan
// did (no encryption) straight into the backend: it reads back without the header, and a
// copy of it is encrypted like any new object.
func TestObjectsStoredBeforeEncryptionAreServedAsTheyAre(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	if _, err := e.backend.PutObject(e.ctx, "data", "old", strings.NewReader("legacy"), 6, objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	c := e.client(rootCredentials())
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("old")})
	if err != nil || get.ServerSideEncryption != "" {
		t.Fatalf("GetObject of a legacy object = %q, %v; want no header", get.ServerSideEncryption, err)
	}
	if b, _ := io.ReadAll(get.Body); string(b) != "legacy" {
		t.Fatalf("read %q", b)
	}
	cp, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("new"), CopySource: aws.String("data/old")})
	if err != nil || cp.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("CopyObject of a legacy object = %q, %v; want AES256", cp.ServerSideEncryption, err)
	}
}
