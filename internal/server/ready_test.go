package server

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestABuiltServerIsReady(t *testing.T) {
	s3 := &s3Recorder{}
	srv := New(Options{S3: s3})
	if rec := serve(srv, "GET", "/readyz"); rec.Code != 200 || rec.Body.String() != "ready\n" {
		t.Fatalf("/readyz: %d %q", rec.Code, rec.Body.String())
	}
	serve(srv, "PUT", "/readyz")
	if got := strings.Join(s3.paths, "|"); got != "PUT /readyz" {
		t.Fatalf("S3 saw %q: anything but GET /readyz is S3's", got)
	}
}

func TestANodeWithoutSnapshotIsAliveNotReadyAndAsksEveryCallerToRetry(t *testing.T) {
	h := Starting()
	if rec := serve(h, "GET", "/healthz"); rec.Code != 200 {
		t.Fatalf("/healthz while starting: %d", rec.Code)
	}
	if rec := serve(h, "GET", "/readyz"); rec.Code != 503 {
		t.Fatalf("/readyz while starting: %d", rec.Code)
	}
	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}}
	req := httptest.NewRequest("POST", "/", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "<ErrorResponse") ||
		!strings.Contains(rec.Body.String(), "<Code>ServiceUnavailable</Code>") || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("a query call while starting: %d %s", rec.Code, rec.Body.String())
	}
	rec = serve(h, "GET", "/bucket/key")
	if rec.Code != 503 || !strings.HasPrefix(rec.Body.String(), "<?xml") || !strings.Contains(rec.Body.String(), "<Error><Code>ServiceUnavailable</Code>") {
		t.Fatalf("an S3 call while starting: %d %s", rec.Code, rec.Body.String())
	}
	if rec := serve(h, "HEAD", "/bucket/key"); rec.Code != 503 || rec.Body.Len() != 0 {
		t.Fatalf("HEAD while starting: %d with %d body bytes", rec.Code, rec.Body.Len())
	}
}
