package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotInstalled: PostgreSQL's server binaries are not on this machine.
var ErrNotInstalled = errors.New("PostgreSQL server binaries not found (no initdb in PATH or /usr/lib/postgresql/*/bin): install Debian's postgresql package")

// Superuser is the name of the cluster's superuser, whose password is Cluster.Password.
const Superuser = "postgres"

// readyTimeout bounds how long Start waits for the server to accept connections.
const readyTimeout = 30 * time.Second

// Cluster is one throwaway PostgreSQL cluster: a data directory and, while it runs, one
// postgres server process listening on 127.0.0.1:Port. Its methods are safe for concurrent
// use.
type Cluster struct {
	bin      string // directory of initdb and postgres
	dir      string // temporary directory: data/, the socket, the log
	port     int
	password string
	cred     *syscall.Credential // nil unless the server runs as another user

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has exited
}

// newCluster initialises a cluster in a new temporary directory and starts it.
func newCluster() (_ *Cluster, err error) {
	bin, err := findBin()
	if err != nil {
		return nil, err
	}
	c := &Cluster{bin: bin}
	if c.dir, err = os.MkdirTemp("", "inkan-pgtest-"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Close())
		}
	}()
	if c.cred, err = serverCredential(); err != nil {
		return nil, err
	}
	if c.port, err = freePort(); err != nil {
		return nil, err
	}
	c.password = randomHex(16)
	if err := c.initdb(); err != nil {
		return nil, err
	}
	return c, c.Start()
}

// Port returns the TCP port the server listens on, the same across Stop and Start.
func (c *Cluster) Port() int { return c.port }

// Password returns the superuser's password (also carried by every URL).
func (c *Cluster) Password() string { return c.password }

// URL returns a postgres:// URL for database db as the superuser, password included.
func (c *Cluster) URL(db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(Superuser, c.password),
		Host: net.JoinHostPort("127.0.0.1", strconv.Itoa(c.port)), Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}

// initdb creates the data directory, with SCRAM password login over TCP.
func (c *Cluster) initdb() error {
	if err := c.chown(c.dir); err != nil {
		return err
	}
	pwfile := filepath.Join(c.dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(c.password+"\n"), 0o600); err != nil {
		return err
	}
	if err := c.chown(pwfile); err != nil {
		return err
	}
	cmd := c.command("initdb", "-D", filepath.Join(c.dir, "data"), "-U", Superuser, "--pwfile", pwfile,
		"--auth-host", "scram-sha-256", "--auth-local", "trust", "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("initdb: %w\n%s", err, out)
	}
	return os.Remove(pwfile)
}

// Start starts the server (again, after Stop) on the same port and data, and waits until it
// accepts connections. Starting a running cluster does nothing.
func (c *Cluster) Start() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cmd != nil {
		return nil
	}
	logf, err := os.OpenFile(filepath.Join(c.dir, "postgres.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := c.command("postgres", "-D", filepath.Join(c.dir, "data"), "-p", strconv.Itoa(c.port),
		"-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="+c.dir,
		"-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=32MB")
	cmd.Stdout, cmd.Stderr = logf, logf
	// The server stops (fast shutdown) when the test process dies, however it dies.
	cmd.SysProcAttr.Pdeathsig = syscall.SIGINT
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	c.cmd, c.exited = cmd, exited
	if err := c.waitReady(exited); err != nil {
		c.stopLocked()
		return fmt.Errorf("postgres did not start: %w\n%s", err, c.logTail())
	}
	return nil
}

// waitReady polls until the server accepts a login, it exits, or readyTimeout passes.
func (c *Cluster) waitReady(exited <-chan struct{}) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, c.URL("postgres"))
		cancel()
		if err == nil {
			return conn.Close(context.Background())
		}
		select {
		case <-exited:
			return errors.New("the server exited")
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not accepting connections after %v", readyTimeout)
		}
	}
}

// Stop stops the server (fast shutdown: sessions are cut, data is kept). Stopping a stopped
// cluster does nothing.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stopLocked()
}

func (c *Cluster) stopLocked() error {
	if c.cmd == nil {
		return nil
	}
	cmd, exited := c.cmd, c.exited
	c.cmd, c.exited = nil, nil
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-exited:
		return nil
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-exited
		return errors.New("postgres did not stop within 30s: killed")
	}
}

// Close stops the server and removes the cluster's directory.
func (c *Cluster) Close() error {
	err := c.Stop()
	if c.dir != "" {
		err = errors.Join(err, os.RemoveAll(c.dir))
	}
	return err
}

// CreateDatabase creates database name unless it exists.
func (c *Cluster) CreateDatabase(ctx context.Context, name string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	create := "CREATE DATABASE " + pgx.Identifier{name}.Sanitize()
	major, _, _ := strings.Cut(conn.PgConn().ParameterStatus("server_version"), ".")
	if v, _ := strconv.Atoi(major); v >= 15 {
		// Copying the template's files is several times faster than logging
		// them (the default since 15) when, as here, fsync is off.
		create += " STRATEGY = FILE_COPY"
	}
	_, err = conn.Exec(ctx, create)
	if isDuplicateDatabase(err) {
		return nil
	}
	return err
}

// isDuplicateDatabase reports SQLSTATE 42P04, duplicate_database.
func isDuplicateDatabase(err error) bool {
	return err != nil && strings.Contains(err.Error(), "SQLSTATE 42P04")
}

// command runs a server binary as the server's user, in the cluster's directory.
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	cmd.Env = []string{"LC_ALL=C.UTF-8", "PATH=" + c.bin + ":/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred, Setpgid: true}
	return cmd
}

// chown gives path to the server's user when the server runs as another user.
func (c *Cluster) chown(path string) error {
	if c.cred == nil {
		return nil
	}
	return os.Chown(path, int(c.cred.Uid), int(c.cred.Gid))
}

// logTail returns the end of the server's log, for start failures.
func (c *Cluster) logTail() string {
	b, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// serverCredential returns the postgres user's credential when running as root (initdb
// refuses root), nil otherwise.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root needs the postgres user to run the server: %w", err)
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// findBin returns the directory holding initdb and postgres: PATH first, then the newest of
// Debian's /usr/lib/postgresql/<version>/bin.
func findBin() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	best, bestVersion := "", -1
	for _, m := range matches {
		v, err := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(m))))
		if err == nil && v > bestVersion {
			best, bestVersion = filepath.Dir(m), v
		}
	}
	if best == "" {
		return "", ErrNotInstalled
	}
	return best, nil
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
