package e2e

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// The hostile-input suite (issue 12): hundreds of malformed requests sent over raw HTTP to a
// real `inkan serve`, across S3, STS and IAM. Each case names the status and the error code
// it must get; every answer must be a 4xx in its protocol's format (S3's <Error> document,
// the query protocol's <ErrorResponse>), never a 5xx; afterwards the server must be alive,
// must have logged no error or panic, and must have stored nothing. The cases are built in
// hostile_s3_cases_test.go and hostile_query_cases_test.go.

// proto is the format an answer must have.
type proto int

const (
	protoS3    proto = iota // S3's <Error><Code>… document (none for HEAD)
	protoQuery              // the query protocol's <ErrorResponse>
	protoHTTP               // net/http's own plain-text answer to framing it cannot parse
)

// hostileCase is one malformed request and the answer it must get.
type hostileCase struct {
	name   string
	raw    []byte
	status int
	code   string // "" for a HEAD answer or net/http's plain text
	proto  proto
	// halfClose closes the client's sending side after raw: a body that ends early.
	halfClose bool
}

// hostile holds what the case builders need: the server, its seeded state and a signer.
type hostile struct {
	t        testing.TB
	srv      *testServer
	host     string
	uploadID string // a pending multipart upload of hostile/pending
}

const (
	hostileBucket = "hostile"
	emptySHA      = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	streamingSHA  = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
)

// req is an unsigned request; target is sent byte for byte.
func (h *hostile) req(method, target string, header http.Header, body []byte) *http.Request {
	return rawRequest(h.t, h.srv, method, target, header, body)
}

// sign signs r for service with the root keys at time at (zero: now). S3 requests carry
// x-amz-content-sha256 = payloadHash ("" = the hash of an empty body).
func (h *hostile) sign(r *http.Request, service, payloadHash string, at time.Time, keyID string) *http.Request {
	h.t.Helper()
	if payloadHash == "" {
		payloadHash = emptySHA
	}
	if at.IsZero() {
		at = time.Now()
	}
	if keyID == "" {
		keyID = rootAccessKeyID
	}
	if service == "s3" {
		r.Header.Set("X-Amz-Content-Sha256", payloadHash)
	}
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	creds := aws.Credentials{AccessKeyID: keyID, SecretAccessKey: rootSecretKey}
	if err := signer.SignHTTP(context.Background(), creds, r, payloadHash, service, rawRegion, at); err != nil {
		h.t.Fatal(err)
	}
	return r
}

// presign returns r presigned for S3 with the root keys at time at, expiring after expires.
func (h *hostile) presign(r *http.Request, at time.Time, expires time.Duration) *http.Request {
	h.t.Helper()
	q := r.URL.Query()
	q.Set("X-Amz-Expires", strconv.Itoa(int(expires/time.Second)))
	r.URL.RawQuery = q.Encode()
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	creds := aws.Credentials{AccessKeyID: rootAccessKeyID, SecretAccessKey: rootSecretKey}
	signed, _, err := signer.PresignHTTP(context.Background(), creds, r, "UNSIGNED-PAYLOAD", "s3", rawRegion, at)
	if err != nil {
		h.t.Fatal(err)
	}
	u, err := url.Parse(signed)
	if err != nil {
		h.t.Fatal(err)
	}
	r.URL.RawQuery = u.RawQuery
	return r
}

// bytes serializes r.
func (h *hostile) bytes(r *http.Request) []byte { return wireBytes(h.t, r) }

