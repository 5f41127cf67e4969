package s3_test

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// versioned creates bucket name with versioning set to status.
func (e *env) versioned(name string, status types.BucketVersioningStatus) *s3sdk.Client {
	e.t.Helper()
	e.bucket(name)
	root := e.client(rootCredentials())
	if _, err := root.PutBucketVersioning(e.ctx, &s3sdk.PutBucketVersioningInput{Bucket: aws.String(name),
		VersioningConfiguration: &types.VersioningConfiguration{Status: status}}); err != nil {
		e.t.Fatalf("PutBucketVersioning: %v", err)
	}
	return root
}

func putString(t *testing.T, c *s3sdk.Client, bucket, key, body string) *s3sdk.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(t.Context(), &s3sdk.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s: %v", key, err)
	}
	return out
}

func getVersion(t *testing.T, c *s3sdk.Client, bucket, key, vid string) (string, *s3sdk.GetObjectOutput, error) {
	t.Helper()
	in := &s3sdk.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if vid != "" {
		in.VersionId = aws.String(vid)
	}
	out, err := c.GetObject(t.Context(), in)
	if err != nil {
		return "", nil, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), out, err
}

// responseHeader is a header of the HTTP answer behind an SDK error.
func responseHeader(t *testing.T, err error, name string) string {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v has no HTTP response", err)
	}
	return re.Response.Header.Get(name)
}

func TestBucketVersioningIsSetReportedAndValidated(t *testing.T) {
	e := newEnv(t)
	e.bucket("vbk")
	root := e.client(rootCredentials())
	get := func() types.BucketVersioningStatus {
		out, err := root.GetBucketVersioning(e.ctx, &s3sdk.GetBucketVersioningInput{Bucket: aws.String("vbk")})
		if err != nil {
			t.Fatal(err)
		}
		if out.MFADelete != "" {
			t.Fatalf("MfaDelete %q answered for a bucket that never configured it", out.MFADelete)
		}
		return out.Status
	}
	if s := get(); s != "" {
		t.Fatalf("a new bucket's versioning status is %q", s)
	}
	for _, s := range []types.BucketVersioningStatus{types.BucketVersioningStatusEnabled, types.BucketVersioningStatusSuspended} {
		if _, err := root.PutBucketVersioning(e.ctx, &s3sdk.PutBucketVersioningInput{Bucket: aws.String("vbk"),
			VersioningConfiguration: &types.VersioningConfiguration{Status: s}}); err != nil {
			t.Fatal(err)
		}
		if got := get(); got != s {
			t.Fatalf("status %q after setting %q", got, s)
		}
	}
	put := func(bucket string, cfg types.VersioningConfiguration) error {
		_, err := root.PutBucketVersioning(e.ctx, &s3sdk.PutBucketVersioningInput{Bucket: aws.String(bucket), VersioningConfiguration: &cfg})
		return err
	}
	requireCode(t, put("vbk", types.VersioningConfiguration{Status: "Disabled"}), "MalformedXML", 400)
	requireCode(t, put("vbk", types.VersioningConfiguration{}), "MalformedXML", 400)
	requireCode(t, put("vbk", types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}),
		"NotImplemented", 501)
	if err := put("vbk", types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteDisabled}); err != nil {
		t.Fatalf("MfaDelete Disabled refused: %v", err)
	}
	requireCode(t, put("missing", types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}), "NoSuchBucket", 404)
}

