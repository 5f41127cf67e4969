package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// captureSTSRequest records, on the wire, the GetCallerIdentity request the real Go SDK STS
// client sends, so the benchmark verifies exactly what a server receives.
func captureSTSRequest(b *testing.B) []byte {
	var wire []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		if err := r.Write(&buf); err != nil {
			b.Error(err)
		}
		wire = buf.Bytes()
		stsReply(w, r)
	}))
	defer srv.Close()
	client := sts.New(sts.Options{Region: "ap-northeast-1", Credentials: credsProvider(),
		BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client()})
	if _, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		b.Fatal(err)
	}
	return wire
}

// BenchmarkVerifyGetCallerIdentity measures what the STS endpoint spends on SigV4 per
// GetCallerIdentity: parsing the claim, hashing the form body and verifying the signature.
func BenchmarkVerifyGetCallerIdentity(b *testing.B) {
	wire := captureSTSRequest(b)
	r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(wire)))
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(r.Body)
	a, err := Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	now := a.Time
	o := Options{Now: func() time.Time { return now }, Service: "sts"}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		a, err := Parse(r)
		if err != nil {
			b.Fatal(err)
		}
		o.PayloadHash = PayloadHash(body)
		if _, err := Verify(r, a, testSecret, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode64MiB measures decoding and verifying a 64 MiB upload body in each payload
// mode; MB/s is the figure to compare with the S3 PUT throughput target.
func BenchmarkDecode64MiB(b *testing.B) {
	const size = 64 << 20
	data := bytes.Repeat([]byte("0123456789abcdef"), size/16)
	crc := [2]string{"x-amz-checksum-crc32", "AAAAAA=="}
	cases := []struct {
		mode  string
		chunk int
	}{
		{StreamingPayload, 64 << 10},
		{StreamingPayloadTrailer, 64 << 10},
		{StreamingUnsignedPayloadTrail, 64 << 10},
		{StreamingUnsignedPayloadTrail, 1 << 20},
		{PayloadHash(data), 0},
		{UnsignedPayload, 0},
	}
	for _, c := range cases {
		name := c.mode
		if len(name) == 64 {
			name = "hex-sha256"
		}
		b.Run(fmt.Sprintf("%s/chunk=%d", name, c.chunk), func(b *testing.B) {
			v, body := benchBody(b, data, c.mode, c.chunk, crc)
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				r, err := v.Body(bytes.NewReader(body), int64(len(body)))
				if err != nil {
					b.Fatal(err)
				}
				if n, err := io.Copy(io.Discard, r); err != nil || n != size {
					b.Fatal(n, err)
				}
			}
		})
	}
}

func benchBody(b *testing.B, data []byte, mode string, chunk int, crc [2]string) (*Verified, []byte) {
	hdr := http.Header{}
	hdr.Set("X-Amz-Content-Sha256", mode)
	hdr.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
	hdr.Set("X-Amz-Trailer", crc[0])
	r := serverSide(sdkSign(b, http.MethodPut, "http://127.0.0.1:9000/bucket/big", hdr, mode, "s3", sdkCreds(), testTime()), nil)
	a, err := Parse(r)
	if err != nil {
		b.Fatal(err)
	}
	v, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
	if err != nil {
		b.Fatal(err)
	}
	body := data
	if chunk > 0 {
		s := &chunkSigner{key: v.key, amzDate: a.Time.Format(amzDateFormat), scope: a.Scope(), prev: a.Signature}
		body = encodeChunked(data, chunk, mode, s, crc)
	}
	return v, body
}