func TestHostileRequestsGetTheProtocolsOwn4xxAndChangeNothing(t *testing.T) {
	srv := startServer(t)
	createBuckets(t, srv, hostileBucket)
	client := rootS3(srv)
	ctx := context.Background()
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(hostileBucket), Key: aws.String("seed"),
		Body: strings.NewReader("the seed object")}); err != nil {
		t.Fatal(err)
	}
	up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(hostileBucket), Key: aws.String("pending")})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(srv.URL)
	h := &hostile{t: t, srv: srv, host: u.Host, uploadID: aws.ToString(up.UploadId)}
	cases := append(h.s3Cases(), h.queryCases()...)
	seen := map[string]bool{}
	counts := map[proto]int{}
	for i, c := range cases {
		if seen[c.name] {
			t.Fatalf("two cases are named %q", c.name)
		}
		seen[c.name] = true
		counts[c.proto]++
		start := time.Now()
		var ans rawAnswer
		if c.halfClose {
			ans = halfCloseAnswer(t, srv, c.raw)
		} else {
			ans = exchange(t, srv, c.raw)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Logf("%s took %v", c.name, d)
		}
		checkHostile(t, c, ans)
		if i%50 == 49 {
			if code, _ := get(t, http.DefaultClient, srv.URL+"/healthz"); code != 200 {
				t.Fatalf("after %d hostile requests /healthz answers %d", i+1, code)
			}
		}
	}
	t.Logf("%d hostile requests: %d S3, %d query (STS and IAM), %d refused by net/http's framing", len(cases),
		counts[protoS3], counts[protoQuery], counts[protoHTTP])
	if len(cases) < 300 {
		t.Errorf("the suite holds %d cases, want at least 300", len(cases))
	}
	checkUnchanged(t, srv, h)
}

// checkHostile checks one answer against its case.
func checkHostile(t *testing.T, c hostileCase, ans rawAnswer) {
	t.Helper()
	if ans.status >= 500 || ans.status == 0 {
		t.Errorf("%s: answered %d %q, a server failure for a client's mistake\n%.400s", c.name, ans.status, ans.code, ans.body)
		return
	}
	if ans.status != c.status || ans.code != c.code {
		t.Errorf("%s: %d %q, want %d %q\n%.400s", c.name, ans.status, ans.code, c.status, c.code, ans.body)
		return
	}
	switch {
	case c.proto == protoS3 && c.code != "" && !(strings.HasPrefix(ans.body, "<?xml") && strings.Contains(ans.body, "<Error><Code>")):
		t.Errorf("%s: not an S3 error document:\n%.400s", c.name, ans.body)
	case c.proto == protoQuery && !strings.Contains(ans.body, "<ErrorResponse"):
		t.Errorf("%s: not a query-protocol error document:\n%.400s", c.name, ans.body)
	}
}

// checkUnchanged checks that the server is alive, logged no error or panic, counted no 5xx
// and stored nothing: one bucket, its seed object, its pending upload, no role or provider
// but the test IdP's.
func checkUnchanged(t *testing.T, srv *testServer, h *hostile) {
	t.Helper()
	client := rootS3(srv)
	ctx := context.Background()
	buckets, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if len(buckets.Buckets) != 1 || aws.ToString(buckets.Buckets[0].Name) != hostileBucket {
		var names []string
		for _, b := range buckets.Buckets {
			names = append(names, aws.ToString(b.Name))
		}
		t.Errorf("buckets after the suite: %v, want only %s", names, hostileBucket)
	}
	if objects := bucketObjects(t, srv, hostileBucket, ""); len(objects) != 1 || objects["seed"] != int64(len("the seed object")) {
		t.Errorf("objects after the suite: %v, want only the seed", objects)
	}
	uploads, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(hostileBucket)})
	if err != nil {
		t.Fatal(err)
	}
	if len(uploads.Uploads) != 1 || aws.ToString(uploads.Uploads[0].UploadId) != h.uploadID {
		t.Errorf("uploads after the suite: %d, want the one pending", len(uploads.Uploads))
	}
	roles := exchange(t, srv, h.bytes(h.sign(h.req(http.MethodPost, "/", formHeader(), []byte("Action=ListRoles&Version=2010-05-08")), "iam", hashHex([]byte("Action=ListRoles&Version=2010-05-08")), time.Time{}, "")))
	if roles.status != 200 || strings.Contains(roles.body, "<RoleName>") {
		t.Errorf("ListRoles after the suite: %d\n%.600s", roles.status, roles.body)
	}
	if lines := metricLines(t, srv, `inkan_http_requests_total{code="5`); len(lines) > 0 {
		t.Errorf("the server counted failures: %v", lines)
	}
	log := srv.stderr.String()
	for _, bad := range []string{"level=ERROR", "panic"} {
		if strings.Contains(log, bad) {
			t.Errorf("the server logged %q:\n%s", bad, log)
		}
	}
}

func formHeader() http.Header {
	return http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
}
