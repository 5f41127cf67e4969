package s3_test

import (
	"crypto/md5"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestBucketLifecycleIsStoredReadBackAndDeletedThroughTheSDK(t *testing.T) {
	e := newEnv(t)
	e.bucket("logs")
	c := e.client(rootCredentials())
	_, err := c.GetBucketLifecycleConfiguration(e.ctx, &s3sdk.GetBucketLifecycleConfigurationInput{Bucket: aws.String("logs")})
	requireCode(t, err, "NoSuchLifecycleConfiguration", 404)
	put, err := c.PutBucketLifecycleConfiguration(e.ctx, &s3sdk.PutBucketLifecycleConfigurationInput{Bucket: aws.String("logs"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("old logs"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("app/")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}},
			{Status: types.ExpirationStatusDisabled, Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
				Prefix: aws.String("big/"), ObjectSizeGreaterThan: aws.Int64(1 << 20), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}},
				Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))}},
			{ID: aws.String("uploads"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
				AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)},
				NoncurrentVersionExpiration:    &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(3), NewerNoncurrentVersions: aws.Int32(2)}},
		}}})
	if err != nil {
		t.Fatal(err)
	}
	if put.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("PUT answered minimum size %q", put.TransitionDefaultMinimumObjectSize)
	}
	out, err := c.GetBucketLifecycleConfiguration(e.ctx, &s3sdk.GetBucketLifecycleConfigurationInput{Bucket: aws.String("logs")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Rules) != 3 || aws.ToString(out.Rules[0].ID) != "old logs" || aws.ToInt32(out.Rules[0].Expiration.Days) != 30 ||
		aws.ToString(out.Rules[0].Filter.Prefix) != "app/" || out.Rules[1].Status != types.ExpirationStatusDisabled ||
		aws.ToString(out.Rules[1].ID) == "" || !aws.ToTime(out.Rules[1].Expiration.Date).Equal(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)) ||
		aws.ToInt64(out.Rules[1].Filter.And.ObjectSizeGreaterThan) != 1<<20 || aws.ToString(out.Rules[1].Filter.And.Tags[0].Value) != "v" ||
		aws.ToInt32(out.Rules[2].AbortIncompleteMultipartUpload.DaysAfterInitiation) != 7 ||
		aws.ToInt32(out.Rules[2].NoncurrentVersionExpiration.NewerNoncurrentVersions) != 2 {
		t.Fatalf("read back %+v", out.Rules)
	}
	if out.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
		t.Errorf("GET answered minimum size %q", out.TransitionDefaultMinimumObjectSize)
	}
	if _, err := c.DeleteBucketLifecycle(e.ctx, &s3sdk.DeleteBucketLifecycleInput{Bucket: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketLifecycleConfiguration(e.ctx, &s3sdk.GetBucketLifecycleConfigurationInput{Bucket: aws.String("logs")})
	requireCode(t, err, "NoSuchLifecycleConfiguration", 404)
	_, err = c.PutBucketLifecycleConfiguration(e.ctx, &s3sdk.PutBucketLifecycleConfigurationInput{Bucket: aws.String("missing"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{}, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}}})
	requireCode(t, err, "NoSuchBucket", 404)
}

func TestBucketLifecycleRefusesWhatS3RefusesThroughTheSDK(t *testing.T) {
	e := newEnv(t)
	e.bucket("lc-bucket")
	c := e.client(rootCredentials())
	all := &types.LifecycleRuleFilter{}
	for _, tc := range []struct {
		name   string
		rules  []types.LifecycleRule
		code   string
		status int
	}{
		{"Days 0", []types.LifecycleRule{{Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(0)}}}, "InvalidArgument", 400},
		{"a Date at noon", []types.LifecycleRule{{Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Date: aws.Time(time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC))}}}, "InvalidArgument", 400},
		{"a duplicate ID", []types.LifecycleRule{{ID: aws.String("a"), Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
			{ID: aws.String("a"), Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(2)}}}, "InvalidArgument", 400},
		{"a lower-case status", []types.LifecycleRule{{Status: "enabled", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}}}, "MalformedXML", 400},
		{"Days with ExpiredObjectDeleteMarker", []types.LifecycleRule{{Status: "Enabled", Filter: all, Expiration: &types.LifecycleExpiration{Days: aws.Int32(1), ExpiredObjectDeleteMarker: aws.Bool(true)}}}, "MalformedXML", 400},
		{"a transition to GLACIER", []types.LifecycleRule{{Status: "Enabled", Filter: all, Transitions: []types.Transition{{Days: aws.Int32(30), StorageClass: types.TransitionStorageClassGlacier}}}}, "NotImplemented", 501},
		{"a transition to a class S3 lacks", []types.LifecycleRule{{Status: "Enabled", Filter: all, Transitions: []types.Transition{{Days: aws.Int32(30), StorageClass: "COLD"}}}}, "InvalidStorageClass", 400},
	} {
		_, err := c.PutBucketLifecycleConfiguration(e.ctx, &s3sdk.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lc-bucket"),
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: tc.rules}})
		t.Run(tc.name, func(t *testing.T) { requireCode(t, err, tc.code, tc.status) })
	}
	_, err := c.GetBucketLifecycleConfiguration(e.ctx, &s3sdk.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-bucket")})
	requireCode(t, err, "NoSuchLifecycleConfiguration", 404)
}

