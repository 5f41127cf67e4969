package haproxytest

import (
	"bufio"
	"fmt"
	"github.com/inkan-dev/inkan/internal/testsupport/syncbuf"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary is Debian's haproxy.
const Binary = "/usr/sbin/haproxy"

// Proxy is one running haproxy in front of the servers it was started with.
type Proxy struct {
	// URL is the frontend's base URL, http://127.0.0.1:<port>.
	URL    string
	dir    string
	socket string
	cmd    *exec.Cmd
	done   chan struct{}
	log    *syncbuf.Buffer
	once   sync.Once
}

// Start runs haproxy on a free loopback port in front of servers (each host:port, named
// node1, node2… in order) and stops it when tb ends. Without haproxy it skips tb, or fails
// it when CI is set.
func Start(tb testing.TB, servers ...string) *Proxy {
	tb.Helper()
	if _, err := os.Stat(Binary); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is required in CI (apt-get install haproxy): %v", Binary, err)
		}
		tb.Skipf("%s is not installed (apt-get install haproxy)", Binary)
	}
	port, err := FreePort()
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	c := Config{Bind: "127.0.0.1:" + strconv.Itoa(port), StatsSocket: filepath.Join(dir, "admin.sock")}
	for i, s := range servers {
		c.Servers = append(c.Servers, Server{Name: "node" + strconv.Itoa(i+1), Addr: s})
	}
	cfg := filepath.Join(dir, "haproxy.cfg")
	if err := os.WriteFile(cfg, []byte(Render(c)), 0o600); err != nil {
		tb.Fatal(err)
	}
	if out, err := exec.Command(Binary, "-c", "-q", "-f", cfg).CombinedOutput(); err != nil {
		tb.Fatalf("haproxy refuses the generated configuration: %v\n%s", err, out)
	}
	p := &Proxy{URL: "http://" + c.Bind, dir: dir, socket: c.StatsSocket, done: make(chan struct{}), log: &syncbuf.Buffer{}}
	// -db: stay in the foreground, so the test owns the process.
	p.cmd = exec.Command(Binary, "-db", "-f", cfg)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	tb.Cleanup(p.Stop)
	if err := p.waitListening(c.Bind, 10*time.Second); err != nil {
		tb.Fatal(err)
	}
	return p
}

func (p *Proxy) waitListening(addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("haproxy exited at start:\n%s", p.log.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("haproxy did not listen on %s within %s:\n%s", addr, timeout, p.log.String())
}

// Stop stops haproxy (SIGTERM, then SIGKILL after 5 s). Safe to call more than once.
func (p *Proxy) Stop() {
	p.once.Do(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	})
}

// Log returns what haproxy wrote (warnings, server state changes).
func (p *Proxy) Log() string { return p.log.String() }

// Stats returns the backend's statistics from the admin socket ("show stat"): by server
// name (and "BACKEND" for the backend as a whole), each column by its CSV header name:
// status (UP, DOWN, "UP 1/2"…), wretr (retries), wredis (redispatches), hrsp_5xx….
func (p *Proxy) Stats() (map[string]map[string]string, error) {
	out, err := p.command("show stat")
	if err != nil {
		return nil, err
	}
	var header []string
	stats := map[string]map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if h, ok := strings.CutPrefix(line, "# "); ok {
			header = strings.Split(h, ",")
			continue
		}
		f := strings.Split(line, ",")
		if len(f) < 2 || f[0] != "inkan" || f[1] == "FRONTEND" {
			continue
		}
		row := map[string]string{}
		for i := 0; i < len(f) && i < len(header); i++ {
			row[header[i]] = f[i]
		}
		stats[f[1]] = row
	}
	return stats, sc.Err()
}

// States returns each server's state (UP, DOWN, "UP 1/2"…), by name.
func (p *Proxy) States() (map[string]string, error) {
	stats, err := p.Stats()
	if err != nil {
		return nil, err
	}
	states := map[string]string{}
	for name, row := range stats {
		if name != "BACKEND" {
			states[name] = row["status"]
		}
	}
	return states, nil
}

// WaitStates waits until every named server is in the state want ("UP" or "DOWN"), for at
// most timeout.
func (p *Proxy) WaitStates(timeout time.Duration, want string, names ...string) error {
	deadline := time.Now().Add(timeout)
	for {
		states, err := p.States()
		ok := err == nil
		for _, n := range names {
			ok = ok && states[n] == want
		}
		if ok {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("servers %v not %s after %s: %v (%v)", names, want, timeout, states, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// command runs one command on the admin socket and returns its answer.
func (p *Proxy) command(cmd string) (string, error) {
	c, err := net.DialTimeout("unix", p.socket, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte(cmd + "\n")); err != nil {
		return "", err
	}
	var b strings.Builder
	_, err = bufio.NewReader(c).WriteTo(&b)
	return b.String(), err
}

// FreePort returns a TCP port free on 127.0.0.1 a moment ago.
func FreePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}
