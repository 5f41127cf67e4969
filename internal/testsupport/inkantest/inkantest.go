// Package inkantest starts a real inkan server for tests — `inkan serve --dev` through the
// CLI, in the test process, on a loopback port — so that every end-to-end test (e2e, the
// console's browser tests) starts it the same way. It owns the server's lifetime and its
// log buffer, nothing else. It is the one package besides the command that imports the
// composition root (internal/cli), and only tests import it.
package inkantest

import (
	"bufio"
	"context"
	"github.com/inkan-dev/inkan/internal/testsupport/syncbuf"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/cli"
)

// Buffer is a strings.Builder safe for concurrent writes, for a server's or a command's
// output.
type Buffer = syncbuf.Buffer

// Server is a running inkan server.
type Server struct {
	URL     string
	DataDir string
	// Logs collects the server's standard error.
	Logs *Buffer
	stop func()
}

// Stop stops the server and waits for it (at most 40 s); the test's cleanup does it
// otherwise. Safe to call twice.
func (s *Server) Stop() { s.stop() }

// Start runs `inkan serve --dev --addr 127.0.0.1:0 --log-level warn` with args, on a fresh
// data directory unless args name one with --data-dir, with exactly env as its environment,
// and stops it when the test ends; the test fails if the server exits with an error.
func Start(tb testing.TB, env map[string]string, args ...string) *Server {
	tb.Helper()
	dir := ""
	for i, a := range args {
		if a == "--data-dir" && i+1 < len(args) {
			dir = args[i+1]
		}
	}
	if dir == "" {
		dir = tb.TempDir()
		args = append(args, "--data-dir", dir)
	}
	pr, pw := io.Pipe()
	srv := &Server{DataDir: dir, Logs: &Buffer{}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		code := cli.Main(ctx, append([]string{"serve", "--dev", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...),
			cli.Env{Stdin: strings.NewReader(""), Stdout: pw, Stderr: srv.Logs, Getenv: func(k string) string { return env[k] }})
		pw.Close()
		done <- code
	}()
	urlc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "inkan listening on "); ok {
				urlc <- strings.Fields(rest)[0]
			}
		}
	}()
	select {
	case srv.URL = <-urlc:
	case code := <-done:
		cancel()
		tb.Fatalf("inkan serve exited with %d before listening:\n%s", code, srv.Logs.String())
	case <-time.After(60 * time.Second):
		cancel()
		tb.Fatalf("inkan serve did not start in time:\n%s", srv.Logs.String())
	}
	var once sync.Once
	srv.stop = func() {
		once.Do(func() {
			cancel()
			select {
			case code := <-done:
				if code != 0 {
					tb.Errorf("inkan serve exited with %d:\n%s", code, srv.Logs.String())
				}
			case <-time.After(40 * time.Second):
				tb.Errorf("inkan serve did not stop in time")
			}
		})
	}
	tb.Cleanup(srv.stop)
	return srv
}
