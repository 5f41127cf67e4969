package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// Issue 5's crash acceptance: a real inkan process, killed with SIGKILL in the middle of a
// write, restarted on the same data directory. The layout checked below is localfs's:
// <data-dir>/objects/tmp holds the writes in progress, <data-dir>/objects/blobs/<shard>/ the
// data files of committed objects and parts.

const (
	crashBucket = "crash"
	crashKey    = "victim/version.bin"
	crashRegion = "ap-northeast-1"
)

// buildInkan builds cmd/inkan into a temporary directory and returns the binary's path.
func buildInkan(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "inkan")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/inkan-dev/inkan/cmd/inkan")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// process is an inkan server running as a child process.
type process struct {
	*testServer
	cmd  *exec.Cmd
	done chan error
}

// startProcess runs `inkan serve --dev` on dataDir and waits until it listens. The test's
// cleanup kills it if it is still running.
func startProcess(t *testing.T, bin, dataDir string) *process {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--dev", "--addr", "127.0.0.1:0", "--log-level", "warn", "--data-dir", dataDir)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dataDir,
		"INKAN_ROOT_ACCESS_KEY_ID=" + rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY=" + rootSecretKey}
	p := &process{testServer: &testServer{DataDir: dataDir, stderr: &lockedBuffer{}, stop: func() {}}, cmd: cmd, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "inkan listening on "); ok {
				urlc <- strings.Fields(rest)[0]
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	select {
	case p.URL = <-urlc:
	case err := <-p.done:
		t.Fatalf("inkan serve exited before listening: %v\n%s", err, p.stderr.String())
	case <-time.After(30 * time.Second):
		t.Fatalf("inkan serve did not listen in time:\n%s", p.stderr.String())
	}
	return p
}

// kill sends SIGKILL and waits for the process to die of it.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := <-p.done
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("inkan serve did not die of SIGKILL: %v", err)
	}
}

// objectsDir is the local backend's directory of a data directory.
func objectsDir(dataDir string) string { return filepath.Join(dataDir, "objects") }

// tempFiles returns the names and sizes of the backend's temporary files.
func tempFiles(t *testing.T, dataDir string) map[string]int64 {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(objectsDir(dataDir), "tmp"))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]int64{}
	for _, e := range entries {
		if info, err := e.Info(); err == nil {
			files[e.Name()] = info.Size()
		}
	}
	return files
}

// dataFiles counts the backend's committed data files.
func dataFiles(t *testing.T, dataDir string) int {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(objectsDir(dataDir), "blobs", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	return len(names)
}

// waitForTempFile waits until a temporary file holds at least n bytes: the server is in
// the middle of writing the body.
func waitForTempFile(t *testing.T, dataDir string, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, size := range tempFiles(t, dataDir) {
			if size >= n {
				return
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no temporary file reached %d bytes: %v", n, tempFiles(t, dataDir))
}

// trickle yields data fast up to fast bytes, then 64 KiB every 20 ms, so that the server
// is still receiving the body when it is killed; Read fails once stop is closed.
type trickle struct {
	data []byte
	off  int
	fast int
	stop <-chan struct{}
}

func (b *trickle) Read(p []byte) (int, error) {
	if b.off >= len(b.data) {
		return 0, io.EOF
	}
	if b.off >= b.fast {
		select {
		case <-b.stop:
			return 0, errors.New("trickle stopped")
		case <-time.After(20 * time.Millisecond):
		}
		p = p[:min(len(p), 64<<10)]
	}
	n := copy(p, b.data[b.off:])
	b.off += n
	return n, nil
}

// sendSigned sends a root-signed request in the background whose body is body (of size
// bytes, signed with its SHA-256) and returns a channel that receives the outcome.
func sendSigned(t *testing.T, srv *testServer, method, path, query string, body io.Reader, size int64, payloadHash string) <-chan error {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	req.URL.RawQuery = query
	req.ContentLength = size
	creds := sigv4.Credentials{AccessKeyID: rootAccessKeyID, SecretAccessKey: rootSecretKey}
	if err := sigv4.Sign(req, creds, crashRegion, "s3", payloadHash, time.Now()); err != nil {
		t.Fatal(err)
	}
	outcome := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Transport: &http.Transport{}}).Do(req)
		if err == nil {
			data, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			err = fmt.Errorf("the server answered %d: %.300s", resp.StatusCode, data)
			if resp.StatusCode == 200 {
				err = nil
			}
		}
		outcome <- err
	}()
	return outcome
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// wantVersion checks that the key holds exactly want, with its ETag, and that no other
// object is visible in the bucket.
func wantVersion(t *testing.T, srv *testServer, want []byte, etag string) {
	t.Helper()
	obj, err := rootS3(srv).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey)})
	if err != nil {
		t.Fatalf("GetObject after the restart: %v", err)
	}
	got, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil || !bytes.Equal(got, want) || aws.ToString(obj.ETag) != etag {
		t.Fatalf("after the restart the key holds %d bytes with ETag %s (%v), want %d bytes with ETag %s",
			len(got), aws.ToString(obj.ETag), err, len(want), etag)
	}
	if objects := bucketObjects(t, srv, crashBucket, ""); len(objects) != 1 || objects[crashKey] != int64(len(want)) {
		t.Fatalf("after the restart the bucket lists %v", objects)
	}
}