// putLifecycleRaw sends a signed PUT ?lifecycle with the body as given.
func putLifecycleRaw(t *testing.T, e *env, body string, header http.Header) (int, string) {
	t.Helper()
	req := signed(t, e, rootCredentials(), http.MethodPut, "/lc-bucket?lifecycle", []byte(body), sha256Hex([]byte(body)), header)
	resp, err := e.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func md5Header(body string) http.Header {
	sum := md5.Sum([]byte(body))
	return http.Header{"Content-Md5": {base64.StdEncoding.EncodeToString(sum[:])}}
}

func TestBucketLifecycleNeedsAChecksumABodyAndTheSchema(t *testing.T) {
	e := newEnv(t)
	e.bucket("lc-bucket")
	good := `<LifecycleConfiguration><Rule><ID>x</ID><Filter></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>`
	for _, tc := range []struct {
		name, body string
		header     http.Header
		status     int
		code       string
	}{
		{"without Content-MD5 or a checksum", good, nil, 400, "<Code>InvalidRequest</Code>"},
		{"with a wrong Content-MD5", good, md5Header("other"), 400, "<Code>BadDigest</Code>"},
		{"with an empty body", "", md5Header(""), 400, "<Code>MissingRequestBodyError</Code>"},
		{"with an unknown element", strings.Replace(good, "<Days>1</Days>", "<Days>1</Days><Hours>3</Hours>", 1), nil, 400, "<Code>MalformedXML</Code>"},
		{"with a Date that is not a date", strings.Replace(good, "<Days>1</Days>", "<Date>20200101</Date>", 1), nil, 400, "<Code>MalformedXML</Code>"},
		{"with another minimum size", good, http.Header{"X-Amz-Transition-Default-Minimum-Object-Size": {"all_storage_classes_1K"}}, 400, "<Code>InvalidArgument</Code>"},
		{"with varies_by_storage_class", good, http.Header{"X-Amz-Transition-Default-Minimum-Object-Size": {"varies_by_storage_class"}}, 200, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.name != "without Content-MD5 or a checksum" {
				h = md5Header(tc.body)
			}
			for k, v := range tc.header {
				h[k] = v
			}
			status, body := putLifecycleRaw(t, e, tc.body, h)
			if status != tc.status || !strings.Contains(body, tc.code) {
				t.Fatalf("status %d, body %s; want %d %s", status, body, tc.status, tc.code)
			}
		})
	}
	out, err := e.client(rootCredentials()).GetBucketLifecycleConfiguration(e.ctx, &s3sdk.GetBucketLifecycleConfigurationInput{Bucket: aws.String("lc-bucket")})
	if err != nil || out.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeVariesByStorageClass {
		t.Fatalf("GET after varies_by_storage_class: %+v %v", out, err)
	}
}

func TestObjectAnswersCarryTheExpirationAndUploadsTheirAbortDate(t *testing.T) {
	e := newEnv(t)
	e.bucket("lc-bucket")
	c := e.client(rootCredentials())
	if _, err := c.PutBucketLifecycleConfiguration(e.ctx, &s3sdk.PutBucketLifecycleConfigurationInput{Bucket: aws.String("lc-bucket"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("tmp files/1"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(2)}, AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(1)}},
		}}}); err != nil {
		t.Fatal(err)
	}
	put, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("lc-bucket"), Key: aws.String("tmp/a"), Body: strings.NewReader("x")})
	if err != nil {
		t.Fatal(err)
	}
	now := e.clock.Now().UTC()
	due := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 3)
	want := `expiry-date="` + due.Format(http.TimeFormat) + `", rule-id="tmp%20files%2F1"`
	if aws.ToString(put.Expiration) != want {
		t.Fatalf("PutObject x-amz-expiration %q, want %q", aws.ToString(put.Expiration), want)
	}
	head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("lc-bucket"), Key: aws.String("tmp/a")})
	if err != nil || aws.ToString(head.Expiration) != want {
		t.Fatalf("HeadObject x-amz-expiration %q (%v)", aws.ToString(head.Expiration), err)
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("lc-bucket"), Key: aws.String("tmp/a")})
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	if aws.ToString(get.Expiration) != want {
		t.Fatalf("GetObject x-amz-expiration %q", aws.ToString(get.Expiration))
	}
	other, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("lc-bucket"), Key: aws.String("keep/a"), Body: strings.NewReader("x")})
	if err != nil || other.Expiration != nil {
		t.Fatalf("an object no rule matches got x-amz-expiration %q (%v)", aws.ToString(other.Expiration), err)
	}
	done, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("lc-bucket"), Key: aws.String("tmp/done")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(e.ctx, &s3sdk.UploadPartInput{Bucket: aws.String("lc-bucket"), Key: aws.String("tmp/done"), UploadId: done.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	completed, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: aws.String("lc-bucket"), Key: aws.String("tmp/done"),
		UploadId: done.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
	if err != nil || aws.ToString(completed.Expiration) != want {
		t.Fatalf("CompleteMultipartUpload x-amz-expiration %q (%v)", aws.ToString(completed.Expiration), err)
	}
	up, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: aws.String("lc-bucket"), Key: aws.String("tmp/big")})
	if err != nil {
		t.Fatal(err)
	}
	abortAt := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 2)
	if !aws.ToTime(up.AbortDate).Equal(abortAt) || aws.ToString(up.AbortRuleId) != "tmp files/1" {
		t.Fatalf("CreateMultipartUpload abort %v %q, want %v", up.AbortDate, aws.ToString(up.AbortRuleId), abortAt)
	}
	parts, err := c.ListParts(e.ctx, &s3sdk.ListPartsInput{Bucket: aws.String("lc-bucket"), Key: aws.String("tmp/big"), UploadId: up.UploadId})
	if err != nil || !aws.ToTime(parts.AbortDate).Equal(abortAt) || aws.ToString(parts.AbortRuleId) != "tmp files/1" {
		t.Fatalf("ListParts abort %v %q (%v)", parts.AbortDate, aws.ToString(parts.AbortRuleId), err)
	}
}
