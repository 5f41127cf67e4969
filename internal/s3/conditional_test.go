package s3_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestFailedConditionalGetsCarryNoChecksumHeaders pins reference §12: botocore ≥ 1.36 asks
// for checksums on every GetObject and wraps any answer carrying x-amz-checksum-* in a
// validator, so a 304 or 412 with one reaches the caller as a TypeError.
func TestFailedConditionalGetsCarryNoChecksumHeaders(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	put, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"),
		Body: strings.NewReader("v1"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		method, header, value string
		status                int
	}{
		{"GET", "If-None-Match", aws.ToString(put.ETag), http.StatusNotModified},
		{"HEAD", "If-None-Match", aws.ToString(put.ETag), http.StatusNotModified},
		{"GET", "If-Match", `"00000000000000000000000000000000"`, http.StatusPreconditionFailed},
		{"GET", "If-Modified-Since", "Fri, 01 Jan 2100 00:00:00 GMT", http.StatusNotModified},
		{"GET", "If-Unmodified-Since", "Fri, 01 Jan 2000 00:00:00 GMT", http.StatusPreconditionFailed},
		{"GET", "", "", http.StatusOK},
	} {
		h := http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}
		if tc.header != "" {
			h.Set(tc.header, tc.value)
		}
		resp, err := e.server.Client().Do(signed(t, e, rootCredentials(), tc.method, "/data/k", nil, emptySHA256, h))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		crc, typ := resp.Header.Get("x-amz-checksum-crc32"), resp.Header.Get("x-amz-checksum-type")
		switch {
		case resp.StatusCode != tc.status:
			t.Errorf("%s %s: status %d, want %d", tc.method, tc.header, resp.StatusCode, tc.status)
		case tc.status == http.StatusOK && (crc == "" || typ == ""):
			t.Errorf("a 200 with x-amz-checksum-mode lacks its checksum headers: %q %q", crc, typ)
		case tc.status != http.StatusOK && (crc != "" || typ != ""):
			t.Errorf("%s %s: %d carries x-amz-checksum-crc32 %q, x-amz-checksum-type %q", tc.method, tc.header, tc.status, crc, typ)
		case tc.status == http.StatusNotModified && resp.Header.Get("ETag") == "":
			t.Errorf("%s %s: 304 without the ETag RFC 9110 asks for", tc.method, tc.header)
		}
	}
}

func TestContentEncodingIsReturnedAsItWasSent(t *testing.T) {
	checksumModes(t, func(t *testing.T, e *env, c *s3sdk.Client) {
		if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("z"),
			Body: e.body([]byte("zz")), ContentLength: aws.Int64(2), ContentEncoding: aws.String("deflate, gzip")}); err != nil {
			t.Fatal(err)
		}
		head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("z")})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(head.ContentEncoding); got != "deflate, gzip" {
			t.Errorf("Content-Encoding %q, want %q", got, "deflate, gzip")
		}
	})
}

// TestConditionalDeletesHonourTheirCondition pins reference §9: If-Match on DeleteObject and
// <ETag> in DeleteObjects delete only the version they name; the directory-bucket
// conditions are refused rather than ignored.
func TestConditionalDeletesHonourTheirCondition(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	put := func(key string) string {
		t.Helper()
		out, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: strings.NewReader(key)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ETag)
	}
	exists := func(key string) bool {
		_, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
		return err == nil
	}
	etag := put("k")
	del := func(mod func(*s3sdk.DeleteObjectInput)) error {
		in := &s3sdk.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("k")}
		mod(in)
		_, err := c.DeleteObject(e.ctx, in)
		return err
	}
	requireCode(t, del(func(i *s3sdk.DeleteObjectInput) { i.IfMatch = aws.String(`"0123456789abcdef0123456789abcdef"`) }),
		"PreconditionFailed", http.StatusPreconditionFailed)
	requireCode(t, del(func(i *s3sdk.DeleteObjectInput) { i.IfMatchSize = aws.Int64(1) }), "NotImplemented", http.StatusNotImplemented)
	if !exists("k") {
		t.Fatal("a delete whose condition failed deleted the object")
	}
	if err := del(func(i *s3sdk.DeleteObjectInput) { i.IfMatch = aws.String(etag) }); err != nil {
		t.Fatalf("delete If-Match the current ETag: %v", err)
	}
	requireCode(t, del(func(i *s3sdk.DeleteObjectInput) { i.IfMatch = aws.String("*") }), "NoSuchKey", http.StatusNotFound)

	a, b := put("a"), put("b")
	out, err := c.DeleteObjects(e.ctx, &s3sdk.DeleteObjectsInput{Bucket: aws.String("data"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a"), ETag: aws.String(b)}, {Key: aws.String("b"), ETag: aws.String(b)}, {Key: aws.String("gone"), ETag: aws.String(a)},
		{Key: aws.String("a"), Size: aws.Int64(1)}}}})
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	for _, e := range out.Errors {
		codes[aws.ToString(e.Key)] += aws.ToString(e.Code) + " "
	}
	if len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "b" ||
		codes["a"] != "PreconditionFailed NotImplemented " || codes["gone"] != "NoSuchKey " {
		t.Errorf("DeleteObjects deleted %d (%v), errors %v", len(out.Deleted), out.Deleted, codes)
	}
	if !exists("a") || exists("b") {
		t.Errorf("after DeleteObjects: a exists %v (want true), b exists %v (want false)", exists("a"), exists("b"))
	}
}

// TestAConditionalDeleteOnAnETagNeedsGetObject pins S3's rule that an If-Match delete with
// an ETag needs s3:GetObject besides s3:DeleteObject, and that s3:if-match reaches policies.
func TestAConditionalDeleteOnAnETagNeedsGetObject(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	root := e.client(rootCredentials())
	out, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")})
	if err != nil {
		t.Fatal(err)
	}
	e.role("deleter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::data/*",
		"Condition":{"Null":{"s3:if-match":"false"}}}]}`)
	c := e.client(e.session("deleter", 0))
	_, err = c.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	_, err = c.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), IfMatch: out.ETag})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
	if _, err := c.DeleteObject(e.ctx, &s3sdk.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), IfMatch: aws.String("*")}); err != nil {
		t.Errorf("If-Match * with s3:DeleteObject alone: %v", err)
	}
}