func TestVersionedObjectsAreReadAndDeletedByVersionID(t *testing.T) {
	e := newEnv(t)
	root := e.versioned("vbk", types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(putString(t, root, "vbk", "k", "one").VersionId)
	v2 := aws.ToString(putString(t, root, "vbk", "k", "two").VersionId)
	if v1 == "" || v2 == "" || v1 == v2 {
		t.Fatalf("PutObject version ids %q, %q", v1, v2)
	}
	t.Run("a version is read by its id, the current one without", func(t *testing.T) {
		for vid, want := range map[string]string{v1: "one", v2: "two", "": "two"} {
			body, out, err := getVersion(t, root, "vbk", "k", vid)
			if err != nil || body != want || aws.ToString(out.VersionId) == "" {
				t.Fatalf("GET version %q = %q, %v, version %q", vid, body, err, aws.ToString(out.VersionId))
			}
		}
		head, err := root.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v1)})
		if err != nil || aws.ToString(head.VersionId) != v1 || aws.ToInt64(head.ContentLength) != 3 {
			t.Fatalf("HEAD version = %+v, %v", head, err)
		}
	})
	var marker string
	t.Run("a delete adds a delete marker, and the key reads as deleted", func(t *testing.T) {
		out, err := root.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k")})
		if err != nil || !aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) == "" {
			t.Fatalf("DeleteObject = %+v, %v", out, err)
		}
		marker = aws.ToString(out.VersionId)
		_, _, err = getVersion(t, root, "vbk", "k", "")
		requireCode(t, err, "NoSuchKey", 404)
		if responseHeader(t, err, "x-amz-delete-marker") != "true" || responseHeader(t, err, "x-amz-version-id") != marker {
			t.Fatal("the 404 of a deleted key does not carry the delete marker's headers")
		}
		_, _, err = getVersion(t, root, "vbk", "k", marker)
		requireCode(t, err, "MethodNotAllowed", 405)
		if responseHeader(t, err, "x-amz-delete-marker") != "true" || responseHeader(t, err, "Last-Modified") == "" {
			t.Fatal("the 405 of a delete marker lacks x-amz-delete-marker or Last-Modified")
		}
		_, err = root.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(marker)})
		requireStatus(t, err, 405)
	})
	t.Run("deleting the marker by id brings the object back", func(t *testing.T) {
		out, err := root.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(marker)})
		if err != nil || !aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) != marker {
			t.Fatalf("DeleteObject(marker) = %+v, %v", out, err)
		}
		if body, _, err := getVersion(t, root, "vbk", "k", ""); err != nil || body != "two" {
			t.Fatalf("GET after removing the marker = %q, %v", body, err)
		}
		out, err = root.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v2)})
		if err != nil || aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) != v2 {
			t.Fatalf("DeleteObject(v2) = %+v, %v", out, err)
		}
		if body, _, err := getVersion(t, root, "vbk", "k", ""); err != nil || body != "one" {
			t.Fatalf("GET after removing v2 = %q, %v", body, err)
		}
	})
	t.Run("bad and unknown version ids", func(t *testing.T) {
		_, _, err := getVersion(t, root, "vbk", "k", "not-a-version")
		requireCode(t, err, "InvalidArgument", 400)
		var ae interface{ ErrorMessage() string }
		if errors.As(err, &ae) && ae.ErrorMessage() != "Invalid version id specified" {
			t.Fatalf("message %q", ae.ErrorMessage())
		}
		_, _, err = getVersion(t, root, "vbk", "k", v2)
		requireCode(t, err, "NoSuchVersion", 404)
		_, err = root.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String("bad id")})
		requireStatus(t, err, 400)
		resp := e.rawRequest(t, http.MethodGet, "/vbk/k?versionId=")
		if resp.StatusCode != 400 || !strings.Contains(resp.body, "Version id cannot be the empty string") {
			t.Fatalf("GET ?versionId= answered %d %s", resp.StatusCode, resp.body)
		}
	})
}

func TestSuspendedAndNeverVersionedBucketsAnswerAsS3(t *testing.T) {
	e := newEnv(t)
	e.bucket("plain")
	root := e.versioned("susp", types.BucketVersioningStatusSuspended)
	t.Run("a bucket never versioned sends no version headers and serves versionId=null", func(t *testing.T) {
		if out := putString(t, root, "plain", "k", "x"); out.VersionId != nil {
			t.Fatalf("PutObject answered version %q", *out.VersionId)
		}
		body, out, err := getVersion(t, root, "plain", "k", "null")
		if err != nil || body != "x" || out.VersionId != nil {
			t.Fatalf("GET ?versionId=null = %q, %+v, %v", body, out, err)
		}
		del, err := root.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("plain"), Key: aws.String("k")})
		if err != nil || del.VersionId != nil || del.DeleteMarker != nil {
			t.Fatalf("DeleteObject = %+v, %v", del, err)
		}
	})
	t.Run("a suspended bucket writes the null version without the header and deletes with a null marker", func(t *testing.T) {
		if out := putString(t, root, "susp", "k", "x"); out.VersionId != nil {
			t.Fatalf("PutObject in a suspended bucket answered version %q", *out.VersionId)
		}
		_, out, err := getVersion(t, root, "susp", "k", "")
		if err != nil || aws.ToString(out.VersionId) != "null" {
			t.Fatalf("GET = %+v, %v", out, err)
		}
		del, err := root.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("susp"), Key: aws.String("k")})
		if err != nil || aws.ToString(del.VersionId) != "null" || !aws.ToBool(del.DeleteMarker) {
			t.Fatalf("DeleteObject = %+v, %v", del, err)
		}
	})
}

