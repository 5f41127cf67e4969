// Command bigobject puts and gets one large object (5 GiB by default) through inkan in
// front of SeaweedFS and reports inkan's peak RSS (VmHWM) and the MB/s (10^6 bytes) of
// each direction: the check that bodies stream through inkan with bounded memory. It
// starts both servers itself on loopback ports, under -dir (SeaweedFS needs the object's
// size free there), builds inkan unless -inkan names a binary, and removes everything at
// the end. The body comes from a generator and is hashed (CRC-32C) on the fly both ways;
// the client never holds or writes it.
//
//	go run ./bench/bigobject -dir /var/tmp
//
// weed must be in PATH or $(go env GOPATH)/bin (bash .ci/s3-servers builds it).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
	"github.com/inkan-dev/inkan/internal/testsupport/s3server"
)

// The root keys of the inkan this command starts (a throwaway server).
const (
	rootKey    = "AKIAINKANBENCHROOT00"
	rootSecret = "inkan-bench-root-secret-key-000000000000"
	region     = "us-east-1"
	bucket     = "big"
	key        = "big/object.bin"
)

func main() {
	dir := flag.String("dir", os.TempDir(), "where the servers keep their data (needs the object's size free)")
	size := flag.Int64("size", 5<<30, "object size in bytes (at most 5 GiB: one PUT)")
	bin := flag.String("inkan", "", "inkan binary (default: go build ./cmd/inkan)")
	flag.Parse()
	if err := run(context.Background(), *dir, *bin, *size, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench/bigobject:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, parent, bin string, size int64, out io.Writer) error {
	dir, err := os.MkdirTemp(parent, "inkan-bigobject-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		bin = filepath.Join(dir, "inkan-bin")
		if b, err := exec.Command("go", "build", "-o", bin, "github.com/inkan-dev/inkan/cmd/inkan").CombinedOutput(); err != nil {
			return fmt.Errorf("go build: %v\n%s", err, b)
		}
	}
	weedDir := filepath.Join(dir, "seaweedfs")
	if err := os.MkdirAll(weedDir, 0o755); err != nil {
		return err
	}
	up, err := s3server.New(s3server.SeaweedFS, weedDir)
	if err != nil {
		return err
	}
	defer up.Stop()
	if err := up.Start(); err != nil {
		return err
	}
	srv, err := startInkan(bin, filepath.Join(dir, "inkan"), up.Endpoint)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(out, "inkan %s (pid %d) -> SeaweedFS %s; object %d bytes\n", srv.url, srv.cmd.Process.Pid, up.Endpoint, size)
	return measure(ctx, srv, size, out)
}

// measure creates the bucket, PUTs and GETs the object, reports, and deletes both.
func measure(ctx context.Context, srv *inkan, size int64, out io.Writer) error {
	if _, err := srv.do(ctx, http.MethodPut, "/"+bucket, nil, 0); err != nil {
		return err
	}
	defer srv.do(ctx, http.MethodDelete, "/"+bucket, nil, 0)
	defer srv.do(ctx, http.MethodDelete, "/"+bucket+"/"+key, nil, 0)
	sum := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	start := time.Now()
	if _, err := srv.do(ctx, http.MethodPut, "/"+bucket+"/"+key, io.TeeReader(newGenerator(size), sum), size); err != nil {
		return fmt.Errorf("PUT: %w", err)
	}
	put := time.Since(start)
	hwmPut, _ := srv.memory("VmHWM")
	fmt.Fprintf(out, "PUT  %.0f MB/s (%v); inkan VmHWM after the PUT %.1f MiB\n", mbps(size, put), put.Round(time.Millisecond), hwmPut/(1<<20))

	start = time.Now()
	resp, err := srv.do(ctx, http.MethodGet, "/"+bucket+"/"+key, nil, 0)
	if err != nil {
		return fmt.Errorf("GET: %w", err)
	}
	got := crc32.New(crc32.MakeTable(crc32.Castagnoli))
	n, err := io.CopyBuffer(got, resp.Body, make([]byte, 1<<20))
	resp.Body.Close()
	get := time.Since(start)
	if err != nil || n != size || got.Sum32() != sum.Sum32() {
		return fmt.Errorf("GET returned %d bytes with CRC-32C %08x (%v), want %d with %08x", n, got.Sum32(), err, size, sum.Sum32())
	}
	hwm, _ := srv.memory("VmHWM")
	rss, _ := srv.memory("VmRSS")
	fmt.Fprintf(out, "GET  %.0f MB/s (%v); the bytes match (CRC-32C %08x)\n", mbps(size, get), get.Round(time.Millisecond), sum.Sum32())
	fmt.Fprintf(out, "inkan peak RSS (VmHWM) %.1f MiB; RSS now %.1f MiB\n", hwm/(1<<20), rss/(1<<20))
	return nil
}

func mbps(n int64, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }

// generator yields size pseudo-random bytes, 1 MiB at a time, from a fixed seed.
type generator struct {
	r    *rand.ChaCha8
	left int64
}

func newGenerator(size int64) *generator {
	return &generator{r: rand.NewChaCha8([32]byte{'i', 'n', 'k', 'a', 'n'}), left: size}
}

func (g *generator) Read(p []byte) (int, error) {
	if g.left == 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), g.left)]
	g.r.Read(p)
	g.left -= int64(len(p))
	return len(p), nil
}

