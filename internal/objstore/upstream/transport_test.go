package upstream

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func testConnTransport(t *testing.T) *connTransport {
	t.Helper()
	next, err := NewTransport("")
	if err != nil {
		t.Fatal(err)
	}
	ct := newConnTransport(next)
	t.Cleanup(ct.CloseIdleConnections)
	return ct
}

// countingServer starts an HTTP server, configured by config when not nil, that counts the
// connections it accepts.
func countingServer(t *testing.T, config func(*http.Server), h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	if config != nil {
		config(srv.Config)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// rawServer accepts connections on a loopback port and hands each to serve, numbered from 0;
// it returns the port's address.
func rawServer(t *testing.T, serve func(c net.Conn, i int)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for i := 0; ; i++ {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, i)
		}
	}()
	return ln.Addr().String()
}

func get(t *testing.T, rt http.RoundTripper, ctx context.Context, url string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return resp
}

// readerFromRecorder is a destination with ReadFrom, as an http.ResponseWriter on a plain
// TCP connection is: it records what it was handed.
type readerFromRecorder struct {
	bytes.Buffer
	src io.Reader
}

func (w *readerFromRecorder) ReadFrom(r io.Reader) (int64, error) {
	w.src = r
	return w.Buffer.ReadFrom(r)
}

// The point of connTransport: a body's WriteTo hands the upstream socket itself to a
// ReaderFrom destination, so that the kernel can splice it; the bytes are the answer's, and
// the connection goes back to the pool for the next GET.
func TestGetBodiesHandTheSocketToTheDestination(t *testing.T) {
	object := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	srv, conns := countingServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(object)))
		w.Write(object)
	})
	ct := testConnTransport(t)
	for i := range 3 {
		resp := get(t, ct, context.Background(), srv.URL+"/b/k")
		var dst readerFromRecorder
		n, err := objectBody{resp.Body}.WriteTo(&dst)
		resp.Body.Close()
		if err != nil || n != int64(len(object)) || !bytes.Equal(dst.Bytes(), object) {
			t.Fatalf("GET %d: %d bytes, %v; the body differs: %v", i, n, err, !bytes.Equal(dst.Bytes(), object))
		}
		lr, ok := dst.src.(*io.LimitedReader)
		if !ok {
			t.Fatalf("GET %d: the destination read from a %T, not the socket", i, dst.src)
		}
		if _, ok := lr.R.(*net.TCPConn); !ok {
			t.Fatalf("GET %d: the destination read from a limited %T, not a *net.TCPConn", i, lr.R)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("3 GETs read whole used %d connections, want 1 (pooled)", n)
	}
}

// A body read in part is not reusable: its connection is closed, and the next GET opens a
// new one; a Read-only consumer gets the same bytes as WriteTo.
func TestGetBodiesReadInPartCloseTheirConnection(t *testing.T) {
	srv, conns := countingServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(100<<10))
		io.WriteString(w, strings.Repeat("x", 100<<10))
	})
	ct := testConnTransport(t)
	resp := get(t, ct, context.Background(), srv.URL+"/b/k")
	io.CopyN(io.Discard, resp.Body, 10)
	resp.Body.Close()
	resp = get(t, ct, context.Background(), srv.URL+"/b/k")
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || len(data) != 100<<10 {
		t.Fatalf("a whole read: %d bytes, %v", len(data), err)
	}
	if n := conns.Load(); n != 2 {
		t.Fatalf("a connection whose body was read in part was reused: %d connections", n)
	}
}

// An upstream that closes idle connections (every server does, after its keep-alive
// timeout) costs no failed GET: the stale connection is found closed and the GET goes out
// again on a new one. An answer without a Content-Length is read as net/http frames it.
func TestGetRetriesAConnectionClosedWhileIdle(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, i int) {
		defer c.Close()
		// One answer per connection, then close without saying so, as a server whose idle
		// timeout fires does.
		buf := make([]byte, 4096)
		c.Read(buf)
		if i == 2 {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
		} else {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
		}
		time.Sleep(20 * time.Millisecond)
	})
	ct := testConnTransport(t)
	for i := range 3 {
		resp := get(t, ct, context.Background(), "http://"+addr+"/b/k")
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || string(data) != "hello" {
			t.Fatalf("GET %d: %q, %v", i, data, err)
		}
		time.Sleep(50 * time.Millisecond) // the server has closed the pooled connection
	}
}

// A GET whose context ends while its body streams fails at once, and its connection is
// not pooled.
func TestGetBodiesEndWithTheirContext(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "10")
		io.WriteString(w, "12345")
		w.(http.Flusher).Flush()
		<-release
	}))
	defer srv.Close()
	defer close(release)
	ct := testConnTransport(t)
	ctx, cancel := context.WithCancel(context.Background())
	resp := get(t, ct, ctx, srv.URL+"/b/k")
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := objectBody{resp.Body}.WriteTo(&readerFromRecorder{})
	resp.Body.Close()
	if err == nil || time.Since(start) > 5*time.Second {
		t.Fatalf("a canceled body: %v after %s", err, time.Since(start))
	}
	if len(ct.idle[strings.TrimPrefix(srv.URL, "http://")]) != 0 {
		t.Fatal("the connection of a canceled body was pooled")
	}
	if errors.Is(err, io.EOF) {
		t.Fatalf("a canceled body ended as if complete: %v", err)
	}
}

