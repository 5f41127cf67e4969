// Package s3server owns starting real S3-compatible servers for tests:
// SeaweedFS (weed server -s3) and versitygw (posix backend), each on free
// loopback ports in a temporary directory, so that every test starts them the
// same way. It knows no inkan package but the SigV4 signer (a leaf); tests
// hand its endpoint and root keys to whatever they test. The binaries are built by
// `bash .ci/s3-servers` into $(go env GOPATH)/bin.
package s3server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// Kind names a server implementation.
type Kind string

// The servers this package can start.
const (
	SeaweedFS Kind = "seaweedfs"
	Versitygw Kind = "versitygw"
)

// Root keys of every started server (test-only values).
const (
	AccessKeyID     = "inkantestroot"
	SecretAccessKey = "inkan-test-root-secret-for-s3-servers"
	Region          = "us-east-1"
)

// Server is a running (or stopped) S3 server.
type Server struct {
	Kind     Kind
	Endpoint string // http://127.0.0.1:port
	Dir      string // data directory, kept across Stop and Start

	bin   string
	args  []string
	env   []string
	mu    sync.Mutex
	cmd   *exec.Cmd
	log   *bytes.Buffer
	waitc chan struct{}
}

// Start starts a server of kind for t and stops it at cleanup. A missing
// binary skips the test with a message naming `bash .ci/s3-servers`, or
// fails it when the CI environment variable is set.
func Start(t testing.TB, kind Kind) *Server {
	t.Helper()
	s, err := New(kind, t.TempDir())
	if errors.Is(err, errNoBinary) {
		Missing(t, err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	return s
}

// Missing skips (or with CI set, fails) a test whose server binary is absent.
func Missing(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("%v (CI is set: build it with `bash .ci/s3-servers`)", err)
	}
	t.Skipf("%v: run `bash .ci/s3-servers` to build the S3 servers", err)
}

var errNoBinary = errors.New("s3server: binary not found")

func isMissing(err error) bool { return errors.Is(err, errNoBinary) }

func tempDir(kind Kind) (string, error) { return os.MkdirTemp("", "s3server-"+string(kind)+"-") }

func removeDir(dir string) { os.RemoveAll(dir) }

// New prepares a server of kind with its data under dir, without starting it.
func New(kind Kind, dir string) (*Server, error) {
	name := map[Kind]string{SeaweedFS: "weed", Versitygw: "versitygw"}[kind]
	if name == "" {
		return nil, fmt.Errorf("s3server: unknown kind %q", kind)
	}
	bin, err := lookBin(name)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(9)
	if err != nil {
		return nil, err
	}
	s := &Server{Kind: kind, Dir: dir, bin: bin, Endpoint: "http://127.0.0.1:" + strconv.Itoa(ports[0])}
	switch kind {
	case SeaweedFS:
		err = s.seaweedfs(ports)
	case Versitygw:
		s.versitygw(ports[0])
	}
	return s, err
}

// lookBin finds name in PATH or in $(go env GOPATH)/bin.
func lookBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = string(bytes.TrimSpace(out))
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", name)
		if st, err := os.Stat(p); err == nil && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: %s is in neither PATH nor GOPATH/bin", errNoBinary, name)
}

// seaweedfs runs master, volume, filer and S3 gateway in one process
// (weed server), every port on loopback, identities from a JSON file.
func (s *Server) seaweedfs(p []int) error {
	cfg := fmt.Sprintf(`{"identities":[{"name":"root","credentials":[{"accessKey":%q,"secretKey":%q}],`+
		`"actions":["Admin","Read","Write","List","Tagging"]}]}`, AccessKeyID, SecretAccessKey)
	conf := filepath.Join(s.Dir, "s3.json")
	if err := os.WriteFile(conf, []byte(cfg), 0o600); err != nil {
		return err
	}
	data := filepath.Join(s.Dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return err
	}
	port := func(i int) string { return strconv.Itoa(p[i]) }
	s.args = []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
		"-master.port=" + port(1), "-master.port.grpc=" + port(2), "-master.volumeSizeLimitMB=64", "-master.telemetry=false",
		"-volume.port=" + port(3), "-volume.port.grpc=" + port(4), "-volume.max=0",
		"-filer", "-filer.port=" + port(5), "-filer.port.grpc=" + port(6),
		"-s3", "-s3.port=" + port(0), "-s3.port.grpc=" + port(7), "-s3.config=" + conf,
		"-s3.port.iceberg=0", "-s3.port.lance=0", "-metricsPort=0",
		// S3 behaviour: no bucket made by a PUT, backslashes are key bytes.
		"-s3.autoCreateBucket=false", "-s3.allowBackslashInKey"}
	return nil
}

