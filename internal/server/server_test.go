package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// s3Recorder stands in for the S3 handler: it records the path it was given.
type s3Recorder struct{ paths []string }

func (s *s3Recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.paths = append(s.paths, r.Method+" "+r.URL.Path)
	if r.URL.Path == "/boom/x" {
		panic("handler bug")
	}
	w.WriteHeader(http.StatusNoContent)
}

func serve(h http.Handler, method, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec
}

func TestObjectKeysReachS3WithoutPathCleaning(t *testing.T) {
	s3 := &s3Recorder{}
	srv := New(Options{S3: s3})
	for _, target := range []string{"/b//k", "/b/a/../k", "/b/./k", "/b/k%2F..%2Fx"} {
		if rec := serve(srv, "GET", target); rec.Code != http.StatusNoContent {
			t.Errorf("GET %s answered %d (a ServeMux would redirect)", target, rec.Code)
		}
	}
	want := "GET /b//k|GET /b/a/../k|GET /b/./k|GET /b/k/../x"
	if got := strings.Join(s3.paths, "|"); got != want {
		t.Fatalf("S3 saw %s, want %s", got, want)
	}
}

func TestInkansOwnRoutesAndTheirLimits(t *testing.T) {
	s3 := &s3Recorder{}
	srv := New(Options{S3: s3, Metrics: NewMetrics()})
	if rec := serve(srv, "GET", "/healthz"); rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Fatalf("/healthz: %d %q", rec.Code, rec.Body.String())
	}
	if rec := serve(srv, "GET", "/metrics"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "inkan_http_requests_total") {
		t.Fatalf("/metrics: %d", rec.Code)
	}
	// Anything else on those paths is S3's (which refuses the reserved bucket names).
	serve(srv, "PUT", "/healthz")
	serve(srv, "GET", "/metrics?list-type=2")
	serve(srv, "GET", "/idp/.well-known/jwks") // no test IdP outside --dev
	if got := strings.Join(s3.paths, "|"); got != "PUT /healthz|GET /metrics|GET /idp/.well-known/jwks" {
		t.Fatalf("S3 saw %s", got)
	}
}

func TestEveryResponseCarriesItsRequestIDAndAPanicIsA500(t *testing.T) {
	srv := New(Options{S3: &s3Recorder{}})
	rec := serve(srv, "GET", "/boom/x")
	if rec.Code != http.StatusInternalServerError {
		t.Fatalf("a panicking handler answered %d", rec.Code)
	}
	id := rec.Header().Get("x-amz-request-id")
	if len(id) != 36 || rec.Header().Get("x-amzn-RequestId") != id || !strings.Contains(rec.Body.String(), id) {
		t.Fatalf("request id %q, body %q", id, rec.Body.String())
	}
}

func TestQueryRequestsWithoutAnActionAreRefused(t *testing.T) {
	srv := New(Options{S3: &s3Recorder{}})
	req := httptest.NewRequest("POST", "/", strings.NewReader("Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "<Code>InvalidAction</Code>") {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}
