package awsclient

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

const (
	testKey    = "ASIAINKANTESTKEY0001"
	testSecret = "inkan/secret+key/for+tests/only/0123456789"
	testToken  = "IQoJb3JpZ2luX2VjEInkanSessionToken//+/==="
)

func testCreds() sigv4.Credentials {
	return sigv4.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret, SessionToken: testToken}
}

func testNow() time.Time { return time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC) }

// seen is one request as the fake server received and authenticated it.
type seen struct {
	method, path, query string
	header              http.Header
	form                url.Values // Query-protocol parameters
	body                []byte
	auth                *sigv4.Auth // nil when unsigned
	verifyErr           error
}

// fake is an httptest server that authenticates every signed request with sigv4.Verify,
// as inkan does, records it and answers from routes. A request no route names fails the
// test loudly.
type fake struct {
	t      *testing.T
	srv    *httptest.Server
	routes map[string]http.HandlerFunc // "sts:Action", "iam:Action" or "METHOD /path"

	mu   sync.Mutex
	reqs []seen
}

func newFake(t *testing.T, routes map[string]http.HandlerFunc) *fake {
	f := &fake{t: t, routes: routes}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) client() *Client {
	return &Client{Endpoint: f.srv.URL, Creds: testCreds(), Now: testNow,
		Retry: Retry{Sleep: func(context.Context, time.Duration) error { return nil }}}
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := seen{method: r.Method, path: r.URL.Path, query: r.URL.RawQuery, header: r.Header.Clone(), body: body}
	key := r.Method + " " + r.URL.Path
	if r.Method == http.MethodPost && r.URL.Path == "/" {
		s.form, _ = url.ParseQuery(string(body))
		key = "iam:" + s.form.Get("Action")
		if s.form.Get("Version") == "2011-06-15" {
			key = "sts:" + s.form.Get("Action")
		}
	}
	s.auth, s.verifyErr = authenticate(r, body)
	f.mu.Lock()
	f.reqs = append(f.reqs, s)
	f.mu.Unlock()
	h, ok := f.routes[key]
	if !ok {
		f.t.Errorf("unexpected request %s (%s)", key, r.URL.RequestURI())
		http.Error(w, "unexpected request", http.StatusTeapot)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	h(w, r)
}

// authenticate verifies a signed request as inkan's server does: S3's rules for paths
// outside "/" and the admin API, the body's hash for query services.
func authenticate(r *http.Request, body []byte) (*sigv4.Auth, error) {
	a, err := sigv4.Parse(r)
	if err != nil {
		return nil, err
	}
	o := sigv4.Options{Now: testNow, Service: a.Service, PayloadHash: sigv4.PayloadHash(body), S3: a.Service == "s3"}
	v, err := sigv4.Verify(r, a, testSecret, o)
	if err != nil {
		return a, err
	}
	if o.S3 {
		b, err := v.Body(bytes.NewReader(body), int64(len(body)))
		if err != nil {
			return a, err
		}
		_, err = io.ReadAll(b)
		return a, err
	}
	return a, nil
}

func (f *fake) requests() []seen {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]seen(nil), f.reqs...)
}

// only returns the one request the test expects, failing otherwise.
func (f *fake) only() seen {
	f.t.Helper()
	reqs := f.requests()
	if len(reqs) != 1 {
		f.t.Fatalf("the server saw %d requests, want 1", len(reqs))
	}
	return reqs[0]
}

// mustBeSigned fails unless s carried a valid signature by the test credentials.
func mustBeSigned(t *testing.T, s seen, service string) {
	t.Helper()
	if s.auth == nil || s.verifyErr != nil {
		t.Fatalf("%s %s is not validly signed: %v", s.method, s.path, s.verifyErr)
	}
	if s.auth.Service != service || s.auth.AccessKeyID != testKey || s.auth.SecurityToken != testToken {
		t.Fatalf("signed for %s by %s with token %q", s.auth.Service, s.auth.AccessKeyID, s.auth.SecurityToken)
	}
}

// reply answers with a status and a body of the given content type.
func reply(status int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Amz-Request-Id", "hdr-request-id")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

func xmlReply(body string) http.HandlerFunc { return reply(http.StatusOK, "text/xml", body) }

// queryError renders a Query-protocol error as STS and IAM do (aws-federation.md §1.4).
func queryError(status int, code, message string) http.HandlerFunc {
	return reply(status, "text/xml", `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>`+
		code+`</Code><Message>`+message+`</Message></Error><RequestId>rid-`+code+`</RequestId></ErrorResponse>`)
}

// sequence answers with each handler in turn, then the last one forever.
func sequence(hs ...http.HandlerFunc) http.HandlerFunc {
	var mu sync.Mutex
	n := 0
	return func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := hs[min(n, len(hs)-1)]
		n++
		mu.Unlock()
		h(w, r)
	}
}