func TestListObjectVersionsPagesThroughVersionsAndDeleteMarkers(t *testing.T) {
	e := newEnv(t)
	root := e.versioned("vbk", types.BucketVersioningStatusEnabled)
	for _, k := range []string{"a", "dir/x", "dir/y", "z+ z"} {
		putString(t, root, "vbk", k, "1")
		putString(t, root, "vbk", k, "2")
	}
	if _, err := root.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("a")}); err != nil {
		t.Fatal(err)
	}
	list := func(in s3sdk.ListObjectVersionsInput) (versions, markers []string, prefixes []string) {
		in.Bucket = aws.String("vbk")
		for range 100 {
			out, err := root.ListObjectVersions(e.ctx, &in)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range out.Versions {
				versions = append(versions, aws.ToString(v.Key)+latest(v.IsLatest))
			}
			for _, m := range out.DeleteMarkers {
				markers = append(markers, aws.ToString(m.Key)+latest(m.IsLatest))
			}
			for _, p := range out.CommonPrefixes {
				prefixes = append(prefixes, aws.ToString(p.Prefix))
			}
			if !aws.ToBool(out.IsTruncated) {
				return
			}
			in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
			if in.EncodingType == types.EncodingTypeUrl {
				// aws-sdk-go-v2 leaves url-encoded names encoded: the caller decodes.
				k, err := url.QueryUnescape(aws.ToString(out.NextKeyMarker))
				if err != nil {
					t.Fatal(err)
				}
				in.KeyMarker = aws.String(k)
			}
		}
		t.Fatal("the listing never ends")
		return
	}
	wantVersions := "a,dir/x*,dir/x,dir/y*,dir/y,z+ z*,z+ z"
	for _, n := range []int32{1, 2, 3, 1000} {
		v, m, _ := list(s3sdk.ListObjectVersionsInput{MaxKeys: aws.Int32(n)})
		// a's two versions: the marker is latest, both versions noncurrent.
		if got := strings.Join(v, ","); got != "a,"+wantVersions || strings.Join(m, ",") != "a*" {
			t.Fatalf("pages of %d: versions %s markers %v", n, got, m)
		}
	}
	v, m, p := list(s3sdk.ListObjectVersionsInput{Delimiter: aws.String("/"), MaxKeys: aws.Int32(1), EncodingType: types.EncodingTypeUrl})
	if strings.Join(v, ",") != "a,a,z%2B+z*,z%2B+z" || len(m) != 1 || strings.Join(p, ",") != "dir/" {
		t.Fatalf("with a delimiter and encoding-type=url: %v %v %v", v, m, p)
	}
	resp := e.rawRequest(t, http.MethodGet, "/vbk?versions&version-id-marker=x")
	if resp.StatusCode != 400 || !strings.Contains(resp.body, "InvalidArgument") {
		t.Fatalf("version-id-marker without key-marker answered %d", resp.StatusCode)
	}
	resp = e.rawRequest(t, http.MethodGet, "/vbk?versions&encoding-type=url&prefix=z%2B")
	if !strings.Contains(resp.body, "<Key>z%2B+z</Key>") || !strings.Contains(resp.body, "<Prefix>z%2B</Prefix>") {
		t.Fatalf("encoded listing: %s", resp.body)
	}
}

func latest(b *bool) string {
	if aws.ToBool(b) {
		return "*"
	}
	return ""
}