// versitygw serves a posix directory with root keys from its environment,
// with bucket versioning (kept in a directory of its own).
func (s *Server) versitygw(port int) {
	root, versions := filepath.Join(s.Dir, "root"), filepath.Join(s.Dir, "versions")
	os.MkdirAll(root, 0o755)
	os.MkdirAll(versions, 0o755)
	s.args = []string{"--port", "127.0.0.1:" + strconv.Itoa(port), "--quiet", "posix", "--versioning-dir", versions, root}
	s.env = []string{"ROOT_ACCESS_KEY_ID=" + AccessKeyID, "ROOT_SECRET_ACCESS_KEY=" + SecretAccessKey, "VGW_REGION=" + Region}
}

// Start starts the server and waits until it answers S3 requests.
func (s *Server) Start() error {
	s.mu.Lock()
	if s.cmd != nil {
		s.mu.Unlock()
		return nil
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir = s.Dir
	cmd.Env = append(os.Environ(), s.env...)
	s.log = &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = &lockedWriter{w: s.log}, &lockedWriter{w: s.log}
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("s3server: start %s: %w", s.Kind, err)
	}
	s.cmd, s.waitc = cmd, make(chan struct{})
	go func() { cmd.Wait(); close(s.waitc) }()
	s.mu.Unlock()
	return s.waitReady(90 * time.Second)
}

// waitReady polls until an unsigned ListBuckets gets an S3 answer (403 is
// an answer: the server is up and checks signatures).
func (s *Server) waitReady(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.Endpoint+"/", nil)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusOK {
				return s.settle(ctx)
			}
		}
		select {
		case <-s.waitc:
			return fmt.Errorf("s3server: %s exited during start-up:\n%s", s.Kind, s.Log())
		case <-ctx.Done():
			return fmt.Errorf("s3server: %s not ready after %v:\n%s", s.Kind, limit, s.Log())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop stops the server (SIGTERM, then SIGKILL after 10 s); its data stays.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, waitc := s.cmd, s.waitc
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-waitc:
	case <-time.After(10 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-waitc
	}
}

// Log returns what the server has printed so far.
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return ""
	}
	return s.log.String()
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.w.Len() > 1<<20 {
		return len(p), nil
	}
	return l.w.Write(p)
}

// freePorts reserves n distinct free loopback ports (released before use;
// a collision with another process is possible but rare).
func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// settle waits until the server stores an object: SeaweedFS answers S3
// before its volume server has registered, and the first writes fail.
//
// A 409 is accepted at the first step (the probe bucket is left from an
// earlier start) and at the last: after a restart, SeaweedFS has answered
// BucketNotEmpty to the probe bucket's DELETE for over a minute after the
// probe object was stored and deleted, its log meanwhile showing it retrying
// deletions recovered from before the stop. The object's round trip is what
// settle waits for; the probe bucket then stays, and no test counts it.
func (s *Server) settle(ctx context.Context) error {
	steps := []struct{ method, path string }{
		{http.MethodPut, "/s3server-probe"}, {http.MethodPut, "/s3server-probe/k"},
		{http.MethodDelete, "/s3server-probe/k"}, {http.MethodDelete, "/s3server-probe"},
	}
	for i := 0; i < len(steps); {
		err := s.signed(ctx, steps[i].method, steps[i].path, "x")
		if err == nil || ((i == 0 || i == len(steps)-1) && errors.Is(err, errConflict)) {
			i++
			continue
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("s3server: %s does not store objects: %s %s: %v\n%s", s.Kind, steps[i].method, steps[i].path, err, s.Log())
		case <-time.After(300 * time.Millisecond):
		}
	}
	return nil
}

var errConflict = errors.New("s3server: 409")

// signed sends one request signed with the root keys.
func (s *Server) signed(ctx context.Context, method, path, body string) error {
	var rd *strings.Reader
	if method == http.MethodPut && strings.Count(path, "/") > 1 {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.Endpoint+path, nil)
	if err != nil {
		return err
	}
	hash := sigv4.EmptyPayloadHash
	if rd != nil {
		req.Body, req.ContentLength = io.NopCloser(rd), int64(rd.Len())
		hash = sigv4.PayloadHash([]byte(body))
	}
	creds := sigv4.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey}
	if err := sigv4.Sign(req, creds, Region, "s3", hash, time.Now()); err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusConflict:
		return errConflict
	case resp.StatusCode >= 300:
		return fmt.Errorf("s3server: %s %s: %s", method, path, resp.Status)
	}
	return nil
}

// Binary finds a client binary that .ci/s3-servers builds (mc) in PATH or in
// $(go env GOPATH)/bin, as Start finds the servers.
func Binary(name string) (string, error) { return lookBin(name) }
