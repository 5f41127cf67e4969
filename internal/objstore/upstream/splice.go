package upstream

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// getTransport sends the GETs of a plain-HTTP upstream over connections of its own, so
// that an object's bytes can go from the upstream's socket to the client's without passing
// through inkan's memory: a response body with a Content-Length is a getBody, whose
// WriteTo hands the connection itself, as an io.LimitedReader of a *net.TCPConn, to the
// client connection's ReadFrom, which splices socket to socket (Linux's splice(2), as
// net.TCPConn.ReadFrom does for such a source). Every other request, and every request
// through a proxy, goes to next, the standard transport.
//
// Decision: net/http's transport reads each body through its own goroutines and buffers,
// and keeps its connections to itself, so it cannot splice. A 64 MiB GET through it cost
// inkan about 0.4 of a CPU per GB/s in copies; spliced it costs a fraction of that, and a
// small GET saves the two goroutine hand-offs of the transport's read and write loops.
// HTTPS upstreams keep the standard transport: TLS bytes must be decrypted in user space
// anyway.
//
// Framing is net/http's own: requests are written by http.Request.Write and answers read
// by http.ReadResponse. Only the body of an answer with a Content-Length (every S3 GET
// answer, errors included) is read here; any other answer keeps ReadResponse's body and
// its connection is closed after it.
type getTransport struct {
	next   http.RoundTripper
	proxy  func(*http.Request) (*url.URL, error)
	dialer net.Dialer

	mu   sync.Mutex
	idle map[string][]*getConn // by host:port, most recently used last
}

// getConn is one connection of getTransport with its read buffer.
type getConn struct {
	addr string // host:port it was dialled for: its pool
	conn *net.TCPConn
	br   *bufio.Reader
	bw   *bufio.Writer
	used time.Time // when it was returned idle
}

func newGetTransport(next *http.Transport) *getTransport {
	return &getTransport{
		next:   next,
		proxy:  next.Proxy,
		dialer: net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second},
		idle:   make(map[string][]*getConn),
	}
}

func (t *getTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || req.URL.Scheme != "http" || (req.Body != nil && req.Body != http.NoBody) {
		return t.next.RoundTrip(req)
	}
	if t.proxy != nil {
		if p, err := t.proxy(req); err != nil || p != nil {
			return t.next.RoundTrip(req)
		}
	}
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "80")
	}
	ctx := req.Context()
	for {
		c, reused, err := t.conn(ctx, addr)
		if err != nil {
			return nil, err
		}
		resp, err := t.exchange(ctx, c, req)
		if err == nil {
			return resp, nil
		}
		c.conn.Close()
		// A pooled connection the upstream closed while it was idle fails as closed before
		// any byte of an answer: the GET is sent again on another connection, as net/http
		// does. The loop ends when the pool is empty: a new connection is not retried.
		if !reused || ctx.Err() != nil || !closedEarly(err) {
			return nil, err
		}
	}
}

