package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/sigv4"
	"github.com/inkan-dev/inkan/internal/testsupport/haproxytest"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

// cluster is issue 10's deployment, for real: inkan serve processes on one PostgreSQL
// (a throwaway cluster of the test's own, so that it can be stopped) behind HAProxy.
type cluster struct {
	pg    *pgtest.Cluster
	proxy *haproxytest.Proxy
	nodes []*node
	// lb is the balancer as the other e2e helpers see a server.
	lb *testServer
}

// node is one inkan serve process of a cluster, on a fixed port so that it can be
// restarted behind the same balancer entry.
type node struct {
	name, addr, URL string
	cmd             *exec.Cmd
	done            chan error
	stderr          *lockedBuffer
	args, env       []string
	bin             string
}

// nodeOptions are the flags and environment every node of a cluster runs with besides the
// defaults.
type nodeOptions struct{ args, env []string }

// startCluster starts PostgreSQL, HAProxy and n nodes with extra, and waits until the
// balancer sees every node up.
func startCluster(t *testing.T, n int, extra nodeOptions) *cluster {
	t.Helper()
	bin := buildInkan(t)
	c := &cluster{pg: pgtest.Start(t)}
	store := c.pg.Database(t)
	var addrs []string
	for i := 0; i < n; i++ {
		port, err := haproxytest.FreePort()
		if err != nil {
			t.Fatal(err)
		}
		addrs = append(addrs, "127.0.0.1:"+strconv.Itoa(port))
	}
	c.proxy = haproxytest.Start(t, addrs...)
	c.lb = &testServer{URL: c.proxy.URL, stderr: &lockedBuffer{}, stop: func() {}}
	for i, addr := range addrs {
		nd := &node{name: "node" + strconv.Itoa(i+1), addr: addr, URL: "http://" + addr, bin: bin,
			args: append([]string{"serve", "--dev", "--addr", addr, "--public-url", c.proxy.URL, "--log-level", "warn",
				"--explain", "operator", "--data-dir", t.TempDir()}, extra.args...),
			env: append([]string{"PATH=/usr/bin:/bin", "INKAN_STORE=" + store,
				"INKAN_ROOT_ACCESS_KEY_ID=" + rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY=" + rootSecretKey}, extra.env...)}
		c.nodes = append(c.nodes, nd)
		// One at a time: the first node creates the sealing key and registers the test IdP.
		nd.start(t)
		nd.waitReady(t, 60*time.Second)
	}
	if err := c.proxy.WaitStates(10*time.Second, "UP", names(c.nodes)...); err != nil {
		t.Fatal(err)
	}
	return c
}

func names(nodes []*node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.name)
	}
	return out
}

// server is the node as the other e2e helpers see a server.
func (n *node) server() *testServer {
	return &testServer{URL: n.URL, stderr: n.stderr, stop: func() {}}
}

// start runs the node's process without waiting for it to be ready.
func (n *node) start(t *testing.T) {
	t.Helper()
	n.cmd = exec.Command(n.bin, n.args...)
	n.cmd.Env = append(n.env, "HOME="+t.TempDir())
	n.stderr = &lockedBuffer{}
	n.cmd.Stderr = n.stderr
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	n.done = done
	cmd := n.cmd
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
			}
		}
	})
}

// readyz returns the node's /readyz status, 0 when it does not answer.
func (n *node) readyz() int { return statusOf(n.URL + "/readyz") }

func statusOf(url string) int {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitReady waits until /readyz answers 200, failing after timeout or if the process exits.
func (n *node) waitReady(t *testing.T, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for n.readyz() != 200 {
		select {
		case err := <-n.done:
			t.Fatalf("%s exited before it was ready: %v\n%s", n.name, err, n.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not ready after %s:\n%s", n.name, timeout, n.stderr.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill9 kills the node with SIGKILL and waits for it to die.
func (n *node) kill9(t *testing.T) {
	t.Helper()
	if err := n.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-n.done
}

// admin is an inkan client of one endpoint, as root, without retries: the tests see every
// refusal.
func admin(url string) *awsclient.Client {
	return &awsclient.Client{Endpoint: url, Region: "ap-northeast-1",
		Creds: sigv4.Credentials{AccessKeyID: rootAccessKeyID, SecretAccessKey: rootSecretKey},
		Retry: awsclient.Retry{MaxAttempts: 1}}
}

// within retries check every 50 ms until it returns nil or d has passed, and returns how
// long it took, or the last error.
func within(d time.Duration, check func() error) (time.Duration, error) {
	start := time.Now()
	for {
		err := check()
		if err == nil {
			return time.Since(start), nil
		}
		if time.Since(start) > d {
			return time.Since(start), fmt.Errorf("still failing after %s: %w", d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// errorCode returns the AWS error code and HTTP status of an awsclient error.
func errorCode(err error) (string, int) {
	var e *awsclient.Error
	if errors.As(err, &e) {
		return e.Code, e.Status
	}
	return "", 0
}