// wantPartialTempFile checks that the kill left one partial temporary file of a body of
// size bytes: the server was killed in the middle of writing it.
func wantPartialTempFile(t *testing.T, dataDir string, size int) {
	t.Helper()
	left := tempFiles(t, dataDir)
	for _, n := range left {
		if len(left) == 1 && n > 0 && n < int64(size) {
			return
		}
	}
	t.Fatalf("the kill left temporary files %v, want one partial file of the %d-byte body", left, size)
}

// wantNoTempFiles checks that the start-up sweep left no temporary file.
func wantNoTempFiles(t *testing.T, dataDir string) {
	t.Helper()
	if left := tempFiles(t, dataDir); len(left) != 0 {
		t.Fatalf("temporary files remain after the start-up sweep: %v", left)
	}
}

// putVersion stores data under the crash key as root and returns its ETag.
func putVersion(t *testing.T, srv *testServer, data []byte) string {
	t.Helper()
	out, err := rootS3(srv).PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey),
		Body: bytes.NewReader(data)})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	if got := aws.ToString(out.ETag); got != quotedMD5(data) {
		t.Fatalf("PutObject ETag %s, want %s", got, quotedMD5(data))
	}
	return aws.ToString(out.ETag)
}

func TestAServerKilledInTheMiddleOfWritesKeepsThePreviousVersionsAndLeavesNoTemporaryFiles(t *testing.T) {
	bin := buildInkan(t)
	t.Run("a 100 MiB PutObject", func(t *testing.T) { crashPutObject(t, bin) })
	t.Run("an UploadPart of a multipart upload", func(t *testing.T) { crashUploadPart(t, bin) })
	t.Run("CompleteMultipartUpload", func(t *testing.T) { crashComplete(t, bin) })
}

func crashPutObject(t *testing.T, bin string) {
	dir := t.TempDir()
	srv := startProcess(t, bin, dir)
	createBuckets(t, srv.testServer, crashBucket)
	v1 := randomBytes(1, 1<<20)
	etag1 := putVersion(t, srv.testServer, v1)

	v2 := randomBytes(2, 100<<20)
	stop := make(chan struct{})
	defer close(stop)
	outcome := sendSigned(t, srv.testServer, "PUT", "/"+crashBucket+"/"+crashKey, "", &trickle{data: v2, fast: 60 << 20, stop: stop}, int64(len(v2)), hashHex(v2))
	waitForTempFile(t, dir, 48<<20)
	srv.kill(t)
	if err := <-outcome; err == nil {
		t.Fatal("the killed PutObject was acknowledged")
	}
	wantPartialTempFile(t, dir, len(v2))

	srv = startProcess(t, bin, dir)
	wantNoTempFiles(t, dir)
	wantVersion(t, srv.testServer, v1, etag1)
	if n := dataFiles(t, dir); n != 1 {
		t.Errorf("%d data files after the restart, want the previous version's only", n)
	}
}

