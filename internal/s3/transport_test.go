package s3_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/inkan-dev/inkan/internal/testsupport/awschunked"
)

const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// signed builds a request signed by aws-sdk-go-v2's own SigV4 signer.
func signed(t testing.TB, e *env, creds aws.Credentials, method, path string, body []byte, payloadHash string, header http.Header) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, e.server.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if creds.SessionToken != "" {
		req.Header.Set("X-Amz-Security-Token", creds.SessionToken)
	}
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
		SignHTTP(e.ctx, creds, req, payloadHash, "s3", region, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	return req
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestEmptyBodiesBehindExpectContinueKeepTheConnectionUsable reproduces botocore's empty
// file upload (boto/botocore#3755) on one raw keep-alive connection: the server must answer
// 100 Continue before the final response, and the next upload on the connection must be
// answered at once.
func TestEmptyBodiesBehindExpectContinueKeepTheConnectionUsable(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	conn, err := net.Dial("tcp", e.server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	send := func(key string, body []byte) *http.Request {
		req := signed(t, e, rootCredentials(), http.MethodPut, "/data/"+key, body, sha256Hex(body), nil)
		req.Header.Set("Expect", "100-continue") // botocore does not sign it
		var buf bytes.Buffer
		if err := req.Write(&buf); err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(buf.Bytes()); err != nil {
			t.Fatal(err)
		}
		return req
	}
	req := send("empty", nil)
	interim, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	if interim.StatusCode != http.StatusContinue {
		t.Fatalf("first response to an empty body with Expect: %d, want 100 Continue first", interim.StatusCode)
	}
	final, err := http.ReadResponse(br, req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, final.Body)
	if final.StatusCode != http.StatusOK {
		t.Fatalf("final response %d", final.StatusCode)
	}
	// The next, non-empty upload on the same connection is answered promptly.
	req = send("next", []byte("payload"))
	resp, err := http.ReadResponse(br, req)
	for err == nil && resp.StatusCode == http.StatusContinue {
		resp, err = http.ReadResponse(br, req)
	}
	if err != nil {
		t.Fatalf("second upload on the connection: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("second upload: %d", resp.StatusCode)
	}
}

func TestSignedAWSChunkedBodiesWithTrailersAreVerifiedBeforeAnythingIsStored(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	root := e.client(rootCredentials())
	if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("previous")}); err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789abcdef"), 5000) // 80,000 bytes: two 64 KiB-bounded chunks
	put := func(mutate func(chunks []string) []string, checksum string) *http.Response {
		hdr := http.Header{}
		hdr.Set("Content-Encoding", "aws-chunked")
		hdr.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(data)))
		hdr.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		req := signed(t, e, rootCredentials(), http.MethodPut, "/data/k", nil, "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", hdr)
		cs := awschunked.NewSigner(req, rootSecret)
		chunks := []string{cs.Chunk(data[:65536]), cs.Chunk(data[65536:]), cs.Chunk(nil)}
		chunks = append(chunks, cs.Trailer("x-amz-checksum-crc32:"+checksum))
		chunks = mutate(chunks)
		body := strings.Join(chunks, "")
		req.Body = io.NopCloser(strings.NewReader(body))
		req.ContentLength = int64(len(body))
		resp, err := e.server.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	current := func() string {
		get, err := root.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
		if err != nil {
			t.Fatal(err)
		}
		defer get.Body.Close()
		b, _ := io.ReadAll(get.Body)
		return string(b)
	}
	same := func(c []string) []string { return c }

	resp := put(func(c []string) []string {
		c[1] = strings.Replace(c[1], "0123", "9999", 1) // altered data, signature unchanged
		return c
	}, awschunked.CRC32(data))
	if code := errorCode(t, resp); resp.StatusCode != http.StatusForbidden || code != "SignatureDoesNotMatch" {
		t.Errorf("tampered chunk: %d %s, want 403 SignatureDoesNotMatch", resp.StatusCode, code)
	}
	if current() != "previous" {
		t.Fatal("a body with a bad chunk signature replaced the object")
	}
	resp = put(same, awschunked.CRC32([]byte("something else")))
	if code := errorCode(t, resp); resp.StatusCode != http.StatusBadRequest || code != "BadDigest" {
		t.Errorf("wrong trailing checksum: %d %s, want 400 BadDigest", resp.StatusCode, code)
	}
	if current() != "previous" {
		t.Fatal("a body with a wrong checksum replaced the object")
	}
	resp = put(same, awschunked.CRC32(data))
	if resp.StatusCode != http.StatusOK || resp.Header.Get("x-amz-checksum-crc32") != awschunked.CRC32(data) {
		t.Fatalf("valid signed chunks: %d, checksum echoed %q", resp.StatusCode, resp.Header.Get("x-amz-checksum-crc32"))
	}
	if current() != string(data) {
		t.Fatal("stored bytes differ from the decoded chunks")
	}
}

