package s3_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBucketLifecycleAnswersS3sBucketErrors(t *testing.T) {
	e := newEnv(t)
	c := e.client(rootCredentials())
	_, err := c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("Bad_Name")})
	requireCode(t, err, "InvalidBucketName", http.StatusBadRequest)
	e.bucket("data")
	_, err = c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("data")})
	requireCode(t, err, "BucketAlreadyOwnedByYou", http.StatusConflict)
	_, err = c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("elsewhere"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	requireCode(t, err, "IllegalLocationConstraintException", http.StatusBadRequest)

	_, err = c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("explicit"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	requireCode(t, err, "InvalidLocationConstraint", http.StatusBadRequest)
	if _, err := c.HeadBucket(e.ctx, &s3sdk.HeadBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.HeadBucket(e.ctx, &s3sdk.HeadBucketInput{Bucket: aws.String("nothere")})
	requireStatus(t, err, http.StatusNotFound)
	loc, err := c.GetBucketLocation(e.ctx, &s3sdk.GetBucketLocationInput{Bucket: aws.String("data")})
	if err != nil {
		t.Fatal(err)
	}
	if loc.LocationConstraint != "" {
		t.Errorf("us-east-1 location %q, want the empty constraint", loc.LocationConstraint)
	}
	ver, err := c.GetBucketVersioning(e.ctx, &s3sdk.GetBucketVersioningInput{Bucket: aws.String("data")})
	if err != nil || ver.Status != "" {
		t.Errorf("GetBucketVersioning: %v, status %q; want never versioned", err, ver.Status)
	}

	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(e.ctx, &s3sdk.DeleteBucketInput{Bucket: aws.String("data")})
	requireCode(t, err, "BucketNotEmpty", http.StatusConflict)
	if _, err := c.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteBucket(e.ctx, &s3sdk.DeleteBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DeleteBucket(e.ctx, &s3sdk.DeleteBucketInput{Bucket: aws.String("data")})
	requireCode(t, err, "NoSuchBucket", http.StatusNotFound)
	_, err = c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")})
	requireCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

func TestWithoutAPinnedRegionAnyLocationConstraintIsAccepted(t *testing.T) {
	e := newEnv(t, envOptions{anyRegion: true})
	c := e.client(rootCredentials(), func(o *s3sdk.Options) { o.Region = "eu-central-1" })
	if _, err := c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("data"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuCentral1}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.HeadBucket(e.ctx, &s3sdk.HeadBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Errorf("a request signed for another region: %v", err)
	}
}

func TestUnimplementedFeaturesAnswerNotImplemented(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	// SSE-KMS has no key store here (sse.go)
	_, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v"),
		ServerSideEncryption: types.ServerSideEncryptionAwsKms})
	requireCode(t, err, "NotImplemented", http.StatusNotImplemented)
	_, err = c.PutBucketLifecycleConfiguration(e.ctx, &s3sdk.PutBucketLifecycleConfigurationInput{Bucket: aws.String("data"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{Prefix: aws.String("")}, Transitions: []types.Transition{{Days: aws.Int32(1), StorageClass: types.TransitionStorageClassGlacier}}}}}})
	requireCode(t, err, "NotImplemented", http.StatusNotImplemented)
	_, err = c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), VersionId: aws.String("3HL4kqtJlcpXroDTDmJ")})
	requireCode(t, err, "InvalidArgument", http.StatusBadRequest)
	if _, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}); err == nil {
		t.Error("a refused PutObject stored the object")
	}
}

func TestBucketPoliciesAreValidatedStoredAndEnforced(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.bucket("other")
	e.unblock("data")
	root := e.client(rootCredentials())
	if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("pub/a"), Body: strings.NewReader("a")}); err != nil {
		t.Fatal(err)
	}
	_, err := root.GetBucketPolicy(e.ctx, &s3sdk.GetBucketPolicyInput{Bucket: aws.String("data")})
	requireCode(t, err, "NoSuchBucketPolicy", http.StatusNotFound)
	for _, bad := range []string{
		`not json`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:CreateRole","Resource":"arn:aws:s3:::data"}]}`,
	} {
		_, err := root.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(bad)})
		requireCode(t, err, "MalformedPolicy", http.StatusBadRequest)
	}

	// The role has no identity policy at all: only the bucket policy, which names the role,
	// grants it reads; and the bucket policy denies writes to everyone but root.
	e.role("reader")
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Sid":"RoleReads","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:role/reader"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"},
	 {"Sid":"PublicReads","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/pub/*"}]}`
	if _, err := root.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	got, err := root.GetBucketPolicy(e.ctx, &s3sdk.GetBucketPolicyInput{Bucket: aws.String("data")})
	if err != nil || aws.ToString(got.Policy) != policy {
		t.Fatalf("GetBucketPolicy: %v, %q", err, aws.ToString(got.Policy))
	}
	reader := e.client(e.session("reader", 0))
	if _, err := reader.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("pub/a")}); err != nil {
		t.Errorf("the bucket policy's grant to the role did not apply: %v", err)
	}
	_, err = reader.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("pub/b"), Body: strings.NewReader("b")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)

	// Anonymous reads: allowed under pub/ by "*", refused elsewhere and in other buckets.
	resp := anonymous(t, e, http.MethodGet, "/data/pub/a", nil)
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusOK || string(body) != "a" {
		t.Errorf("anonymous GET under a public prefix: %d %q", resp.StatusCode, body)
	}
	for _, path := range []string{"/data/private", "/other/pub/a", "/data?list-type=2"} {
		if resp := anonymous(t, e, http.MethodGet, path, nil); resp.StatusCode != http.StatusForbidden {
			t.Errorf("anonymous GET %s: %d, want 403", path, resp.StatusCode)
		}
	}

	// An explicit Deny in the bucket policy beats a session's identity policy, and binds
	// root too (TestAnExplicitDenyInABucketPolicyBindsRootButForThePolicyItself).
	e.role("writer", readWritePolicy("data"))
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::data/locked/*"}]}`
	if _, err := root.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	writer := e.client(e.session("writer", 0))
	_, err = writer.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("locked/x"), Body: strings.NewReader("x")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	if _, err := writer.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("open/x"), Body: strings.NewReader("x")}); err != nil {
		t.Errorf("write outside the denied prefix: %v", err)
	}
	_, err = root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("locked/x"), Body: strings.NewReader("x")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)

	if _, err := root.DeleteBucketPolicy(e.ctx, &s3sdk.DeleteBucketPolicyInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	if _, err := writer.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("locked/y"), Body: strings.NewReader("y")}); err != nil {
		t.Errorf("the deleted policy still applies: %v", err)
	}
	if _, err := root.DeleteBucketPolicy(e.ctx, &s3sdk.DeleteBucketPolicyInput{Bucket: aws.String("data")}); err != nil {
		t.Errorf("deleting no policy: %v", err)
	}
}

