package s3_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/inkan-dev/inkan/internal/audit"
)

// prefixPolicy is the shape CI roles get: objects under one prefix of one bucket, and
// listing only that prefix.
const prefixPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::data/src/*"},
 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::data","Condition":{"StringLike":{"s3:prefix":["src/*"]}}}]}`

// writeOnlyPolicy may put and get objects but not list anything.
const writeOnlyPolicy = `{"Version":"2012-10-17","Statement":[
 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data/*"}]}`

func TestEveryDeniedPathAnswersTheRightS3Error(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.bucket("other")
	root := e.client(rootCredentials())
	for _, k := range []string{"src/a", "secret/b"} {
		if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("other"), Key: aws.String("src/a"), Body: strings.NewReader("x")}); err != nil {
		t.Fatal(err)
	}
	e.role("ci", prefixPolicy)
	e.role("writer", writeOnlyPolicy)
	ci := e.client(e.session("ci", 0))
	writer := e.client(e.session("writer", 0))

	t.Run("the allowed prefix works", func(t *testing.T) {
		if _, err := ci.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("src/new"), Body: strings.NewReader("n")}); err != nil {
			t.Fatal(err)
		}
		if _, err := ci.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("src/")}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("another bucket is AccessDenied", func(t *testing.T) {
		_, err := ci.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("other"), Key: aws.String("src/a")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
		_, err = ci.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("other"), Key: aws.String("src/x"), Body: strings.NewReader("x")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
	})
	t.Run("another prefix is AccessDenied", func(t *testing.T) {
		_, err := ci.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("secret/b")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
		_, err = ci.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("secret/")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
		_, err = ci.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
	})
	t.Run("listing without s3:ListBucket is AccessDenied", func(t *testing.T) {
		_, err := writer.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
		_, err = writer.ListObjects(e.ctx, &s3sdk.ListObjectsInput{Bucket: aws.String("data")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
	})
	t.Run("a missing object is 404 only to a caller who may list it", func(t *testing.T) {
		_, err := ci.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("src/missing")})
		requireCode(t, err, "NoSuchKey", http.StatusNotFound)
		_, err = writer.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("missing")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
		_, err = writer.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("missing")})
		requireStatus(t, err, http.StatusForbidden)
	})
	t.Run("copying needs GetObject on the source", func(t *testing.T) {
		_, err := ci.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("src/copy"), CopySource: aws.String("data/secret/b")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
	})
	t.Run("DeleteObjects reports each denied key and deletes the others", func(t *testing.T) {
		out, err := ci.DeleteObjects(e.ctx, &s3sdk.DeleteObjectsInput{Bucket: aws.String("data"), Delete: &types.Delete{
			Objects: []types.ObjectIdentifier{{Key: aws.String("src/new")}, {Key: aws.String("secret/b")}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "src/new" || len(out.Errors) != 1 ||
			aws.ToString(out.Errors[0].Code) != "AccessDenied" || aws.ToString(out.Errors[0].Key) != "secret/b" {
			t.Errorf("DeleteObjects: deleted %+v errors %+v", out.Deleted, out.Errors)
		}
		if _, err := root.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("secret/b")}); err != nil {
			t.Errorf("the denied key was deleted: %v", err)
		}
	})
	t.Run("bucket operations need their own actions", func(t *testing.T) {
		_, err := ci.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("newbucket")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
		_, err = ci.ListBuckets(e.ctx, &s3sdk.ListBucketsInput{})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
		_, err = ci.DeleteBucket(e.ctx, &s3sdk.DeleteBucketInput{Bucket: aws.String("other")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
	})
}

func TestBadCredentialsAnswerS3sCredentialErrors(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.role("ci", readWritePolicy("data"))
	good := e.session("ci", 15*time.Minute)
	get := func(c aws.Credentials) error {
		_, err := e.client(c).ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data")})
		return err
	}
	if err := get(good); err != nil {
		t.Fatal(err)
	}
	tampered := good
	tampered.SessionToken = good.SessionToken[:len(good.SessionToken)-4] + flip(good.SessionToken[len(good.SessionToken)-4:])
	requireCode(t, get(tampered), "InvalidToken", http.StatusBadRequest)
	unknown := aws.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "x"}
	requireCode(t, get(unknown), "InvalidAccessKeyId", http.StatusForbidden)
	wrongSecret := good
	wrongSecret.SecretAccessKey = "not-the-secret"
	requireCode(t, get(wrongSecret), "SignatureDoesNotMatch", http.StatusForbidden)
	otherKey := good
	otherKey.AccessKeyID = e.session("ci", 0).AccessKeyID
	requireCode(t, get(otherKey), "InvalidToken", http.StatusBadRequest)

	e.clock.advance(16 * time.Minute)
	requireCode(t, get(good), "ExpiredToken", http.StatusBadRequest)
	requireCode(t, get(rootCredentials()), "RequestTimeTooSkewed", http.StatusForbidden)
}

func flip(s string) string {
	b := []byte(s)
	for i := range b {
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
	}
	return string(b)
}

func TestDenialsAreAuditedWithTheirTrace(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.role("ci", prefixPolicy)
	ci := e.client(e.session("ci", 0))
	_, err := ci.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("secret/b")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	_, err = e.client(aws.Credentials{AccessKeyID: "AKIAUNKNOWNKEY000000", SecretAccessKey: "x"}).
		ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data")})
	requireCode(t, err, "InvalidAccessKeyId", http.StatusForbidden)

	recs := e.auditRecords()
	if len(recs) != 2 {
		t.Fatalf("%d audit records, want 2: %+v", len(recs), recs)
	}
	r := recs[0]
	if r.Service != "s3" || r.Action != "s3:GetObject" || r.Resource != "arn:aws:s3:::data/secret/b" || r.Outcome != "deny" ||
		r.Code != "AccessDenied" || !strings.Contains(r.Caller, "assumed-role/ci/") || r.RequestID == "" || r.Reason == "" {
		t.Errorf("denial record: %+v", r)
	}
	var trace any
	if len(r.Trace) == 0 || json.Unmarshal(r.Trace, &trace) != nil {
		t.Errorf("denial record without a decodable trace: %s", r.Trace)
	}
	if recs[1].Code != "InvalidAccessKeyId" || recs[1].Outcome != "deny" || recs[1].Action != "s3:ListBucket" ||
		recs[1].Caller != "access key AKIAUNKNOWNKEY000000" {
		t.Errorf("credential denial record: %+v", recs[1])
	}
}

func TestDenialMessagesNameTheRequestIDAndExplainOnlyInDevMode(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.role("ci", prefixPolicy)
	_, err := e.client(e.session("ci", 0)).GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("secret/b")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	msg := err.Error()
	if !strings.Contains(msg, "inkan explain") || !strings.Contains(msg, "is not authorized to perform: s3:GetObject") {
		t.Errorf("denial message %q lacks the AWS wording or the explain hint", msg)
	}
}

func TestConditionKeysOfTheRequestReachThePolicies(t *testing.T) {
	policy := `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::data","Condition":{"NumericLessThanEquals":{"s3:max-keys":"100"}}},
	 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data/*","Condition":{"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}}},
	 {"Effect":"Deny","Action":"s3:PutObject","Resource":"arn:aws:s3:::data/tls-only/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},
	 {"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::data/${aws:PrincipalTag/team}/*"}]}`
	for _, tls := range []bool{false, true} {
		e := newEnv(t, envOptions{tls: tls})
		e.bucket("data")
		e.role("ci", policy)
		c := e.client(e.session("ci", 0))
		_, err := c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden) // s3:max-keys is 1000 when absent
		if _, err := c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), MaxKeys: aws.Int32(50)}); err != nil {
			t.Errorf("max-keys 50: %v", err)
		}
		if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("any"), Body: strings.NewReader("x")}); err != nil {
			t.Errorf("from loopback: %v", err)
		}
		_, err = c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("tls-only/x"), Body: strings.NewReader("x")})
		if tls && err != nil {
			t.Errorf("over TLS: %v", err)
		}
		if !tls {
			requireCode(t, err, "AccessDenied", http.StatusForbidden)
		}
		// The session has no team tag, so the variable matches nothing.
		_, err = c.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("any")})
		requireCode(t, err, "AccessDenied", http.StatusForbidden)
	}
}

func TestKeysLongerThan1024BytesAreRefused(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	_, err := e.client(rootCredentials()).PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"),
		Key: aws.String(strings.Repeat("k", 1025)), Body: strings.NewReader("x")})
	requireCode(t, err, "KeyTooLongError", http.StatusBadRequest)
}

func TestAllowedRequestsAreAuditedOnlyWhenTheSettingPicksThem(t *testing.T) {
	for _, c := range []struct {
		name  string
		allow func() bool
		want  int
	}{{"off", nil, 0}, {"none picked", func() bool { return false }, 0}, {"all", func() bool { return true }, 1}} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, envOptions{auditAllow: c.allow})
			e.bucket("data")
			e.role("ci", prefixPolicy)
			ci := e.client(e.session("ci", 0))
			if _, err := ci.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), Prefix: aws.String("src/")}); err != nil {
				t.Fatal(err)
			}
			var recs []audit.Record // the root's requests that set the bucket up are allowed too
			for _, r := range e.auditRecords() {
				if !strings.HasSuffix(r.Caller, ":root") {
					recs = append(recs, r)
				}
			}
			if len(recs) != c.want {
				t.Fatalf("%d audit records, want %d: %+v", len(recs), c.want, recs)
			}
			if c.want == 0 {
				return
			}
			r := recs[0]
			if r.Outcome != "allow" || r.Action != "s3:ListBucket" || r.Resource != "arn:aws:s3:::data" ||
				!strings.Contains(r.Caller, "assumed-role/ci/") || r.RequestID == "" || r.Code != "" {
				t.Errorf("allow record: %+v", r)
			}
		})
	}
}