func TestCopiesAndDeleteObjectsNameVersions(t *testing.T) {
	e := newEnv(t)
	root := e.versioned("vbk", types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(putString(t, root, "vbk", "src", "one").VersionId)
	putString(t, root, "vbk", "src", "two")
	out, err := root.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("vbk"), Key: aws.String("dst"),
		CopySource: aws.String("vbk/src?versionId=" + url.QueryEscape(v1))})
	if err != nil || aws.ToString(out.CopySourceVersionId) != v1 || aws.ToString(out.VersionId) == "" {
		t.Fatalf("CopyObject = %+v, %v", out, err)
	}
	if body, _, err := getVersion(t, root, "vbk", "dst", ""); err != nil || body != "one" {
		t.Fatalf("the copy holds %q, %v", body, err)
	}
	del, err := root.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = root.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("vbk"), Key: aws.String("dst"),
		CopySource: aws.String("vbk/src?versionId=" + aws.ToString(del.VersionId))})
	requireCode(t, err, "InvalidRequest", 400)
	_, err = root.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("vbk"), Key: aws.String("dst"), CopySource: aws.String("vbk/src")})
	requireCode(t, err, "NoSuchKey", 404)

	res, err := root.DeleteObjects(e.ctx, &s3sdk.DeleteObjectsInput{Bucket: aws.String("vbk"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("dst")}, {Key: aws.String("src"), VersionId: aws.String(v1)}, {Key: aws.String("src"), VersionId: del.VersionId},
		{Key: aws.String("src"), VersionId: aws.String("bad id")},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Deleted) != 3 || len(res.Errors) != 1 || aws.ToString(res.Errors[0].Code) != "InvalidArgument" {
		t.Fatalf("DeleteObjects = %+v", res)
	}
	d := res.Deleted
	if !aws.ToBool(d[0].DeleteMarker) || aws.ToString(d[0].DeleteMarkerVersionId) == "" || d[0].VersionId != nil {
		t.Fatalf("a delete that made a marker: %+v", d[0])
	}
	if aws.ToString(d[1].VersionId) != v1 || d[1].DeleteMarker != nil {
		t.Fatalf("a delete of a version: %+v", d[1])
	}
	if !aws.ToBool(d[2].DeleteMarker) || aws.ToString(d[2].DeleteMarkerVersionId) != aws.ToString(del.VersionId) {
		t.Fatalf("a delete of a delete marker: %+v", d[2])
	}
}

func TestVersionedRequestsAreAuthorizedWithTheVersionActions(t *testing.T) {
	e := newEnv(t)
	root := e.versioned("vbk", types.BucketVersioningStatusEnabled)
	v1 := aws.ToString(putString(t, root, "vbk", "k", "one").VersionId)
	v2 := aws.ToString(putString(t, root, "vbk", "k", "two").VersionId)
	e.role("current", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:DeleteObject","s3:ListBucket"],"Resource":["arn:aws:s3:::vbk","arn:aws:s3:::vbk/*"]}]}`)
	e.role("versions", `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObjectVersion","s3:DeleteObject","s3:DeleteObjectVersion"],"Resource":"arn:aws:s3:::vbk/*","Condition":{"StringEquals":{"s3:versionid":"`+v1+`"}}}]}`)
	current := e.client(e.session("current", 0))
	versions := e.client(e.session("versions", 0))
	if _, _, err := getVersion(t, current, "vbk", "k", ""); err != nil {
		t.Fatalf("s3:GetObject does not read the current version: %v", err)
	}
	_, _, err := getVersion(t, current, "vbk", "k", v1)
	requireCode(t, err, "AccessDenied", 403)
	_, err = current.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v1)})
	requireCode(t, err, "AccessDenied", 403)
	if body, _, err := getVersion(t, versions, "vbk", "k", v1); err != nil || body != "one" {
		t.Fatalf("s3:GetObjectVersion on s3:versionid %s: %q, %v", v1, body, err)
	}
	_, _, err = getVersion(t, versions, "vbk", "k", v2)
	requireCode(t, err, "AccessDenied", 403)
	_, _, err = getVersion(t, versions, "vbk", "k", "")
	requireCode(t, err, "AccessDenied", 403)
	if _, err := versions.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("vbk"), Key: aws.String("k"), VersionId: aws.String(v1)}); err != nil {
		t.Fatalf("s3:DeleteObjectVersion: %v", err)
	}
	var denied []string
	traced := false
	for _, r := range e.auditRecords() {
		if r.Outcome == "deny" {
			denied = append(denied, r.Action)
			// The explanation of the denial of v2 names the condition that failed.
			traced = traced || r.Action == "s3:GetObjectVersion" && strings.Contains(string(r.Trace), "s3:versionid")
		}
	}
	if !traced {
		t.Fatal("no denial's trace shows the s3:versionid condition")
	}
	if got := strings.Join(denied, ","); !strings.Contains(got, "s3:GetObjectVersion") || !strings.Contains(got, "s3:DeleteObjectVersion") {
		t.Fatalf("denials audited as %s", got)
	}
}

// rawAnswer is an answer to rawRequest.
type rawAnswer struct {
	*http.Response
	body string
}

// rawRequest sends a request signed by root, for what the SDKs cannot send.
func (e *env) rawRequest(t *testing.T, method, path string) rawAnswer {
	t.Helper()
	resp, err := http.DefaultClient.Do(signed(t, e, rootCredentials(), method, path, nil, emptySHA256, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawAnswer{resp, string(b)}
}