func errorCode(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	i, j := bytes.Index(b, []byte("<Code>")), bytes.Index(b, []byte("</Code>"))
	if i < 0 || j < i {
		return ""
	}
	return string(b[i+6 : j])
}

func TestPresignedPutAndGetWorkWithSessionCredentialsUntilTheyExpire(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.role("ci", readWritePolicy("data"))
	c := e.client(e.session("ci", 0))
	pc := s3sdk.NewPresignClient(c, s3sdk.WithPresignExpires(2*time.Minute))

	put, err := pc.PresignPutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("pre/signed")})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(put.Method, put.URL, strings.NewReader("presigned body"))
	for k, v := range put.SignedHeader {
		if !strings.EqualFold(k, "Host") {
			req.Header[k] = v
		}
	}
	resp, err := e.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}

	// An unsigned header that changes the object is refused: the URL grants the signed request only.
	req, _ = http.NewRequest(put.Method, put.URL, strings.NewReader("other"))
	req.Header.Set("x-amz-meta-injected", "1")
	resp, err = e.server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if code := errorCode(t, resp); resp.StatusCode != http.StatusForbidden || code != "AccessDenied" {
		t.Errorf("presigned PUT with an unsigned x-amz-meta header: %d %s", resp.StatusCode, code)
	}

	get, err := pc.PresignGetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("pre/signed")})
	if err != nil {
		t.Fatal(err)
	}
	if u, _ := url.Parse(get.URL); u.Query().Get("X-Amz-Security-Token") == "" {
		t.Fatalf("presigned URL without the session token: %s", get.URL)
	}
	resp, err = e.server.Client().Get(get.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "presigned body" {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, body)
	}

	e.clock.advance(3 * time.Minute)
	resp, err = e.server.Client().Get(get.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !bytes.Contains(b, []byte("<Code>AccessDenied</Code>")) ||
		!bytes.Contains(b, []byte("Request has expired")) {
		t.Errorf("expired presigned GET: %d %s", resp.StatusCode, b)
	}
}

func TestVirtualHostedRequestsNameTheBucketInTheHost(t *testing.T) {
	e := newEnv(t, envOptions{domain: "s3.inkan.test"})
	e.bucket("data")
	addr := e.server.Listener.Addr().String()
	_, port, _ := net.SplitHostPort(addr)
	httpClient := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}}
	var hosts []string
	c := s3sdk.New(s3sdk.Options{BaseEndpoint: aws.String("http://s3.inkan.test:" + port), Region: region,
		HTTPClient: recordingClient{httpClient, &hosts}, Credentials: staticCredentials(rootCredentials()), RetryMaxAttempts: 1})
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("v/k"), Body: strings.NewReader("vh")}); err != nil {
		t.Fatal(err)
	}
	get, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("v/k")})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(get.Body)
	get.Body.Close()
	if string(b) != "vh" || len(hosts) == 0 || hosts[0] != "data.s3.inkan.test:"+port {
		t.Fatalf("virtual-hosted round trip: %q via hosts %v", b, hosts)
	}
	// The same object, path-style.
	root := e.client(rootCredentials())
	if _, err := root.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("data"), Key: aws.String("v/k")}); err != nil {
		t.Errorf("path-style view of a virtual-hosted write: %v", err)
	}
}

type recordingClient struct {
	c     *http.Client
	hosts *[]string
}

func (r recordingClient) Do(req *http.Request) (*http.Response, error) {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	*r.hosts = append(*r.hosts, host)
	return r.c.Do(req)
}

