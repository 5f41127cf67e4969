package server

import (
	"io"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/reqid"
	"github.com/inkan-dev/inkan/internal/s3"
)

// Limits bound what one client can hold of the server (docs/security.md). Zero values
// disable each limit.
type Limits struct {
	// BodyIdleTimeout ends a request body that delivers no byte for this long: the read
	// fails with a deadline error, which S3 answers 400 RequestTimeout. Each byte that
	// arrives restarts the clock, so an upload of any size at any steady speed completes.
	BodyIdleTimeout time.Duration
	// MaxRequestsPerClient caps the requests one client address has in flight; beyond it a
	// request is refused at once, before its body is read (S3: 503 SlowDown; STS and IAM:
	// 400 Throttling). Behind a proxy every request comes from the proxy's address.
	MaxRequestsPerClient int
}

// inflight counts the requests in flight per client address.
type inflight struct {
	max int
	mu  sync.Mutex
	n   map[netip.Addr]int
}

func newInflight(max int) *inflight { return &inflight{max: max, n: map[netip.Addr]int{}} }

// acquire takes a slot for addr and returns its release, or false when addr has max
// requests in flight. A nil inflight or an unparsable address is never refused.
func (f *inflight) acquire(addr netip.Addr) (func(), bool) {
	if f == nil || f.max <= 0 || !addr.IsValid() {
		return func() {}, true
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n[addr] >= f.max {
		return nil, false
	}
	f.n[addr]++
	return func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.n[addr]--; f.n[addr] <= 0 {
			delete(f.n, addr)
		}
	}, true
}

// idleBody is a request body whose every read must deliver within timeout: before each
// read the connection's read deadline moves to now+timeout. Once the body ends the deadline
// is cleared, so that the server's watch for the client going away is not cut short while a
// handler takes its time after the body. After a failed read it stays: net/http then
// drains what is left of the body before answering, and must fail at once, not wait for a
// client that stopped sending (the connection is closed after the answer).
type idleBody struct {
	io.ReadCloser
	rc      *http.ResponseController
	timeout time.Duration
	done    bool
}

func (b *idleBody) Read(p []byte) (int, error) {
	if b.done {
		return b.ReadCloser.Read(p)
	}
	// Socket deadlines are wall-clock time, whatever clock the server is given. A
	// connection that cannot take deadlines (none in net/http today) keeps no limit.
	_ = b.rc.SetReadDeadline(time.Now().Add(b.timeout))
	n, err := b.ReadCloser.Read(p)
	if err != nil {
		b.done = true
		if err == io.EOF {
			_ = b.rc.SetReadDeadline(time.Time{})
		}
	}
	return n, err
}

// limitBody wraps r's body in an idleBody when the limit is set and there is a body. The
// clock starts now: a body the handler never reads (a refused request) is still drained by
// net/http before it answers, and that drain must not wait on a client that trickles.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request) {
	if s.o.Limits.BodyIdleTimeout <= 0 || r.Body == nil || r.Body == http.NoBody {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.o.Limits.BodyIdleTimeout))
	r.Body = &idleBody{ReadCloser: r.Body, rc: rc, timeout: s.o.Limits.BodyIdleTimeout}
}

// throttle refuses a request of a client over MaxRequestsPerClient, in its protocol's form.
func (s *Server) throttle(w http.ResponseWriter, r *http.Request, service string) {
	s.o.Logger.Info("request refused: too many requests in flight from its client", "request_id", reqid.From(r.Context()),
		"remote", r.RemoteAddr, "max", s.o.Limits.MaxRequestsPerClient)
	// A refused body is not worth waiting for: net/http's drain of it fails at once and
	// the connection closes after the answer.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
	switch service {
	case "s3":
		s3.WriteSlowDown(w, r)
	case "query":
		awsquery.WriteError(w, s.defaultNamespace(), &awsquery.Error{Code: "Throttling", Message: "Rate exceeded", Status: http.StatusBadRequest}, reqid.From(r.Context()))
	default:
		w.Header().Set("Retry-After", "1")
		http.Error(w, "too many requests in flight from this address", http.StatusServiceUnavailable)
	}
}

// Lingering on a body the answer did not need: an HTTP/1.1 client that sent
// "Expect: 100-continue" may send its body without waiting for the 100 (RFC 9110 §10.1.1;
// Go's http.Transport does with its default ExpectContinueTimeout of zero). When the answer
// is a refusal that never read that body, net/http closes the connection at once, and the
// close of a socket with unread bytes is a TCP reset: the client's write fails, and its
// kernel may drop the refusal it had not read yet, so the client sees "connection reset"
// where it should see AccessDenied (and retries a request that cannot succeed). For bodies
// without Expect net/http itself avoids this (it half-closes and waits 500 ms); for these
// inkan does the same: it sends the answer, then reads and discards what the client still
// sends, for at most lingerTime and lingerBytes, before net/http closes the connection.
const (
	lingerTime  = 500 * time.Millisecond
	lingerBytes = 8 << 20
)

// lingerOnUnreadBody is that linger, for the request's original body. A body read to its
// end (every accepted upload) costs one read that returns io.EOF at once.
func lingerOnUnreadBody(w http.ResponseWriter, r *http.Request, body io.ReadCloser) {
	if r.ProtoMajor != 1 || body == nil || body == http.NoBody || r.ContentLength == 0 ||
		!strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		return
	}
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		return
	}
	_ = rc.SetReadDeadline(time.Now().Add(lingerTime))
	_, _ = io.CopyN(io.Discard, body, lingerBytes)
}
