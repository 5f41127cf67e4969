package s3_test

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// readWritePolicy lets a session do everything to objects of one bucket and list it.
func readWritePolicy(bucket string) string {
	return `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":"arn:aws:s3:::` + bucket + `/*"},
	 {"Effect":"Allow","Action":["s3:ListBucket","s3:ListBucketMultipartUploads","s3:GetBucketLocation"],"Resource":"arn:aws:s3:::` + bucket + `"}]}`
}

// checksumModes runs a test with the SDK's default checksum behaviour (when_supported,
// CRC32 on every upload) and with when_required, over plain HTTP and over TLS (where the
// SDK streams unseekable bodies as aws-chunked with a trailing checksum).
func checksumModes(t *testing.T, run func(t *testing.T, e *env, c *s3sdk.Client)) {
	for _, tc := range []struct {
		name string
		tls  bool
		mode aws.RequestChecksumCalculation
	}{
		{"when_supported over http", false, aws.RequestChecksumCalculationWhenSupported},
		{"when_required over http", false, aws.RequestChecksumCalculationWhenRequired},
		{"when_supported over https", true, aws.RequestChecksumCalculationWhenSupported},
		{"when_required over https", true, aws.RequestChecksumCalculationWhenRequired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, envOptions{tls: tc.tls})
			e.bucket("data")
			e.role("ci", readWritePolicy("data"))
			c := e.client(e.session("ci", 0), func(o *s3sdk.Options) {
				o.RequestChecksumCalculation = tc.mode
				o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenSupported
			})
			run(t, e, c)
		})
	}
}

func TestObjectsRoundTripWithMetadataAndChecksums(t *testing.T) {
	checksumModes(t, func(t *testing.T, e *env, c *s3sdk.Client) {
		body := []byte("hello, inkan: " + strings.Repeat("x", 100_000))
		sum := md5.Sum(body)
		put, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/a b+c.txt"),
			Body: e.body(body), ContentLength: aws.Int64(int64(len(body))),
			ContentType: aws.String("text/plain"), ContentLanguage: aws.String("en"), CacheControl: aws.String("no-cache"),
			ContentDisposition: aws.String(`attachment; filename="a.txt"`), Metadata: map[string]string{"owner": "ci", "Build-Id": "42"}})
		if err != nil {
			t.Fatal(err)
		}
		if want := `"` + hex.EncodeToString(sum[:]) + `"`; aws.ToString(put.ETag) != want {
			t.Fatalf("ETag %s, want %s", aws.ToString(put.ETag), want)
		}
		get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/a b+c.txt"),
			ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(get.Body) // the SDK validates the CRC32 it gets back
		get.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("GetObject body differs (%d bytes, err %v)", len(got), err)
		}
		if aws.ToString(get.ContentType) != "text/plain" || aws.ToString(get.ContentLanguage) != "en" ||
			aws.ToString(get.CacheControl) != "no-cache" || aws.ToString(get.ContentDisposition) != `attachment; filename="a.txt"` {
			t.Errorf("metadata headers lost: %+v", get)
		}
		if get.Metadata["owner"] != "ci" || get.Metadata["build-id"] != "42" {
			t.Errorf("user metadata %v, want owner=ci build-id=42", get.Metadata)
		}
		if put.ChecksumCRC32 != nil && aws.ToString(get.ChecksumCRC32) != aws.ToString(put.ChecksumCRC32) {
			t.Errorf("GET checksum %s, PUT echoed %s", aws.ToString(get.ChecksumCRC32), aws.ToString(put.ChecksumCRC32))
		}
		head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("dir/a b+c.txt")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt64(head.ContentLength) != int64(len(body)) || aws.ToString(head.ETag) != aws.ToString(put.ETag) {
			t.Errorf("HeadObject length %d etag %s", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag))
		}
		if e.server.TLS != nil && c.Options().RequestChecksumCalculation == aws.RequestChecksumCalculationWhenSupported &&
			!slices.Contains(e.payloadModes(), "PUT STREAMING-UNSIGNED-PAYLOAD-TRAILER") {
			t.Errorf("the SDK did not stream with a trailing checksum over TLS: %v", e.payloadModes())
		}
	})
}

