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
