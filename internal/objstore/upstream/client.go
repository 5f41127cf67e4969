package upstream

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// call is one upstream S3 request.
type call struct {
	op     string // S3 operation name, for errors, logs and metrics
	method string
	bucket string // upstream bucket name; "" for ListBuckets
	key    string
	query  []param // sent in this order; signing sorts them
	header http.Header
	// body is sent with Content-Length size; nil for none. payloadHash is
	// its signed hash: UNSIGNED-PAYLOAD for streamed bodies, the SHA-256 of
	// small XML documents.
	body        io.Reader
	size        int64
	payloadHash string
	// retry marks a PUT or POST as safe to send again (see retryable);
	// its body, if any, is a *bytes.Reader.
	retry bool
}

// param is one query parameter; value "" is sent as "name=" unless bare.
type param struct {
	name, value string
	bare        bool // sent as "name" alone (subresources: ?uploads, ?delete)
}

// url builds the request URL: path style host/bucket/key, or
// bucket.host/key when virtual-hosted. The path is escaped once, as S3 signs it.
func (b *Backend) url(c *call) *url.URL {
	u := *b.base
	path := "/"
	switch {
	case c.bucket == "":
	case b.opt.VirtualHosted:
		u.Host = c.bucket + "." + u.Host
		path += sigv4.EscapePath(c.key)
	default:
		path += c.bucket + "/" + sigv4.EscapePath(c.key)
		if c.key == "" {
			path = "/" + c.bucket
		}
	}
	u.Path, u.RawPath = path, path
	if p, err := url.PathUnescape(path); err == nil {
		u.Path = p
	}
	var q strings.Builder
	for i, p := range c.query {
		if i > 0 {
			q.WriteByte('&')
		}
		q.WriteString(sigv4.EscapeQuery(p.name))
		if !p.bare {
			q.WriteByte('=')
			q.WriteString(sigv4.EscapeQuery(p.value))
		}
	}
	u.RawQuery = q.String()
	return &u
}

// do sends c and returns the response when its status is 2xx (or 206/304);
// any other answer, and any transport failure, is returned as an error from
// the table in errors.go, with the response body drained and closed. The
// caller closes a returned response's body.
//
// Idempotent calls (see retryable) that fail as unavailable are sent again,
// up to maxRetries times after a jittered backoff, never past ctx's
// deadline. Every attempt is reported to the Observer; one that failed and
// was retried has outcome "retried".
func (b *Backend) do(ctx context.Context, c *call) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		start := time.Now()
		resp, transient, err := b.once(ctx, c)
		retry := transient && attempt < maxRetries && b.retryable(c)
		switch {
		case retry:
			b.observe(c.op, "retried", start)
		default:
			b.observe(c.op, outcome(err), start)
		}
		if !retry || !sleep(ctx, backoff(attempt)) {
			return resp, err
		}
		if br, ok := c.body.(*bytes.Reader); ok {
			br.Seek(0, io.SeekStart)
		}
	}
}

// once sends c one time. transient reports a failure worth retrying: a
// connection error or a 5xx or SlowDown answer (not the caller's own
// cancellation, and not an answer that refuses inkan's credentials).
func (b *Backend) once(ctx context.Context, c *call) (resp *http.Response, transient bool, err error) {
	req, err := b.newRequest(ctx, c)
	if err != nil {
		return nil, false, err
	}
	resp, err = b.opt.Client.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, b.transportError(ctx, c, err)
	}
	if resp.StatusCode < 300 {
		return resp, false, nil
	}
	err = b.responseError(c, resp)
	var e *Error
	return nil, errors.As(err, &e) && (e.Status >= 500 || e.Code == "SlowDown"), err
}

// Retries of idempotent calls: a short outage (an upstream node restarting,
// a connection the upstream closed while idle, a 503 SlowDown) is absorbed
// without the client seeing it, and a longer one fails within about half a
// second, as the client's own SDK retries with longer waits.
const maxRetries = 2

// backoff is the wait before retry attempt+1: 50-100 ms, then 200-400 ms.
func backoff(attempt int) time.Duration {
	d := 100 * time.Millisecond << (2 * attempt)
	return d/2 + rand.N(d/2)
}