func TestBodiesThatFailTheirChecksumsStoreNothing(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	root := e.client(rootCredentials())
	if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("previous")}); err != nil {
		t.Fatal(err)
	}
	body := []byte("new contents")
	md5OfOther := "rL0Y20zC+Fzt72VPzMSk2A==" // MD5 of "foo"
	cases := []struct {
		name        string
		payloadHash string
		headers     map[string]string
		status      int
		code        string
	}{
		{"a Content-MD5 of other bytes", sha256Hex(body), map[string]string{"Content-MD5": md5OfOther}, 400, "BadDigest"},
		{"a Content-MD5 that is not base64 of 16 bytes", sha256Hex(body), map[string]string{"Content-MD5": "abc"}, 400, "InvalidDigest"},
		{"a CRC32 of other bytes", "UNSIGNED-PAYLOAD", map[string]string{"x-amz-checksum-crc32": awschunked.CRC32([]byte("foo"))}, 400, "BadDigest"},
		{"a CRC32 that is not 4 bytes", "UNSIGNED-PAYLOAD", map[string]string{"x-amz-checksum-crc32": "AAAAAAAA"}, 400, "InvalidRequest"},
		{"two checksum headers", "UNSIGNED-PAYLOAD", map[string]string{"x-amz-checksum-crc32": awschunked.CRC32(body), "x-amz-checksum-sha1": "L9ThxnotKPzthJ7hu3bnORuT6xI="}, 400, "InvalidRequest"},
		{"a payload hash of other bytes", sha256Hex([]byte("foo")), nil, 400, "XAmzContentSHA256Mismatch"},
		{"a payload hash that is no hash", "SHA256-OF-NOTHING", nil, 400, "InvalidArgument"},
		{"another expected bucket owner", sha256Hex(body), map[string]string{"x-amz-expected-bucket-owner": "999999999999"}, 403, "AccessDenied"},
	}
	for _, c := range cases {
		hdr := http.Header{}
		for k, v := range c.headers {
			hdr.Set(k, v)
		}
		req := signed(t, e, rootCredentials(), http.MethodPut, "/data/k", body, c.payloadHash, hdr)
		resp, err := e.server.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		code := errorCode(t, resp)
		resp.Body.Close()
		if resp.StatusCode != c.status || code != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, resp.StatusCode, code, c.status, c.code)
		}
	}
	get, err := root.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	defer get.Body.Close()
	if b, _ := io.ReadAll(get.Body); string(b) != "previous" {
		t.Fatalf("a refused body replaced the object with %q", b)
	}

	// A matching Content-MD5 and CRC32 pass.
	hdr := http.Header{}
	hdr.Set("x-amz-checksum-crc32", awschunked.CRC32(body))
	sum := md5.Sum(body)
	hdr.Set("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
	resp, err := e.server.Client().Do(signed(t, e, rootCredentials(), http.MethodPut, "/data/k", body, sha256Hex(body), hdr))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("x-amz-checksum-crc32") != awschunked.CRC32(body) {
		t.Errorf("matching checksums: %d, echoed %q", resp.StatusCode, resp.Header.Get("x-amz-checksum-crc32"))
	}
}

func TestOversizedAndSigV2RequestsAreRefusedBeforeTheBodyIsRead(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	req := signed(t, e, rootCredentials(), http.MethodPut, "/data/huge", nil, "UNSIGNED-PAYLOAD", nil)
	conn, err := net.Dial("tcp", e.server.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	var head bytes.Buffer
	head.WriteString("PUT /data/huge HTTP/1.1\r\nHost: " + req.Host + "\r\nContent-Length: 6442450944\r\n")
	for k, v := range req.Header {
		head.WriteString(k + ": " + v[0] + "\r\n")
	}
	head.WriteString("\r\n")
	conn.Write(head.Bytes())
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if code := errorCode(t, resp); resp.StatusCode != http.StatusBadRequest || code != "EntityTooLarge" {
		t.Errorf("a 6 GiB PutObject: %d %s, want 400 EntityTooLarge", resp.StatusCode, code)
	}

	v2, _ := http.NewRequest(http.MethodGet, e.server.URL+"/data", nil)
	v2.Header.Set("Authorization", "AWS "+rootKey+":c2lnbmF0dXJl")
	resp, err = e.server.Client().Do(v2)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if code := errorCode(t, resp); resp.StatusCode != http.StatusBadRequest || code != "InvalidRequest" {
		t.Errorf("a SigV2 request: %d %s, want 400 InvalidRequest", resp.StatusCode, code)
	}
}