func TestEmptyObjectsAreStoredAndServed(t *testing.T) {
	checksumModes(t, func(t *testing.T, e *env, c *s3sdk.Client) {
		if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("empty"),
			Body: bytes.NewReader(nil)}); err != nil {
			t.Fatal(err)
		}
		get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("empty")})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if len(got) != 0 || aws.ToString(get.ETag) != `"d41d8cd98f00b204e9800998ecf8427e"` {
			t.Fatalf("empty object: %d bytes, ETag %s", len(got), aws.ToString(get.ETag))
		}
	})
}

func TestRangedGetsServeSingleOpenAndSuffixRanges(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	body := []byte("0123456789abcdefghij")
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("r"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ rng, want, contentRange string }{
		{"bytes=2-5", "2345", "bytes 2-5/20"},
		{"bytes=15-", "fghij", "bytes 15-19/20"},
		{"bytes=-3", "hij", "bytes 17-19/20"},
		{"bytes=10-100", "abcdefghij", "bytes 10-19/20"},
	} {
		get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("r"), Range: aws.String(tc.rng),
			ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatalf("%s: %v", tc.rng, err)
		}
		got, _ := io.ReadAll(get.Body)
		get.Body.Close()
		if string(got) != tc.want || aws.ToString(get.ContentRange) != tc.contentRange {
			t.Errorf("%s: %q with Content-Range %q, want %q with %q", tc.rng, got, aws.ToString(get.ContentRange), tc.want, tc.contentRange)
		}
	}
	_, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("r"), Range: aws.String("bytes=20-")})
	requireCode(t, err, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
}

func TestConditionalGetsAnswer304And412(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	put, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v1")})
	if err != nil {
		t.Fatal(err)
	}
	in := func(mod func(*s3sdk.GetObjectInput)) *s3sdk.GetObjectInput {
		i := &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}
		mod(i)
		return i
	}
	if _, err := c.GetObject(e.ctx, in(func(i *s3sdk.GetObjectInput) { i.IfMatch = put.ETag })); err != nil {
		t.Errorf("If-Match with the current ETag: %v", err)
	}
	_, err = c.GetObject(e.ctx, in(func(i *s3sdk.GetObjectInput) { i.IfMatch = aws.String(`"0000"`) }))
	requireCode(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	_, err = c.GetObject(e.ctx, in(func(i *s3sdk.GetObjectInput) { i.IfNoneMatch = put.ETag }))
	requireStatus(t, err, http.StatusNotModified)
	_, err = c.GetObject(e.ctx, in(func(i *s3sdk.GetObjectInput) { i.IfModifiedSince = aws.Time(e.clock.Now().Add(time.Hour)) }))
	requireStatus(t, err, http.StatusNotModified)
	_, err = c.GetObject(e.ctx, in(func(i *s3sdk.GetObjectInput) { i.IfUnmodifiedSince = aws.Time(e.clock.Now().Add(-time.Hour)) }))
	requireCode(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	_, err = c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), IfNoneMatch: put.ETag})
	requireStatus(t, err, http.StatusNotModified)
	// Conditional writes: create-only and replace-this-version.
	_, err = c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v2"), IfNoneMatch: aws.String("*")})
	requireCode(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v2"), IfMatch: put.ETag}); err != nil {
		t.Errorf("PutObject If-Match with the current ETag: %v", err)
	}
}

