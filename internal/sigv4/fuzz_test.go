package sigv4

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func FuzzParseAuthorization(f *testing.F) {
	f.Add(goodAuthorization, "20150830T123600Z", "")
	f.Add("AWS4-HMAC-SHA256 Credential=a/20150830/r/s/aws4_request,SignedHeaders=host,Signature=0", "Sun, 30 Aug 2015 12:36:00 GMT", "")
	f.Add("AWS AK:sig", "", "")
	f.Add("", "", goodPresign)
	f.Add("", "", "X-Amz-Credential=%2F%2F%2F%2F&X-Amz-Expires=+1")
	f.Fuzz(func(t *testing.T, auth, date, query string) {
		r := httptest.NewRequest(http.MethodGet, "http://h/", nil)
		r.URL.RawQuery = query
		if auth != "" {
			r.Header["Authorization"] = []string{auth}
		}
		if date != "" {
			r.Header["X-Amz-Date"] = []string{date}
			r.Header["Date"] = []string{date}
		}
		a, err := Parse(r)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Kind == nil || e.Message == "" {
				t.Fatalf("Parse returned %v (%T), not a classified *Error", err, err)
			}
			return
		}
		if a.AccessKeyID == "" || a.Region == "" || a.Service == "" || len(a.Date) != 8 || a.Signature == "" ||
			!a.IsSigned("host") || a.Time.IsZero() || a.Expires < 0 || a.Expires > MaxPresignExpiry {
			t.Fatalf("Parse accepted an incomplete claim: %+v", a)
		}
		if strings.Count(a.Scope(), "/") != 3 {
			t.Fatalf("scope %q does not have four parts", a.Scope())
		}
		if a.Presigned {
			return
		}
		// The header form survives being written out the way SDKs write it.
		again := fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s", Algorithm,
			a.AccessKeyID, a.Scope(), strings.Join(a.SignedHeaders, ";"), a.Signature)
		r.Header["Authorization"] = []string{again}
		b, err := Parse(r)
		if err != nil || b.AccessKeyID != a.AccessKeyID || b.Scope() != a.Scope() || b.Signature != a.Signature ||
			strings.Join(b.SignedHeaders, ";") != strings.Join(a.SignedHeaders, ";") {
			t.Fatalf("%q parsed to %+v, its rewrite %q to %+v, %v", auth, a, again, b, err)
		}
	})
}

func FuzzChunkedBody(f *testing.F) {
	key := signingKey(testSecret, "20260801", "ap-northeast-1", "s3")
	const seed = "0000000000000000000000000000000000000000000000000000000000000000"
	signer := func() *chunkSigner {
		return &chunkSigner{key: key, amzDate: "20260801T120000Z", scope: "20260801/ap-northeast-1/s3/aws4_request", prev: seed}
	}
	data := []byte("fuzzing the aws-chunked decoder, one chunk at a time")
	crc := [2]string{"x-amz-checksum-crc32", "AAAAAA=="}
	modes := []string{StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrail}
	for i, mode := range modes {
		f.Add(encodeChunked(data, 16, mode, signer(), crc), uint8(i), int64(len(data)))
		f.Add(encodeChunked(nil, 16, mode, signer()), uint8(i), int64(0))
	}
	f.Add([]byte("5;chunk-signature=x;a=b\r\nhello\r\n0\r\nx-amz-checksum-crc32 : v \r\n\r\n"), uint8(2), int64(5))
	f.Fuzz(func(t *testing.T, body []byte, modeIndex uint8, want int64) {
		if want < 0 || want > 1<<20 {
			return
		}
		mode := modes[int(modeIndex)%len(modes)]
		c := &chunkReader{
			src: bufioReader(body), want: want, key: key, amzDate: "20260801T120000Z",
			scope: "20260801/ap-northeast-1/s3/aws4_request", prev: seed, h: sha256New(),
			signedChunks: mode != StreamingUnsignedPayloadTrail, trailer: mode != StreamingPayload,
			signedTrailer: mode == StreamingPayloadTrailer, declared: []string{"x-amz-checksum-crc32"},
		}
		var out bytes.Buffer
		buf := make([]byte, 7)
		var err error
		for err == nil {
			var n int
			n, err = c.Read(buf)
			out.Write(buf[:n])
		}
		if int64(out.Len()) > want {
			t.Fatalf("delivered %d bytes, more than the %d announced", out.Len(), want)
		}
		if err == io.EOF {
			if int64(out.Len()) != want || !c.ended {
				t.Fatalf("EOF after %d of %d bytes", out.Len(), want)
			}
			for name := range c.trailers {
				if !strings.EqualFold(name, "x-amz-checksum-crc32") {
					t.Fatalf("undeclared trailer %q accepted", name)
				}
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %v (%T) is not a classified *Error", err, err)
		}
		if n, again := c.Read(buf); n != 0 || again != err {
			t.Fatalf("Read after failure = %d, %v", n, again)
		}
	})
}
