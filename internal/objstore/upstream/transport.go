package upstream

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// connTransport sends the requests of a plain-HTTP upstream over connections of its own,
// one request at a time on each, in the calling goroutine. Two things come of it:
//
//   - a response body with a Content-Length is a connBody, whose WriteTo hands the
//     connection itself, as an io.LimitedReader of a *net.TCPConn, to the client
//     connection's ReadFrom, which splices socket to socket (splice(2) on Linux, as
//     net.TCPConn.ReadFrom does for such a source): an object's bytes do not pass through
//     inkan's memory on their way out;
//   - a small request costs no goroutine hand-off: net/http's transport writes each request
//     and reads each answer in two goroutines of every connection, about a quarter of
//     inkan's CPU per small operation.
//
// Framing is net/http's own: requests are written by http.Request.Write and answers read by
// http.ReadResponse. A request is written whole before its answer is read, so only bodies
// held in memory (GetBody set: the small PUTs and XML documents, at most 1 MiB) come here;
// a streamed body goes to next, the standard transport, whose concurrent reader hears an
// upstream that refuses it before its end and closes (a refusal this transport would lose
// to the reset that follows). HTTPS upstreams and requests through a proxy go to next too
// (TLS bytes pass through user space anyway).
type connTransport struct {
	next   *http.Transport
	proxy  func(*http.Request) (*url.URL, error)
	dialer net.Dialer

	mu   sync.Mutex
	idle map[string][]*conn // by host:port, most recently used last
}

// conn is one connection of connTransport with its buffers.
type conn struct {
	addr string // host:port it was dialled for: its pool
	tcp  *net.TCPConn
	br   *bufio.Reader
	bw   *bufio.Writer
	used time.Time // when it was returned idle
}

func newConnTransport(next *http.Transport) *connTransport {
	return &connTransport{
		next:   next,
		proxy:  next.Proxy,
		dialer: net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second},
		idle:   make(map[string][]*conn),
	}
}

func (t *connTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	hasBody := req.Body != nil && req.Body != http.NoBody
	if req.URL.Scheme != "http" || (hasBody && (req.GetBody == nil || req.ContentLength <= 0)) {
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
		// A request whose context has ended is not sent: nothing of it reaches the upstream.
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, reused, err := t.conn(ctx, addr)
		if err != nil {
			return nil, err
		}
		if trace := httptrace.ContextClientTrace(ctx); trace != nil && trace.GotConn != nil {
			trace.GotConn(httptrace.GotConnInfo{Conn: c.tcp, Reused: reused})
		}
		resp, err := t.exchange(ctx, c, req)
		if err == nil {
			return resp, nil
		}
		c.tcp.Close()
		// A pooled connection the upstream closed while it was idle fails as closed before
		// any byte of an answer: the request goes out again on another connection, as
		// net/http does. The loop ends when the pool is empty: a new connection is not
		// retried.
		if !reused || ctx.Err() != nil || !closedEarly(err) {
			return nil, err
		}
		if hasBody {
			if req.Body, err = req.GetBody(); err != nil {
				return nil, err
			}
		}
	}
}