// closedEarly reports an exchange that failed because the peer had closed the connection:
// an end of stream or a reset, before any byte of the answer.
func closedEarly(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// exchange writes req on c and reads the answer's head, within responseHeaderTimeout and
// ctx.
func (t *getTransport) exchange(ctx context.Context, c *getConn, req *http.Request) (*http.Response, error) {
	c.conn.SetDeadline(time.Now().Add(responseHeaderTimeout))
	stop := context.AfterFunc(ctx, func() { c.conn.SetDeadline(time.Unix(1, 0)) })
	if err := req.Write(c.bw); err != nil {
		stop()
		return nil, err
	}
	if err := c.bw.Flush(); err != nil {
		stop()
		return nil, err
	}
	// A first byte read apart tells a connection the upstream had closed (io.EOF here) from
	// an answer cut short (ReadResponse turns an early end into io.ErrUnexpectedEOF).
	if _, err := c.br.Peek(1); err != nil {
		stop()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	resp, err := http.ReadResponse(c.br, req)
	if err != nil {
		stop()
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	c.conn.SetDeadline(time.Time{}) // the body streams as long as it takes, bounded by ctx
	if resp.ContentLength < 0 || len(resp.TransferEncoding) > 0 || resp.Close {
		resp.Body = &closingBody{ReadCloser: resp.Body, c: c, stop: stop}
		return resp, nil
	}
	resp.Body = &getBody{t: t, c: c, remaining: resp.ContentLength, stop: stop}
	return resp, nil
}

// conn returns an idle connection to addr, or a new one.
func (t *getTransport) conn(ctx context.Context, addr string) (c *getConn, reused bool, err error) {
	now := time.Now()
	t.mu.Lock()
	for idle := t.idle[addr]; len(idle) > 0; idle = t.idle[addr] {
		c = idle[len(idle)-1]
		t.idle[addr] = idle[:len(idle)-1]
		if now.Sub(c.used) < idleConnTimeout {
			t.mu.Unlock()
			return c, true, nil
		}
		c.conn.Close()
	}
	t.mu.Unlock()
	nc, err := t.dialer.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, false, err
	}
	tcp, ok := nc.(*net.TCPConn)
	if !ok {
		nc.Close()
		return nil, false, errors.New("upstream: not a TCP connection")
	}
	return &getConn{addr: addr, conn: tcp, br: bufio.NewReaderSize(tcp, 64<<10), bw: bufio.NewWriterSize(tcp, 4<<10)}, false, nil
}

// put returns c to the idle pool, or closes it when its pool is full.
func (t *getTransport) put(c *getConn) {
	c.used = time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.idle[c.addr]) >= maxIdleConnsPerHost {
		c.conn.Close()
		return
	}
	t.idle[c.addr] = append(t.idle[c.addr], c)
}

// CloseIdleConnections closes the pooled connections, as http.Client.CloseIdleConnections
// asks of its transport.
func (t *getTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = make(map[string][]*getConn)
	t.mu.Unlock()
	for _, cs := range idle {
		for _, c := range cs {
			c.conn.Close()
		}
	}
	t.next.(interface{ CloseIdleConnections() }).CloseIdleConnections()
}

// getBody is an answer's body of a known length, read from c. Read reads through c's
// buffer; WriteTo writes what the buffer holds, then lets w read the rest from the socket
// itself. Read whole, c goes back to the pool on Close; otherwise it is closed.
type getBody struct {
	t         *getTransport
	c         *getConn
	remaining int64
	err       error
	stop      func() bool // ends the ctx watch
	closed    bool
}

func (b *getBody) Read(p []byte) (int, error) {
	switch {
	case b.err != nil:
		return 0, b.err
	case b.remaining == 0:
		return 0, io.EOF
	}
	n, err := b.c.br.Read(p[:min(int64(len(p)), b.remaining)])
	b.remaining -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		b.err = err
	}
	return n, err
}

func (b *getBody) WriteTo(w io.Writer) (int64, error) {
	var written int64
	if k := min(int64(b.c.br.Buffered()), b.remaining); k > 0 {
		data, _ := b.c.br.Peek(int(k))
		n, err := w.Write(data)
		b.c.br.Discard(n)
		b.remaining -= int64(n)
		written += int64(n)
		if err != nil {
			b.err = err
			return written, err
		}
	}
	if b.remaining == 0 {
		return written, nil
	}
	rest := &io.LimitedReader{R: b.c.conn, N: b.remaining}
	var n int64
	var err error
	if rf, ok := w.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(rest)
	} else {
		buf := copyBuffers.Get().(*[]byte)
		n, err = io.CopyBuffer(w, rest, *buf)
		copyBuffers.Put(buf)
	}
	b.remaining = rest.N
	written += n
	if err == nil && b.remaining > 0 {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		b.err = err
	}
	return written, err
}

func (b *getBody) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	watching := b.stop()
	if b.remaining == 0 && b.err == nil && watching {
		b.t.put(b.c)
		return nil
	}
	return b.c.conn.Close()
}

// closingBody is an answer's body without a Content-Length: read as net/http frames it,
// and its connection closed afterwards.
type closingBody struct {
	io.ReadCloser
	c    *getConn
	stop func() bool
}

func (b *closingBody) Close() error {
	b.stop()
	b.ReadCloser.Close()
	return b.c.conn.Close()
}