// inkan is the inkan process under test.
type inkan struct {
	url  string
	cmd  *exec.Cmd
	hc   *http.Client
	done chan error
}

// startInkan runs `inkan serve` in front of the upstream and waits until it listens.
func startInkan(bin, dataDir, upstream string) (*inkan, error) {
	cmd := exec.Command(bin, "serve", "--dev", "--addr", "127.0.0.1:0", "--log-level", "warn", "--data-dir", dataDir,
		"--objects", "s3+"+upstream, "--upstream-bucket-prefix", "bench-")
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dataDir, "INKAN_ROOT_ACCESS_KEY_ID=" + rootKey, "INKAN_ROOT_SECRET_ACCESS_KEY=" + rootSecret,
		"INKAN_UPSTREAM_ACCESS_KEY_ID=" + s3server.AccessKeyID, "INKAN_UPSTREAM_SECRET_ACCESS_KEY=" + s3server.SecretAccessKey}
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &inkan{cmd: cmd, hc: &http.Client{}, done: make(chan error, 1)}
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "inkan listening on "); ok {
				urlc <- strings.Fields(rest)[0]
			}
		}
		s.done <- cmd.Wait()
	}()
	select {
	case s.url = <-urlc:
		return s, nil
	case err := <-s.done:
		return nil, fmt.Errorf("inkan exited before listening: %v", err)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		return nil, errors.New("inkan did not listen within 60 s")
	}
}

func (s *inkan) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
	}
}

// do sends a root-signed request (UNSIGNED-PAYLOAD) and fails on a non-2xx answer. The
// caller closes the body of a GET; other answers are drained.
func (s *inkan) do(ctx context.Context, method, path string, body io.Reader, size int64) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, method, s.url+path, body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	if size == 0 {
		req.Body = nil
	}
	creds := sigv4.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSecret}
	if err := sigv4.Sign(req, creds, region, "s3", sigv4.UnsignedPayload, time.Now()); err != nil {
		return nil, err
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 1000))
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: %s %s", method, path, resp.Status, b)
	}
	if method != http.MethodGet {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, nil
}

// memory reads a field of /proc/<pid>/status in bytes (VmHWM: the peak RSS).
func (s *inkan) memory(field string) (float64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			var kb float64
			fmt.Sscan(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), &kb)
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("%s not in /proc/%d/status", field, s.cmd.Process.Pid)
}
