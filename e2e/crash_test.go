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
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// Issue 5's crash acceptance: a real inkan process, killed with SIGKILL in the middle of a
// write, restarted on the same data directory, on each object backend. In front of an
// upstream (issue 11) the upstream is read with its own keys afterwards: it holds the
// previous version and nothing partial. The layout checked below is localfs's:
// <data-dir>/objects/blobs/<shard>/ holds the data files of committed objects and parts; a
// write in progress is an unnamed O_TMPFILE file in its shard directory where the file
// system allows it (a crash leaves nothing), else a file in <data-dir>/objects/tmp that
// the start-up sweep removes. The tests find the file being written among the server's
// open files (/proc/<pid>/fd), so they know the kill lands in the middle of the body.

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

// startProcess runs `inkan serve --dev` on dataDir and b and waits until it listens. The
// test's cleanup kills it if it is still running.
func startProcess(t *testing.T, bin, dataDir string, b objectBackend) *process {
	t.Helper()
	return startProcessWith(t, bin, dataDir, b, nil)
}

// startProcessWith is startProcess with extra environment variables and serve flags.
func startProcessWith(t *testing.T, bin, dataDir string, b objectBackend, env map[string]string, extra ...string) *process {
	t.Helper()
	args := append([]string{"serve", "--dev", "--addr", "127.0.0.1:0", "--log-level", "warn", "--data-dir", dataDir}, b.args()...)
	cmd := exec.Command(bin, append(args, extra...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dataDir,
		"INKAN_ROOT_ACCESS_KEY_ID=" + rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY=" + rootSecretKey}
	for k, v := range b.env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
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
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
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

// writing returns the sizes of the data files the server has open for writing or has
// left in tmp/, by name: the writes in progress.
func (p *process) writing(t *testing.T) map[string]int64 {
	t.Helper()
	files := tempFiles(t, p.DataDir)
	fdDir := fmt.Sprintf("/proc/%d/fd", p.cmd.Process.Pid)
	fds, _ := os.ReadDir(fdDir) // none once the process is gone
	blobs := filepath.Join(objectsDir(p.DataDir), "blobs") + string(filepath.Separator)
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join(fdDir, fd.Name()))
		if err != nil || !strings.HasPrefix(target, blobs) || !strings.HasSuffix(target, " (deleted)") {
			continue // not an unnamed data file
		}
		if info, err := os.Stat(filepath.Join(fdDir, fd.Name())); err == nil {
			files[target] = info.Size()
		}
	}
	return files
}

// waitForPartialWrite waits until the server has written at least n bytes of a data file:
// it is in the middle of the body the request whose outcome is given sends.
func waitForPartialWrite(t *testing.T, srv *process, outcome <-chan error, n int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for _, size := range srv.writing(t) {
			if size >= n {
				return
			}
		}
		select {
		case err := <-outcome:
			t.Fatalf("the request ended before the server wrote %d bytes: %v\nserver log:\n%s", n, err, srv.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	t.Fatalf("no data file reached %d bytes: %v\nserver log:\n%s", n, srv.writing(t), srv.stderr.String())
}

// trickle yields data fast up to fast bytes, then 64 KiB every 20 ms, so that the server
// is still receiving the body when it is killed; Read fails once stop is closed.
type trickle struct {
	data []byte
	off  int
	fast int
	stop <-chan struct{}
	sent atomic.Int64 // bytes handed to the HTTP client so far
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
	b.sent.Add(int64(n))
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

// wantNoWholeTempFile checks that the kill left no complete temporary file of a body of
// size bytes: at most the partial one of a backend that names its temporary files.
func wantNoWholeTempFile(t *testing.T, dataDir string, size int) {
	t.Helper()
	left := tempFiles(t, dataDir)
	for _, n := range left {
		if len(left) > 1 || n >= int64(size) {
			t.Fatalf("the kill left temporary files %v, want at most one partial file of the %d-byte body", left, size)
		}
	}
}

// wantNoTempFiles checks that the start-up sweep left no temporary file.
func wantNoTempFiles(t *testing.T, dataDir string) {
	t.Helper()
	if left := tempFiles(t, dataDir); len(left) != 0 {
		t.Fatalf("temporary files remain after the start-up sweep: %v", left)
	}
}

// crashStart starts a server on a fresh data directory and stores the key's first version,
// which it returns with its ETag.
func crashStart(t *testing.T, bin string, b objectBackend) (string, *process, []byte, string) {
	t.Helper()
	dir := t.TempDir()
	srv := startProcess(t, bin, dir, b)
	createBuckets(t, srv.testServer, crashBucket)
	v1 := randomBytes(1, 1<<20)
	return dir, srv, v1, putVersion(t, srv.testServer, v1)
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
	eachBackend(t, func(t *testing.T, b objectBackend) {
		t.Run("a 100 MiB PutObject", func(t *testing.T) { crashPutObject(t, bin, b.fresh(t)) })
		t.Run("an UploadPart of a multipart upload", func(t *testing.T) { crashUploadPart(t, bin, b.fresh(t)) })
		if b.upstream == nil { // the upstream's own completion is atomic; inkan's records are not checked here
			t.Run("CompleteMultipartUpload", func(t *testing.T) { crashComplete(t, bin, b) })
		}
	})
}

// waitMidBody waits until the server is in the middle of the body body sends: locally,
// until its data file holds n bytes; upstream, where the file is not ours to see, until
// the client has sent n bytes (inkan streams them on) and a little more has trickled.
func waitMidBody(t *testing.T, b objectBackend, srv *process, outcome <-chan error, body *trickle, n int64) {
	t.Helper()
	if b.upstream == nil {
		waitForPartialWrite(t, srv, outcome, n)
		return
	}
	for deadline := time.Now().Add(30 * time.Second); body.sent.Load() < n; {
		select {
		case err := <-outcome:
			t.Fatalf("the request ended after %d bytes: %v\nserver log:\n%s", body.sent.Load(), err, srv.stderr.String())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the client sent only %d bytes in 30 s", body.sent.Load())
		}
	}
	time.Sleep(300 * time.Millisecond)
}

// wantUpstream checks, with the upstream's own keys, that the crash key holds exactly want
// with its ETag, that the bucket holds nothing else, and that uploads uploads are pending.
func wantUpstream(t *testing.T, b objectBackend, want []byte, etag string, uploads int) {
	t.Helper()
	ctx := context.Background()
	obj, err := b.direct().GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.bucket(crashBucket)), Key: aws.String(crashKey)})
	if err != nil {
		t.Fatalf("GetObject from the upstream: %v", err)
	}
	got, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil || !bytes.Equal(got, want) || aws.ToString(obj.ETag) != etag {
		t.Fatalf("the upstream holds %d bytes with ETag %s (%v), want %d bytes with ETag %s", len(got), aws.ToString(obj.ETag), err, len(want), etag)
	}
	if objects := b.directObjects(t, crashBucket); len(objects) != 1 || objects[crashKey] != int64(len(want)) {
		t.Fatalf("the upstream bucket lists %v", objects)
	}
	ups, err := b.direct().ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(b.bucket(crashBucket))})
	if err != nil || len(ups.Uploads) != uploads {
		t.Fatalf("the upstream lists %d uploads (%v), want %d", len(ups.Uploads), err, uploads)
	}
}

