package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
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

// refusing is a query service whose one action fails with err.
func refusing(err error) awsquery.Service {
	return awsquery.Service{Name: "sts", Namespace: "ns", Operations: map[string]awsquery.Operation{
		"Refuse": {Unsigned: true, Run: func(context.Context, *awsquery.Call) (any, error) { return nil, err }}},
		Error: func(err error) *awsquery.Error {
			e := err.(*iam.Error)
			status := 400
			if e.Kind == iam.KindAccessDenied {
				status = 403
			}
			return &awsquery.Error{Code: "Code", Message: e.Message, Status: status}
		}}
}

func refuse(srv *Server) string {
	req := httptest.NewRequest("POST", "/", strings.NewReader("Action=Refuse"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	return rec.Body.String()
}

func TestDevModeTellsTheCallerTheReasonOfEveryRefusal(t *testing.T) {
	const reason = `sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"]`
	denied := &iam.Error{Kind: iam.KindAccessDenied, Message: "Not authorized to perform sts:AssumeRoleWithWebIdentity", Reason: reason}
	invalid := &iam.Error{Kind: iam.KindInvalidIdentityToken, Message: "Incorrect token audience", Reason: `aud "x" is none of ["sts.amazonaws.com"]`}
	for _, e := range []*iam.Error{denied, invalid} {
		if body := refuse(New(Options{Query: []awsquery.Service{refusing(e)}, ReasonToCaller: true})); !strings.Contains(body, e.Message+". inkan: "+htmlEscape(e.Reason)) {
			t.Errorf("--dev: %s", body)
		}
		if body := refuse(New(Options{Query: []awsquery.Service{refusing(e)}})); strings.Contains(body, "inkan: ") {
			t.Errorf("operator mode leaked the reason: %s", body)
		}
	}
	if body := refuse(New(Options{Query: []awsquery.Service{refusing(denied)}})); !strings.Contains(body, "inkan explain") {
		t.Errorf("operator mode does not say how to get the reason: %s", body)
	}
}

func htmlEscape(s string) string { return strings.NewReplacer(`"`, "&#34;").Replace(s) }
