package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"syscall"
	"testing"

	"github.com/inkan-dev/inkan/internal/config"
)

// serve gives a connection from a loopback client the capped send buffer as soon as it is
// accepted (left to the kernel it is about 4 MB here from the start). The handler reads it
// from the connection it hijacks.
func TestServeCapsTheSendBufferOfALoopbackConnection(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
		t.Run(addr, func(t *testing.T) {
			ln := mustListen(t, addr)
			h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, brw, err := w.(http.Hijacker).Hijack()
				if err != nil {
					t.Error(err)
					return
				}
				defer c.Close()
				size, err := sendBuffer(c.(*net.TCPConn))
				if err != nil {
					t.Error(err)
					return
				}
				n := strconv.Itoa(size)
				fmt.Fprintf(brw, "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(n), n)
				brw.Flush()
			})
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- serveHTTP(ctx, ln, h, config.Config{}, slog.New(slog.DiscardHandler)) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}()
			resp, err := http.Get("http://" + ln.Addr().String() + "/")
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			// Linux doubles what is set, for its own bookkeeping.
			if want := strconv.Itoa(2 * loopbackSendBuffer); string(body) != want {
				t.Fatalf("the server's SO_SNDBUF = %s, want %s", body, want)
			}
		})
	}
}

func TestOnlyLoopbackAddressesAreLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:80":          true,
		"127.9.8.7:80":          true,
		"[::1]:80":              true,
		"[::ffff:127.0.0.1]:80": true,
		"10.0.0.1:80":           false,
		"192.168.1.2:443":       false,
		"[2001:db8::1]:80":      false,
		"[::ffff:10.0.0.1]:80":  false,
	} {
		a, err := net.ResolveTCPAddr("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := isLoopback(a); got != want {
			t.Errorf("isLoopback(%s) = %v, want %v", addr, got, want)
		}
	}
	if isLoopback(&net.UnixAddr{Name: "/tmp/x", Net: "unix"}) {
		t.Error("a Unix socket address counted as loopback TCP")
	}
}

// sendBuffer reads c's SO_SNDBUF. It returns its error rather than failing the
// test, since the handler that calls it runs outside the test's goroutine.
func sendBuffer(c *net.TCPConn) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return 0, err
	}
	var n int
	var serr error
	if err := rc.Control(func(fd uintptr) {
		n, serr = syscall.GetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_SNDBUF)
	}); err != nil {
		return 0, err
	}
	return n, serr
}