func TestResponseOverridesReplaceHeadersOfSignedGets(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k"),
		ResponseContentType: aws.String("application/x-test"), ResponseContentDisposition: aws.String("inline"),
		ResponseCacheControl: aws.String("max-age=5")})
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	if aws.ToString(get.ContentType) != "application/x-test" || aws.ToString(get.ContentDisposition) != "inline" ||
		aws.ToString(get.CacheControl) != "max-age=5" {
		t.Errorf("overrides not applied: type %q disposition %q cache %q", aws.ToString(get.ContentType),
			aws.ToString(get.ContentDisposition), aws.ToString(get.CacheControl))
	}
}

func TestCopyObjectKeepsOrReplacesMetadataAndHonoursConditions(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	src, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("src/a b"), Body: strings.NewReader("payload"),
		ContentType: aws.String("text/x-src"), Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("dst/copy"), CopySource: aws.String("data/src/a%20b")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cp.CopyObjectResult.ETag) != aws.ToString(src.ETag) {
		t.Errorf("copy ETag %s, want the source's %s", aws.ToString(cp.CopyObjectResult.ETag), aws.ToString(src.ETag))
	}
	head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("dst/copy")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "text/x-src" || head.Metadata["k"] != "v" {
		t.Errorf("COPY directive lost metadata: %q %v", aws.ToString(head.ContentType), head.Metadata)
	}
	if _, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("dst/copy"), CopySource: aws.String("data/src/a%20b"),
		MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/x-new"), Metadata: map[string]string{"n": "1"}}); err != nil {
		t.Fatal(err)
	}
	head, err = c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("dst/copy")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(head.ContentType) != "text/x-new" || head.Metadata["n"] != "1" || head.Metadata["k"] != "" {
		t.Errorf("REPLACE directive: %q %v", aws.ToString(head.ContentType), head.Metadata)
	}
	_, err = c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("dst/x"), CopySource: aws.String("data/src/a%20b"),
		CopySourceIfMatch: aws.String(`"ffff"`)})
	requireCode(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	_, err = c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("src/a b"), CopySource: aws.String("data/src/a%20b")})
	requireCode(t, err, "InvalidRequest", http.StatusBadRequest)
	_, err = c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: aws.String("data"), Key: aws.String("dst/y"), CopySource: aws.String("data/nothing")})
	requireCode(t, err, "NoSuchKey", http.StatusNotFound)
}

func TestDeleteObjectsReportsEveryKeyAndQuietModeOnlyErrors(t *testing.T) {
	checksumModes(t, func(t *testing.T, e *env, c *s3sdk.Client) {
		for _, k := range []string{"a", "b", "c"} {
			if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
				t.Fatal(err)
			}
		}
		out, err := c.DeleteObjects(e.ctx, &s3sdk.DeleteObjectsInput{Bucket: aws.String("data"), Delete: &types.Delete{
			Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("missing")}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Deleted) != 2 || len(out.Errors) != 0 {
			t.Errorf("DeleteObjects: %d deleted, %d errors; want 2 and 0", len(out.Deleted), len(out.Errors))
		}
		out, err = c.DeleteObjects(e.ctx, &s3sdk.DeleteObjectsInput{Bucket: aws.String("data"), Delete: &types.Delete{
			Quiet: aws.Bool(true), Objects: []types.ObjectIdentifier{{Key: aws.String("b")}, {Key: aws.String("c")}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Deleted) != 0 || len(out.Errors) != 0 {
			t.Errorf("quiet DeleteObjects: %d deleted, %d errors; want none listed", len(out.Deleted), len(out.Errors))
		}
		list, err := c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data")})
		if err != nil {
			t.Fatal(err)
		}
		if len(list.Contents) != 0 {
			t.Errorf("%d objects left after deleting all", len(list.Contents))
		}
	})
}

func TestDeleteObjectDeletesAndMissingKeysAreNoError(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		if _, err := c.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}); err != nil {
			t.Fatalf("delete %d: %v", i, err)
		}
	}
	_, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	requireCode(t, err, "NoSuchKey", http.StatusNotFound)
}
