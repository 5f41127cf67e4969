package s3_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/inkan-dev/inkan/internal/testsupport/awschunked"
)

// The benchmarks measure the whole endpoint over loopback HTTP with a role session's
// temporary credentials: SigV4 verification, session token opening, policy evaluation with
// a bucket policy lookup, the durable local backend, and, because client and server share
// the machine as in bench/s3, the client's signing too. Run them with
//
//	go test -run '^$' -bench . -benchtime 5s ./internal/s3
//
// Small-object benchmarks run 16 concurrent clients (b.SetParallelism(8) on 2 cores).

func benchEnv(b *testing.B, opts ...envOptions) (*env, aws.Credentials, *http.Client) {
	e := newEnv(b, opts...)
	e.bucket("bench")
	e.role("bench", readWritePolicy("bench"))
	creds := e.session("bench", 0)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true}}
	return e, creds, client
}

// benchRequest signs like aws-sdk-go-v2 over plain HTTP: the body's SHA-256 as payload hash.
func benchRequest(b *testing.B, e *env, signer *v4.Signer, creds aws.Credentials, method, key string, body []byte) *http.Request {
	req, err := http.NewRequest(method, e.server.URL+"/bench/"+key, bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	hash := emptySHA256
	if body != nil {
		hash = sha256Hex(body)
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	req.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	if err := signer.SignHTTP(e.ctx, creds, req, hash, "s3", region, time.Now()); err != nil {
		b.Fatal(err)
	}
	return req
}

func do(b *testing.B, client *http.Client, req *http.Request, want int) {
	resp, err := client.Do(req)
	if err != nil {
		b.Error(err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != want {
		b.Errorf("%s %s: status %d", req.Method, req.URL.Path, resp.StatusCode)
	}
}

// smallObjects runs 16 concurrent clients sending method to keys k0…k(keys-1), with body
// (nil for GET), and reports operations per second.
func smallObjects(b *testing.B, method string, keys int64, body []byte, opts ...envOptions) {
	e, creds, client := benchEnv(b, opts...)
	object := randomBytes(4<<10, 1)
	signer := v4.NewSigner()
	for i := int64(0); i < keys; i++ { // GETs need the objects to exist
		do(b, client, benchRequest(b, e, signer, creds, http.MethodPut, "k"+strconv.FormatInt(i, 10), object), http.StatusOK)
	}
	var n atomic.Int64
	b.SetParallelism(8)
	b.SetBytes(int64(len(object)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		signer := v4.NewSigner()
		for pb.Next() {
			key := "k" + strconv.FormatInt(n.Add(1)%keys, 10)
			do(b, client, benchRequest(b, e, signer, creds, method, key, body), http.StatusOK)
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
}

func BenchmarkPutObject4KiB(b *testing.B) {
	smallObjects(b, http.MethodPut, 1000, randomBytes(4<<10, 3))
}

func BenchmarkGetObject4KiB(b *testing.B) {
	smallObjects(b, http.MethodGet, 100, nil)
}

// BenchmarkGetObject4KiBAuditAllows measures what recording allowed requests costs
// (decisions.s3_allows off vs all), with the audit file and the decision log in the store:
//
//	go test -run '^$' -bench GetObject4KiBAuditAllows -benchtime 3s ./internal/s3
func BenchmarkGetObject4KiBAuditAllows(b *testing.B) {
	all := func() bool { return true }
	for _, c := range []struct {
		name   string
		allow  func() bool
		shared bool
	}{{"off", nil, true}, {"all", all, true}, {"all-file-only", all, false}} {
		b.Run(c.name, func(b *testing.B) {
			smallObjects(b, http.MethodGet, 100, nil, envOptions{shared: c.shared, auditAllow: c.allow})
		})
	}
}

func BenchmarkPutObject64MiB(b *testing.B) {
	e, creds, client := benchEnv(b)
	body := randomBytes(64<<20, 2)
	signer := v4.NewSigner()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// UNSIGNED-PAYLOAD with a CRC32, as SDKs send large bodies over TLS, keeps the
		// client's SHA-256 out of the server's measurement.
		req, _ := http.NewRequest(http.MethodPut, e.server.URL+"/bench/big", bytes.NewReader(body))
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		req.Header.Set("X-Amz-Security-Token", creds.SessionToken)
		req.Header.Set("x-amz-checksum-crc32", awschunked.CRC32(body))
		if err := signer.SignHTTP(e.ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", region, time.Now()); err != nil {
			b.Fatal(err)
		}
		do(b, client, req, http.StatusOK)
	}
}

func BenchmarkGetObject64MiB(b *testing.B) {
	e, creds, client := benchEnv(b)
	body := randomBytes(64<<20, 2)
	signer := v4.NewSigner()
	do(b, client, benchRequest(b, e, signer, creds, http.MethodPut, "big", body), http.StatusOK)
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		do(b, client, benchRequest(b, e, signer, creds, http.MethodGet, "big", nil), http.StatusOK)
	}
}