func crashPutObject(t *testing.T, bin string, b objectBackend) {
	dir, srv, v1, etag1 := crashStart(t, bin, b)
	v2 := randomBytes(2, 100<<20)
	stop := make(chan struct{})
	defer close(stop)
	body := &trickle{data: v2, fast: 60 << 20, stop: stop}
	outcome := sendSigned(t, srv.testServer, "PUT", "/"+crashBucket+"/"+crashKey, "", body, int64(len(v2)), hashHex(v2))
	waitMidBody(t, b, srv, outcome, body, 48<<20)
	srv.kill(t)
	if err := <-outcome; err == nil {
		t.Fatal("the killed PutObject was acknowledged")
	}
	if b.upstream != nil {
		srv = startProcess(t, bin, dir, b)
		wantUpstream(t, b, v1, etag1, 0)
		wantVersion(t, srv.testServer, v1, etag1)
		return
	}
	wantNoWholeTempFile(t, dir, len(v2))

	srv = startProcess(t, bin, dir, b)
	wantNoTempFiles(t, dir)
	wantVersion(t, srv.testServer, v1, etag1)
	if n := dataFiles(t, dir); n != 1 {
		t.Errorf("%d data files after the restart, want the previous version's only", n)
	}
}

func crashUploadPart(t *testing.T, bin string, b objectBackend) {
	dir, srv, v1, etag1 := crashStart(t, bin, b)
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
	body := &trickle{data: part2, fast: 40 << 20, stop: stop}
	outcome := sendSigned(t, srv.testServer, "PUT", "/"+crashBucket+"/"+crashKey, "partNumber=2&uploadId="+id, body, int64(len(part2)), hashHex(part2))
	waitMidBody(t, b, srv, outcome, body, 30<<20)
	srv.kill(t)
	if err := <-outcome; err == nil {
		t.Fatal("the killed UploadPart was acknowledged")
	}
	if b.upstream == nil {
		wantNoWholeTempFile(t, dir, len(part2))
	}

	srv = startProcess(t, bin, dir, b)
	if b.upstream != nil {
		wantUpstream(t, b, v1, etag1, 1)
		parts, err := b.direct().ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(b.bucket(crashBucket)), Key: aws.String(crashKey), UploadId: up.UploadId})
		if err != nil || len(parts.Parts) != 1 || aws.ToInt64(parts.Parts[0].Size) != int64(len(part1)) {
			t.Fatalf("the upstream lists parts %+v (%v), want part 1 only", parts, err)
		}
	} else {
		wantNoTempFiles(t, dir)
	}
	wantVersion(t, srv.testServer, v1, etag1)
	// The upload survives with the part that was acknowledged, as in S3, and can be finished.
	c = rootS3(srv.testServer)
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), UploadId: up.UploadId})
	if err != nil || len(parts.Parts) != 1 || aws.ToInt32(parts.Parts[0].PartNumber) != 1 || aws.ToString(parts.Parts[0].ETag) != quotedMD5(part1) {
		t.Fatalf("ListParts after the restart: %+v, %v; want part 1 only", parts, err)
	}
	if n := dataFiles(t, dir); b.upstream == nil && n != 2 {
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
	if n := dataFiles(t, dir); b.upstream == nil && n != 2 {
		t.Errorf("%d data files after completing, want the two parts only", n)
	}
}

// crashComplete kills the server at growing delays after a CompleteMultipartUpload is sent:
// every round the key must hold either the previous version, with the upload still
// pending, or the whole new object, with the upload gone — never anything else.
func crashComplete(t *testing.T, bin string, b objectBackend) {
	dir, srv, prev, prevETag := crashStart(t, bin, b)
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

		srv = startProcess(t, bin, dir, b)
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