// sleep waits d, or reports false when ctx ends first or its deadline
// falls within d (a retry could not finish in time).
func sleep(ctx context.Context, d time.Duration) bool {
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return false
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// retryable reports whether c may be sent again after a transient failure.
// GET, HEAD and DELETE are idempotent, and so are the PUTs and POSTs marked
// retry: copies (CopyObject, UploadPartCopy), CompleteMultipartUpload with
// the same parts, and the small state objects. A streamed body cannot be
// replayed, so PutObject and UploadPart fail as ErrUnavailable at once.
// A conditional write (If-Match, If-None-Match) is not retried: if the lost
// attempt committed, the retry would fail its own precondition.
func (b *Backend) retryable(c *call) bool {
	switch c.method {
	case http.MethodGet, http.MethodHead, http.MethodDelete:
		return true
	}
	if !c.retry || c.header.Get("If-Match") != "" || c.header.Get("If-None-Match") != "" {
		return false
	}
	_, rewindable := c.body.(*bytes.Reader)
	return c.body == nil || rewindable
}

// doDiscard is do for calls whose response body is not needed.
func (b *Backend) doDiscard(ctx context.Context, c *call) (http.Header, error) {
	resp, err := b.do(ctx, c)
	if err != nil {
		return nil, err
	}
	drain(resp.Body)
	return resp.Header, nil
}

// newRequest builds and signs c's request.
func (b *Backend) newRequest(ctx context.Context, c *call) (*http.Request, error) {
	creds, err := b.opt.Credentials.Credentials(ctx)
	if err != nil {
		return nil, unavailable(c.op, "credentials: "+err.Error(), nil)
	}
	req := &http.Request{
		Method: c.method, URL: b.url(c), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: c.header, Host: "",
	}
	req = req.WithContext(ctx)
	if req.Header == nil {
		req.Header = http.Header{}
	}
	req.Host = req.URL.Host
	hash := c.payloadHash
	if c.body != nil {
		req.Body, req.ContentLength = io.NopCloser(c.body), c.size
		if br, ok := c.body.(*bytes.Reader); ok { // a transport may send it again
			req.GetBody = func() (io.ReadCloser, error) {
				_, err := br.Seek(0, io.SeekStart)
				return io.NopCloser(br), err
			}
		}
		if c.size == 0 {
			req.Body = http.NoBody
		}
		if hash == "" {
			hash = sigv4.UnsignedPayload
		}
	} else if hash == "" {
		hash = sigv4.EmptyPayloadHash
	}
	if err := b.signer.Sign(req, creds, b.opt.Region, "s3", hash, b.opt.Now()); err != nil {
		return nil, unavailable(c.op, "signing: "+err.Error(), nil)
	}
	return req, nil
}

func (b *Backend) observe(op, outcome string, start time.Time) {
	if b.opt.Observer != nil {
		b.opt.Observer.UpstreamRequest(op, outcome, time.Since(start))
	}
}

// drain reads what is left of a small response body (so the connection can
// be reused) and closes it.
func drain(r io.ReadCloser) {
	io.Copy(io.Discard, io.LimitReader(r, 64<<10))
	r.Close()
}

// header returns an http.Header of name/value pairs.
func header(kv ...string) http.Header {
	h := make(http.Header, len(kv)/2+4)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			h.Set(kv[i], kv[i+1])
		}
	}
	return h
}

// sortedParams returns ps sorted by name, for deterministic URLs.
func sortedParams(ps []param) []param {
	slices.SortFunc(ps, func(a, b param) int { return strings.Compare(a.name, b.name) })
	return ps
}

// itoa formats n.
func itoa(n int) string { return strconv.Itoa(n) }

// maxXML bounds an XML answer: a page of 1000 keys of 1024 bytes, each
// URL-encoded, stays well below it.
const maxXML = 32 << 20

// getXML sends c and decodes its XML answer into v.
func (b *Backend) getXML(ctx context.Context, c *call, v any) error {
	resp, err := b.do(ctx, c)
	if err != nil {
		return err
	}
	defer drain(resp.Body)
	return b.decodeXML(ctx, c, resp.Body, v)
}

// decodeXML decodes an XML answer into v. S3 may answer CopyObject,
// UploadPartCopy and CompleteMultipartUpload with 200 and an error
// document, which is mapped like any error answer.
func (b *Backend) decodeXML(ctx context.Context, c *call, body io.Reader, v any) error {
	data, err := io.ReadAll(io.LimitReader(body, maxXML+1))
	if err != nil {
		return b.transportError(ctx, c, err)
	}
	if len(data) > maxXML {
		return b.badAnswer(c.op, "an XML answer over 32 MiB")
	}
	head := data[:min(len(data), 256)]
	if bytes.Contains(head, []byte("<Error>")) {
		var doc errorDoc
		if xml.Unmarshal(data, &doc) == nil && doc.Code != "" {
			b.opt.Logger.Warn("upstream S3 failed", "op", c.op, "bucket", c.bucket, "status", 200, "code", doc.Code, "message", doc.Message)
			return classify(c.op, http.StatusInternalServerError, doc.Code)
		}
	}
	if err := xml.Unmarshal(data, v); err != nil {
		return b.badAnswer(c.op, "XML: "+err.Error())
	}
	return nil
}
