package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/inkan-dev/inkan/internal/testsupport/awschunked"
	"github.com/inkan-dev/inkan/internal/testsupport/s3server"
)

// Issue 11's end-to-end acceptance beyond the tests every backend runs: inkan in front of
// SeaweedFS shares its objects with the store's other clients, refuses bodies that fail
// verification without touching the upstream, and rides out an upstream outage.

// sessionS3 is an aws-sdk-go-v2 client of srv signed by the session of a CLI environment.
func sessionS3(srv *testServer, env map[string]string) *s3.Client {
	cfg := sessionConfig(aws.Credentials{AccessKeyID: env["AWS_ACCESS_KEY_ID"], SecretAccessKey: env["AWS_SECRET_ACCESS_KEY"],
		SessionToken: env["AWS_SESSION_TOKEN"]})
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
}

// getBody reads a whole object and its ETag.
func getBody(t *testing.T, c *s3.Client, bucket, key string) ([]byte, string) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data, aws.ToString(out.ETag)
}

func TestObjectsWrittenToTheUpstreamDirectlyAndThroughInkanAreReadableTheOtherWay(t *testing.T) {
	b := sharedSeaweed(t)
	srv := b.start(t)
	const bucket = "interop"
	createBuckets(t, srv, bucket)
	session := sessionS3(srv, sessionEnv(t, srv, "interop", readWriteBucket(bucket)))
	ctx := context.Background()

	direct := randomBytes(61, 3<<20+11)
	if _, err := b.direct().PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b.bucket(bucket)), Key: aws.String("direct/one two.bin"),
		Body: bytes.NewReader(direct), Metadata: map[string]string{"origin": "direct"}}); err != nil {
		t.Fatalf("PutObject to the upstream directly: %v", err)
	}
	if got, etag := getBody(t, session, bucket, "direct/one two.bin"); !bytes.Equal(got, direct) || etag != quotedMD5(direct) {
		t.Fatalf("through inkan the upstream's object reads %d bytes with ETag %s, want %d with %s", len(got), etag, len(direct), quotedMD5(direct))
	}
	head, err := session.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("direct/one two.bin")})
	if err != nil || head.Metadata["origin"] != "direct" {
		t.Fatalf("HeadObject through inkan: %v, metadata %v", err, head)
	}

	through := randomBytes(62, 2<<20+5)
	if _, err := session.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("through/inkan+1.bin"),
		Body: bytes.NewReader(through), Metadata: map[string]string{"origin": "inkan"}}); err != nil {
		t.Fatalf("PutObject through inkan: %v", err)
	}
	if got, etag := getBody(t, b.direct(), b.bucket(bucket), "through/inkan+1.bin"); !bytes.Equal(got, through) || etag != quotedMD5(through) {
		t.Fatalf("the upstream reads inkan's object as %d bytes with ETag %s, want %d with %s", len(got), etag, len(through), quotedMD5(through))
	}
	if objects := b.directObjects(t, bucket); len(objects) != 2 {
		t.Fatalf("the upstream bucket holds %v, want the two objects", objects)
	}
}

