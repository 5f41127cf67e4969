package devidp

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Run with: go test ./internal/devidp -run '^$' -bench . -benchmem

func BenchmarkMint(b *testing.B) {
	issuer, _ := newLocalIssuer(b)
	req := TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app", Ref: "deploy"}}, TokenOptions: TokenOptions{Audience: AudienceSTS}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := issuer.Mint(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRunnerTokenEndpoint measures one GET /actions/idtoken through the handler:
// key-file stat, request-token check, job completion, sub, RS256 signature, JSON answer.
func BenchmarkRunnerTokenEndpoint(b *testing.B) {
	issuer, _ := newLocalIssuer(b)
	env, err := issuer.RunnerEnv(JobContext{Job: Job{Repository: "acme/app", Ref: "deploy"}})
	if err != nil {
		b.Fatal(err)
	}
	handler := issuer.Handler()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodGet, RunnerTokenPath+"?api-version=2.0&audience=sts.amazonaws.com", nil)
		req.Header.Set("Authorization", "Bearer "+env.RequestToken)
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkJWKSEndpoint(b *testing.B) {
	issuer, _ := newLocalIssuer(b)
	handler := issuer.Handler()
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/.well-known/jwks", nil))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func BenchmarkSubject(b *testing.B) {
	ctx := JobContext{Job: Job{Repository: "acme/app", Environment: "prod:eu"},
		SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"repo", "context", "job_workflow_ref"}}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ctx.Subject(); err != nil {
			b.Fatal(err)
		}
	}
}