func send(t *testing.T, rt http.RoundTripper, method, url string, body io.Reader, size int64, replayable bool) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if size > 0 {
		req.Body, req.ContentLength = io.NopCloser(body), size
		if replayable {
			data, _ := io.ReadAll(body)
			req.Body = io.NopCloser(bytes.NewReader(data))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		}
	}
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	return resp
}

// PUTs and HEADs go over the pooled connections too: the body arrives whole, and answers
// without a body leave their connection reusable.
func TestPutsAndHeadsShareThePooledConnections(t *testing.T) {
	srv, conns := countingServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		w.Header().Set("X-Got", strconv.FormatInt(n, 10))
		w.Header().Set("Content-Length", "0")
	})
	ct := testConnTransport(t)
	for i, size := range []int64{0, 1, 3 << 20, 5} {
		resp := send(t, ct, http.MethodPut, srv.URL+"/b/k", strings.NewReader(strings.Repeat("z", int(size))), size, true)
		drain(resp.Body)
		if got := resp.Header.Get("X-Got"); got != strconv.FormatInt(size, 10) {
			t.Fatalf("PUT %d: the upstream read %s bytes of %d", i, got, size)
		}
		resp = send(t, ct, http.MethodHead, srv.URL+"/b/k", nil, 0, false)
		drain(resp.Body)
	}
	if n := conns.Load(); n != 1 {
		t.Fatalf("8 requests used %d connections, want 1", n)
	}
}

// An upstream that refuses a request before reading its body and closes the connection is
// heard: its answer, not a failed write.
func TestAnAnswerBeforeTheBodyIsRead(t *testing.T) {
	addr := rawServer(t, func(c net.Conn, _ int) {
		defer c.Close()
		buf := make([]byte, 1024)
		c.Read(buf) // the head and perhaps a little of the body
		io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 7\r\nConnection: close\r\n\r\ndenied!")
		c.(*net.TCPConn).CloseWrite()
		time.Sleep(200 * time.Millisecond)
	})
	ct := testConnTransport(t)
	size := int64(smallBody)
	resp := send(t, ct, http.MethodPut, "http://"+addr+"/b/k", io.LimitReader(zeros{}, size), size, true)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || string(body) != "denied!" {
		t.Fatalf("an early refusal reads as %d %q", resp.StatusCode, body)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A PUT on a pooled connection the upstream has closed goes out again on a new one, its
// body sent from the start; a streamed body (no GetBody) is left to net/http's transport.
func TestPutsRetryAConnectionClosedWhileIdle(t *testing.T) {
	srv, conns := countingServer(t, func(s *http.Server) { s.IdleTimeout = 30 * time.Millisecond }, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Length", "0")
	})
	ct := testConnTransport(t)
	for i := range 3 {
		resp := send(t, ct, http.MethodPut, srv.URL+"/b/k", strings.NewReader("data"), 4, true)
		drain(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT %d: %d", i, resp.StatusCode)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if n := conns.Load(); n != 3 {
		t.Fatalf("3 PUTs after idle closes used %d connections, want 3", n)
	}
	addr := strings.TrimPrefix(srv.URL, "http://")
	before := slices.Clone(ct.idle[addr])
	resp := send(t, ct, http.MethodPut, srv.URL+"/b/k", strings.NewReader("data"), 4, false)
	drain(resp.Body)
	if resp.StatusCode != http.StatusOK || !slices.Equal(before, ct.idle[addr]) {
		t.Fatalf("a streamed PUT: %d, and it went through connTransport's pool", resp.StatusCode)
	}
}

// A request whose context has ended sends nothing, even on a pooled connection that is
// ready at once: the conformance suite's "a put under a canceled context stores nothing".
func TestARequestWithAnEndedContextSendsNothing(t *testing.T) {
	var requests atomic.Int32
	srv, _ := countingServer(t, nil, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Length", "0")
	})
	ct := testConnTransport(t)
	drain(send(t, ct, http.MethodHead, srv.URL+"/b/k", nil, 0, false).Body) // pools a connection
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 50 {
		data := []byte("x")
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, srv.URL+"/b/k", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		if resp, err := ct.RoundTrip(req); !errors.Is(err, context.Canceled) {
			if resp != nil {
				drain(resp.Body)
			}
			t.Fatalf("a PUT under a canceled context: %v, want context.Canceled", err)
		}
	}
	if n := requests.Load(); n != 1 {
		t.Fatalf("the upstream received %d requests, want only the first HEAD", n)
	}
}