func TestBodiesFailingVerificationAtTheirEndLeaveTheUpstreamUnchanged(t *testing.T) {
	b := sharedSeaweed(t)
	srv := b.start(t)
	const bucket, key = "verify", "k/object.bin"
	createBuckets(t, srv, bucket)
	env := sessionEnv(t, srv, "verify", readWriteBucket(bucket))
	session := sessionS3(srv, env)
	previous := randomBytes(70, 2<<20)
	if _, err := session.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		Body: bytes.NewReader(previous)}); err != nil {
		t.Fatal(err)
	}
	// Above the 1 MiB the upstream backend verifies whole before sending: this body streams
	// through, so inkan finds the fault only after it sent nearly all of it upstream.
	data := randomBytes(71, 3<<20+100)
	chunks := split(data, 64<<10)
	cases := []struct {
		name, status, code string
		tamper             func(framed []string)
		checksum           string
	}{
		{"the last data chunk altered under its signature", "403", "SignatureDoesNotMatch", func(f []string) {
			last := len(chunks) - 1
			f[last] = strings.Replace(f[last], string(chunks[last][:8]), "tampered", 1)
		}, awschunked.CRC32(data)},
		{"a trailing CRC32 of other bytes", "400", "BadDigest", func([]string) {}, awschunked.CRC32([]byte("other bytes"))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code := putChunked(t, srv, env, "/"+bucket+"/"+key, chunks, c.checksum, c.tamper)
			if status != c.status || code != c.code {
				t.Fatalf("answered %s %s, want %s %s", status, code, c.status, c.code)
			}
			if got, etag := getBody(t, b.direct(), b.bucket(bucket), key); !bytes.Equal(got, previous) || etag != quotedMD5(previous) {
				t.Fatalf("the upstream holds %d bytes with ETag %s, want the previous %d bytes", len(got), etag, len(previous))
			}
			if objects := b.directObjects(t, bucket); len(objects) != 1 {
				t.Fatalf("the upstream bucket holds %v, want the previous object only", objects)
			}
		})
	}
	// The same frames untampered are stored: the failures above were the tampering's.
	if status, code := putChunked(t, srv, env, "/"+bucket+"/"+key, chunks, awschunked.CRC32(data), func([]string) {}); status != "200" {
		t.Fatalf("the untampered body answered %s %s", status, code)
	}
	if got, _ := getBody(t, b.direct(), b.bucket(bucket), key); !bytes.Equal(got, data) {
		t.Fatal("the untampered body was not stored upstream")
	}
	// Its trailing checksum, known only after the body had streamed upstream, is kept.
	head, err := session.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(key),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(head.ChecksumCRC32) != awschunked.CRC32(data) {
		t.Fatalf("HeadObject of the streamed body: CRC32 %q (%v), want %s", aws.ToString(head.ChecksumCRC32), err, awschunked.CRC32(data))
	}
}

// putChunked PUTs chunks as a STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER body signed by the
// session of env, with a trailing CRC32, after tamper has changed the framed chunks, and
// returns the status and the S3 error code.
func putChunked(t *testing.T, srv *testServer, env map[string]string, path string, chunks [][]byte, checksum string, tamper func([]string)) (string, string) {
	t.Helper()
	size := 0
	for _, c := range chunks {
		size += len(c)
	}
	const streaming = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	creds := aws.Credentials{AccessKeyID: env["AWS_ACCESS_KEY_ID"], SecretAccessKey: env["AWS_SECRET_ACCESS_KEY"], SessionToken: env["AWS_SESSION_TOKEN"]}
	// The header signature covers Content-Length and seeds the chunk signatures: frame once
	// to learn the length (signatures have fixed sizes), then sign and frame for real.
	var req *http.Request
	var body string
	for length := int64(0); ; {
		var err error
		req, err = http.NewRequest(http.MethodPut, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = length
		req.Header.Set("Content-Encoding", "aws-chunked")
		req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(size))
		req.Header.Set("X-Amz-Trailer", "x-amz-checksum-crc32")
		req.Header.Set("X-Amz-Content-Sha256", streaming)
		// inkan's signer signs only hashes and UNSIGNED-PAYLOAD; the SDK's signs any.
		if err := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }).
			SignHTTP(context.Background(), creds, req, streaming, "s3", env["AWS_DEFAULT_REGION"], time.Now()); err != nil {
			t.Fatal(err)
		}
		cs := awschunked.NewSigner(req, creds.SecretAccessKey)
		framed := make([]string, 0, len(chunks)+2)
		for _, c := range chunks {
			framed = append(framed, cs.Chunk(c))
		}
		framed = append(framed, cs.Chunk(nil), cs.Trailer("x-amz-checksum-crc32:"+checksum))
		body = strings.Join(framed, "")
		if int64(len(body)) == length {
			tamper(framed)
			body = strings.Join(framed, "")
			break
		}
		length = int64(len(body))
	}
	req.Body = io.NopCloser(strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	code := ""
	if i, j := bytes.Index(data, []byte("<Code>")), bytes.Index(data, []byte("</Code>")); i >= 0 && j > i {
		code = string(data[i+6 : j])
	}
	return strconv.Itoa(resp.StatusCode), code
}

// treeHashes maps every file of a tree to its SHA-256.
func treeHashes(files map[string][]byte) map[string][32]byte {
	out := make(map[string][32]byte, len(files))
	for name, data := range files {
		out[name] = sha256.Sum256(data)
	}
	return out
}