func TestADeletedBucketsPolicyDoesNotGovernItsSuccessor(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.unblock("data")
	root := e.client(rootCredentials())
	public := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`
	if _, err := root.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(public)}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.DeleteBucket(e.ctx, &s3sdk.DeleteBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	e.bucket("data")
	_, err := root.GetBucketPolicy(e.ctx, &s3sdk.GetBucketPolicyInput{Bucket: aws.String("data")})
	requireCode(t, err, "NoSuchBucketPolicy", http.StatusNotFound)
}

// anonymous sends an unsigned request.
func anonymous(t *testing.T, e *env, method, path string, body []byte) *http.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(e.ctx, 10*time.Second)
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, method, e.server.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

func TestACopySourceIsJudgedByTheSourceBucketsPolicy(t *testing.T) {
	e := newEnv(t)
	e.bucket("source")
	e.bucket("target")
	root := e.client(rootCredentials())
	for _, k := range []string{"shared/a", "secret/b"} {
		if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("source"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	// The role may only write the target; the source bucket's policy lets it read shared/,
	// and the target's policy says nothing about the source.
	e.role("copier", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::target/*"}]}`)
	grant := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account +
		`:role/copier"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::source/shared/*"}]}`
	if _, err := root.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("source"), Policy: aws.String(grant)}); err != nil {
		t.Fatal(err)
	}
	c := e.client(e.session("copier", 0))
	if _, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("target"), Key: aws.String("a"), CopySource: aws.String("source/shared/a")}); err != nil {
		t.Errorf("copy granted by the source bucket's policy: %v", err)
	}
	_, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("target"), Key: aws.String("b"), CopySource: aws.String("source/secret/b")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
}

// The AWS CLI asks for a source's tags before every multipart copy: inkan keeps no object
// tags, so the answer is an empty set, and a missing object is still 404.
func TestObjectsHaveAnEmptyTagSet(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetObjectTagging(e.ctx, &s3sdk.GetObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err != nil || len(out.TagSet) != 0 {
		t.Fatalf("GetObjectTagging = %+v, %v", out, err)
	}
	_, err = c.GetObjectTagging(e.ctx, &s3sdk.GetObjectTaggingInput{Bucket: aws.String("data"), Key: aws.String("missing")})
	requireCode(t, err, "NoSuchKey", http.StatusNotFound)
}

// TestAnExplicitDenyInABucketPolicyBindsRootButForThePolicyItself pins S3's rule: root is
// bound by a bucket policy's Deny, except for Get/Put/DeleteBucketPolicy, so that an owner
// cannot lock itself out.
func TestAnExplicitDenyInABucketPolicyBindsRootButForThePolicyItself(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*",` +
		`"Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}`
	if _, err := c.PutBucketPolicy(e.ctx, &s3sdk.PutBucketPolicyInput{Bucket: aws.String("data"), Policy: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	_, err = c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k2"), Body: strings.NewReader("v")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	_, err = c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	if _, err := c.GetBucketPolicy(e.ctx, &s3sdk.GetBucketPolicyInput{Bucket: aws.String("data")}); err != nil {
		t.Errorf("root reading the policy that denies it everything: %v", err)
	}
	if _, err := c.DeleteBucketPolicy(e.ctx, &s3sdk.DeleteBucketPolicyInput{Bucket: aws.String("data")}); err != nil {
		t.Fatalf("root deleting the policy that denies it everything: %v", err)
	}
	if _, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}); err != nil {
		t.Errorf("GetObject once the policy is gone: %v", err)
	}
}