// closedEarly reports an exchange that failed because the peer had closed the connection:
// an end of stream or a reset.
func closedEarly(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// exchange writes req on c and reads the answer's head, within responseHeaderTimeout and
// ctx.
func (t *connTransport) exchange(ctx context.Context, c *conn, req *http.Request) (*http.Response, error) {
	stop := context.AfterFunc(ctx, func() { c.tcp.SetDeadline(time.Unix(1, 0)) })
	werr := req.Write(c.bw)
	if werr == nil {
		werr = c.bw.Flush()
	}
	c.tcp.SetReadDeadline(time.Now().Add(responseHeaderTimeout))
	if ctx.Err() != nil {
		// The context ended before the line above, whose deadline replaced the one its
		// AfterFunc set: end the exchange as that deadline would have.
		c.tcp.SetDeadline(time.Unix(1, 0))
	}
	if werr != nil && (ctx.Err() != nil || !closedEarly(werr) || req.Body == nil || req.Body == http.NoBody) {
		stop()
		return nil, werr
	}
	// A first byte read apart tells a connection the upstream had closed (io.EOF here) from
	// an answer cut short (ReadResponse turns an early end into io.ErrUnexpectedEOF).
	_, err := c.br.Peek(1)
	var resp *http.Response
	for err == nil {
		if resp, err = http.ReadResponse(c.br, req); err != nil || resp.StatusCode >= 200 || resp.StatusCode == 101 {
			break
		}
		// An interim answer (100 Continue, unasked for): the final one follows.
	}
	if err != nil {
		stop()
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case werr != nil: // the upstream closed while the body was sent, and said nothing
			return nil, werr
		}
		return nil, err
	}
	c.tcp.SetDeadline(time.Time{}) // a body streams as long as it takes, bounded by ctx
	switch {
	case werr != nil: // the upstream answered before the body was sent whole, and closed
		resp.Body = &closingBody{ReadCloser: resp.Body, c: c, stop: stop}
	case req.Method == http.MethodHead || resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified:
		resp.Body = http.NoBody
		if stop() && !resp.Close {
			t.put(c)
		} else {
			c.tcp.Close()
		}
	case resp.ContentLength < 0 || len(resp.TransferEncoding) > 0 || resp.Close:
		resp.Body = &closingBody{ReadCloser: resp.Body, c: c, stop: stop}
	default:
		resp.Body = &connBody{t: t, c: c, remaining: resp.ContentLength, stop: stop}
	}
	return resp, nil
}

// conn returns an idle connection to addr, or a new one.
func (t *connTransport) conn(ctx context.Context, addr string) (c *conn, reused bool, err error) {
	now := time.Now()
	t.mu.Lock()
	for idle := t.idle[addr]; len(idle) > 0; idle = t.idle[addr] {
		c = idle[len(idle)-1]
		t.idle[addr] = idle[:len(idle)-1]
		if now.Sub(c.used) < idleConnTimeout {
			t.mu.Unlock()
			return c, true, nil
		}
		c.tcp.Close()
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
	return &conn{addr: addr, tcp: tcp, br: bufio.NewReaderSize(tcp, 64<<10), bw: bufio.NewWriterSize(tcp, 64<<10)}, false, nil
}

// put returns c to the idle pool, or closes it when its pool is full.
func (t *connTransport) put(c *conn) {
	c.used = time.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.idle[c.addr]) >= maxIdleConnsPerHost {
		c.tcp.Close()
		return
	}
	t.idle[c.addr] = append(t.idle[c.addr], c)
}

// CloseIdleConnections closes the pooled connections, as http.Client.CloseIdleConnections
// asks of its transport.
func (t *connTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = make(map[string][]*conn)
	t.mu.Unlock()
	for _, cs := range idle {
		for _, c := range cs {
			c.tcp.Close()
		}
	}
	t.next.CloseIdleConnections()
}

// connBody is an answer's body of a known length, read from c. Read reads through c's
// buffer; WriteTo writes what the buffer holds, then lets w read the rest from the socket
// itself. Read whole, c goes back to the pool on Close; otherwise it is closed.
type connBody struct {
	t         *connTransport
	c         *conn
	remaining int64
	err       error
	stop      func() bool // ends the ctx watch; false once the watch has fired
	closed    bool
}

func (b *connBody) Read(p []byte) (int, error) {
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

func (b *connBody) WriteTo(w io.Writer) (int64, error) {
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
	rest := &io.LimitedReader{R: b.c.tcp, N: b.remaining}
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

func (b *connBody) Close() error {
	if b.closed {
		return nil
	}
	b.closed = true
	watching := b.stop()
	if b.remaining == 0 && b.err == nil && watching {
		b.t.put(b.c)
		return nil
	}
	return b.c.tcp.Close()
}

// closingBody is an answer's body read as net/http frames it (no Content-Length, or an
// answer the upstream gave before the request's body was sent whole); its connection is
// closed afterwards.
type closingBody struct {
	io.ReadCloser
	c    *conn
	stop func() bool
}

func (b *closingBody) Close() error {
	b.stop()
	b.ReadCloser.Close()
	return b.c.tcp.Close()
}