func TestAnUpstreamOutageDuringASyncIsAnswered503AndARerunCompletesTheBucket(t *testing.T) {
	awsCLI(t)
	up := s3server.Start(t, s3server.SeaweedFS) // its own: this test stops it
	b := seaweedBackend(t, up)
	srv := b.start(t)
	const bucket = "outage"
	createBuckets(t, srv, bucket)
	env := sessionEnv(t, srv, "outage", readWriteBucket(bucket))
	files, _ := syncTree(40)
	local := t.TempDir()
	writeTree(t, local, files)

	health := pollHealth(srv)
	type result struct {
		out, errOut string
		err         error
	}
	first := make(chan result, 1)
	go func() {
		cmd := awsCommand(context.Background(), t, env, "s3", "sync", "--no-progress", local, "s3://"+bucket+"/tree/", "--endpoint-url", srv.URL)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		first <- result{out.String(), errb.String(), err}
	}()
	// Stop the upstream once the sync is under way: some objects stored, most not.
	stored := 0
	for deadline := time.Now().Add(60 * time.Second); stored < 20; time.Sleep(100 * time.Millisecond) {
		if stored = len(b.directObjects(t, bucket)); time.Now().After(deadline) {
			t.Fatalf("the sync stored %d objects in 60 s", stored)
		}
	}
	up.Stop()
	t.Logf("the upstream stopped after about %d of %d objects were stored", stored, len(files))
	time.Sleep(10 * time.Second)
	if err := up.Start(); err != nil {
		t.Fatal(err)
	}
	var r result
	select {
	case r = <-first:
	case <-time.After(5 * time.Minute):
		t.Fatal("the first sync did not end within 5 minutes")
	}
	polls, bad := health()
	t.Logf("first sync: %v; %d upload lines, %d failures printed", r.err, countLines(r.out, "upload: "), strings.Count(r.out+r.errOut, "upload failed"))
	if bad != 0 || polls < 40 {
		t.Errorf("healthz answered other than 200 %d times of %d", bad, polls)
	}
	if n := metricSum(t, srv, `inkan_http_requests_total{code="503",service="s3"}`); n == 0 {
		t.Errorf("inkan answered no 503 while the upstream was down (CLI printed:\n%.2000s)", r.out+r.errOut)
	} else {
		t.Logf("inkan answered %v S3 requests with 503; the CLI printed %d ServiceUnavailable errors", n, strings.Count(r.out+r.errOut, "ServiceUnavailable"))
	}

	mustS3CLI(t, srv, env, "s3", "sync", "--no-progress", local, "s3://"+bucket+"/tree/")
	listed := bucketObjects(t, srv, bucket, "")
	keys := make([]string, 0, len(listed))
	for k := range listed {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(listed) != len(files) {
		t.Fatalf("after the rerun the bucket lists %d objects, want %d", len(listed), len(files))
	}
	want := treeHashes(files)
	for _, k := range keys {
		got, _ := getBody(t, rootS3(srv), bucket, k)
		if sha256.Sum256(got) != want[strings.TrimPrefix(k, "tree/")] {
			t.Fatalf("after the rerun %s does not hold the local file's bytes", k)
		}
	}
}

// pollHealth polls srv's /healthz every 100 ms until the returned function is called, which
// reports how many polls were made and how many did not answer 200.
func pollHealth(srv *testServer) func() (int, int) {
	stop, done := make(chan struct{}), make(chan [2]int, 1)
	go func() {
		client := &http.Client{Timeout: 2 * time.Second}
		var polls, bad int
		for {
			select {
			case <-stop:
				done <- [2]int{polls, bad}
				return
			case <-time.After(100 * time.Millisecond):
			}
			polls++
			resp, err := client.Get(srv.URL + "/healthz")
			if err != nil {
				bad++
				continue
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				bad++
			}
		}
	}()
	return func() (int, int) {
		close(stop)
		r := <-done
		return r[0], r[1]
	}
}

// metricSum reads srv's /metrics and returns the value of the series named exactly so.
func metricSum(t *testing.T, srv *testServer, series string) float64 {
	t.Helper()
	status, body := httpGet(t, srv.URL+"/metrics")
	if status != http.StatusOK {
		t.Fatalf("/metrics answered %d", status)
	}
	for _, line := range strings.Split(body, "\n") {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			var v float64
			fmt.Sscan(rest, &v)
			return v
		}
	}
	return 0
}