func crashUploadPart(t *testing.T, bin string) {
	dir := t.TempDir()
	srv := startProcess(t, bin, dir)
	createBuckets(t, srv.testServer, crashBucket)
	v1 := randomBytes(1, 1<<20)
	etag1 := putVersion(t, srv.testServer, v1)
	c := rootS3(srv.testServer)
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey)})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(up.UploadId)
	part1, part2 := randomBytes(11, 5<<20), randomBytes(12, 64<<20)
	p1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader(part1)})
	if err != nil {
		t.Fatal(err)
	}

	stop := make(chan struct{})
	defer close(stop)
	outcome := sendSigned(t, srv.testServer, "PUT", "/"+crashBucket+"/"+crashKey, "partNumber=2&uploadId="+id,
		&trickle{data: part2, fast: 40 << 20, stop: stop}, int64(len(part2)), hashHex(part2))
	waitForTempFile(t, dir, 30<<20)
	srv.kill(t)
	if err := <-outcome; err == nil {
		t.Fatal("the killed UploadPart was acknowledged")
	}
	wantPartialTempFile(t, dir, len(part2))

	srv = startProcess(t, bin, dir)
	wantNoTempFiles(t, dir)
	wantVersion(t, srv.testServer, v1, etag1)
	// The upload survives with the part that was acknowledged, as in S3, and can be finished.
	c = rootS3(srv.testServer)
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), UploadId: up.UploadId})
	if err != nil || len(parts.Parts) != 1 || aws.ToInt32(parts.Parts[0].PartNumber) != 1 || aws.ToString(parts.Parts[0].ETag) != quotedMD5(part1) {
		t.Fatalf("ListParts after the restart: %+v, %v; want part 1 only", parts, err)
	}
	if n := dataFiles(t, dir); n != 2 {
		t.Errorf("%d data files after the restart, want 2: the previous version and part 1", n)
	}
	p2, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), UploadId: up.UploadId,
		PartNumber: aws.Int32(2), Body: bytes.NewReader(part2)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.ETag}}}})
	if err != nil {
		t.Fatalf("completing the upload after the restart: %v", err)
	}
	whole := append(append([]byte(nil), part1...), part2...)
	wantVersion(t, srv.testServer, whole, multipartETag(part1, part2))
	if n := dataFiles(t, dir); n != 2 {
		t.Errorf("%d data files after completing, want the two parts only", n)
	}
}

// crashComplete kills the server at growing delays after a CompleteMultipartUpload is sent:
// every round the key must hold either the previous version, with the upload still
// pending, or the whole new object, with the upload gone — never anything else.
func crashComplete(t *testing.T, bin string) {
	dir := t.TempDir()
	srv := startProcess(t, bin, dir)
	createBuckets(t, srv.testServer, crashBucket)
	prev := randomBytes(1, 1<<20)
	prevETag := putVersion(t, srv.testServer, prev)
	ctx := context.Background()
	completed, prevFiles := 0, 1
	for round, delay := range []time.Duration{0, 500 * time.Microsecond, time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond} {
		c := rootS3(srv.testServer)
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey)})
		if err != nil {
			t.Fatal(err)
		}
		next := randomBytes(uint64(100+round), 5<<20+1000)
		var xml strings.Builder
		xml.WriteString("<CompleteMultipartUpload>")
		for i, part := range [][]byte{next[:5<<20], next[5<<20:]} {
			out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), UploadId: up.UploadId,
				PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(part)})
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&xml, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, aws.ToString(out.ETag))
		}
		xml.WriteString("</CompleteMultipartUpload>")
		body := []byte(xml.String())
		outcome := sendSigned(t, srv.testServer, "POST", "/"+crashBucket+"/"+crashKey, "uploadId="+aws.ToString(up.UploadId),
			bytes.NewReader(body), int64(len(body)), hashHex(body))
		time.Sleep(delay)
		srv.kill(t)
		acked := <-outcome == nil

		srv = startProcess(t, bin, dir)
		wantNoTempFiles(t, dir)
		uploads, err := rootS3(srv.testServer).ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(crashBucket)})
		if err != nil {
			t.Fatal(err)
		}
		switch pending := len(uploads.Uploads) == 1; {
		case !pending && len(uploads.Uploads) == 0:
			wantVersion(t, srv.testServer, next, multipartETag(split(next, 5<<20)...))
			prev, prevETag, prevFiles = next, multipartETag(split(next, 5<<20)...), 2
			completed++
		case pending && !acked && aws.ToString(uploads.Uploads[0].UploadId) == aws.ToString(up.UploadId):
			wantVersion(t, srv.testServer, prev, prevETag)
			if _, err := rootS3(srv.testServer).AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String(crashBucket),
				Key: aws.String(crashKey), UploadId: up.UploadId}); err != nil {
				t.Fatal(err)
			}
		default:
			t.Fatalf("round %d: after the restart %d uploads are pending (acknowledged: %v)", round, len(uploads.Uploads), acked)
		}
		if n := dataFiles(t, dir); n != prevFiles {
			t.Fatalf("round %d: %d data files, want the %d of the current version only", round, n, prevFiles)
		}
	}
	t.Logf("CompleteMultipartUpload took effect before the kill in %d of 5 rounds", completed)
}
