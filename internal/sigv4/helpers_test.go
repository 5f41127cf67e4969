package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// served is what the test server saw and concluded for one request.
type served struct {
	auth     *Auth
	verified *Verified
	body     []byte
	trailers http.Header
	err      error
}

// verifyHandler authenticates every request with Parse, Verify and Body, as the HTTP layer
// will, and reports the outcome on got. Query-service requests have their body read and
// hashed first, as their callers must.
type verifyHandler struct {
	secret string
	opts   func(r *http.Request) Options
	reply  func(w http.ResponseWriter, r *http.Request)
	got    chan served
}

func (h *verifyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.serve(r)
	h.got <- s
	if s.err != nil {
		http.Error(w, "denied: "+s.err.Error(), http.StatusForbidden)
		return
	}
	if h.reply != nil {
		h.reply(w, r)
	}
}

func (h *verifyHandler) serve(r *http.Request) served {
	var s served
	if s.auth, s.err = Parse(r); s.err != nil {
		return s
	}
	o := h.opts(r)
	if !o.S3 {
		raw, err := io.ReadAll(r.Body)
		if err != nil {
			s.err = err
			return s
		}
		o.PayloadHash = PayloadHash(raw)
		r.Body = io.NopCloser(bytes.NewReader(raw))
	}
	if s.verified, s.err = Verify(r, s.auth, h.secret, o); s.err != nil {
		return s
	}
	b, err := s.verified.Body(r.Body, r.ContentLength)
	if err != nil {
		s.err = err
		return s
	}
	s.body, s.err = io.ReadAll(b)
	s.trailers = b.Trailers()
	return s
}

// startServer runs a verifying server (TLS when tls is set) for the duration of the test.
func startServer(t *testing.T, tls bool, secret string, opts func(*http.Request) Options,
	reply func(http.ResponseWriter, *http.Request)) (*httptest.Server, chan served) {
	t.Helper()
	h := &verifyHandler{secret: secret, opts: opts, reply: reply, got: make(chan served, 16)}
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	return srv, h.got
}

func next(t *testing.T, got chan served) served {
	t.Helper()
	select {
	case s := <-got:
		return s
	case <-time.After(10 * time.Second):
		t.Fatal("the server saw no request")
		return served{}
	}
}

// chunkSigner signs aws-chunked bodies the way streaming S3 clients do. Its output for the
// S3 documentation's example is checked byte for byte against AWS's published signatures
// (TestTheS3DocumentationStreamingExampleVerifies), which anchors every other use.
type chunkSigner struct {
	key            []byte
	amzDate, scope string
	prev           string // the seed signature at first
}

func (s *chunkSigner) sign(data []byte) string {
	sum := sha256.Sum256(data)
	sts := stringToSign("AWS4-HMAC-SHA256-PAYLOAD", s.amzDate, s.scope, []string{s.prev, EmptyPayloadHash},
		hex.EncodeToString(sum[:]))
	s.prev = hex.EncodeToString(hmacSHA256(s.key, sts))
	return s.prev
}

func (s *chunkSigner) signTrailer(canonical string) string {
	sts := stringToSign("AWS4-HMAC-SHA256-TRAILER", s.amzDate, s.scope, []string{s.prev}, sha256Hex(canonical))
	return hex.EncodeToString(hmacSHA256(s.key, sts))
}

// encodeChunked frames data as aws-chunked in the given payload mode, in chunks of
// chunkSize bytes, followed by the trailers (name, value pairs) in the trailer modes.
// s is nil for STREAMING-UNSIGNED-PAYLOAD-TRAILER.
func encodeChunked(data []byte, chunkSize int, mode string, s *chunkSigner, trailers ...[2]string) []byte {
	var b bytes.Buffer
	writeChunk := func(c []byte) {
		if mode == StreamingUnsignedPayloadTrail {
			fmt.Fprintf(&b, "%x\r\n", len(c))
		} else {
			fmt.Fprintf(&b, "%x;chunk-signature=%s\r\n", len(c), s.sign(c))
		}
	}
	for len(data) > 0 {
		n := min(chunkSize, len(data))
		writeChunk(data[:n])
		b.Write(data[:n])
		b.WriteString("\r\n")
		data = data[n:]
	}
	writeChunk(nil)
	if mode != StreamingPayload {
		var canonical string
		for _, tr := range trailers {
			fmt.Fprintf(&b, "%s:%s\r\n", tr[0], tr[1])
			canonical += tr[0] + ":" + tr[1] + "\n"
		}
		if mode == StreamingPayloadTrailer {
			fmt.Fprintf(&b, "x-amz-trailer-signature:%s\r\n", s.signTrailer(canonical))
		}
	}
	b.WriteString("\r\n")
	return b.Bytes()
}
