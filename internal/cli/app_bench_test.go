package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/iam"
)

// BenchmarkAssumeRoleWithWebIdentity measures one exchange through the whole server handler
// (query decoding, token verification with a warm key cache, trust policy, sealing, XML),
// without the network: go test -run '^$' -bench AssumeRoleWithWebIdentity -benchmem ./internal/cli
func BenchmarkAssumeRoleWithWebIdentity(b *testing.B) {
	cfg := config.Default()
	cfg.DataDir, cfg.Dev, cfg.Addr = b.TempDir(), true, "127.0.0.1:8750"
	cfg.Root.AccessKeyID, cfg.Root.SecretAccessKey = "AKIABENCHROOT0000000", "bench-root-secret-0000000000000000000000"
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	a, err := newApp(ctx, cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	// The dev issuer's keys are fetched over HTTP by the verifier: serve the app for real.
	srv := httptest.NewUnstartedServer(a.handler)
	srv.Listener.Close()
	srv.Listener = mustListen(b, "127.0.0.1:8750")
	srv.Start()
	defer srv.Close()
	host := "127.0.0.1:8750/idp"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/` + host + `"},
	"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + host + `:aud":"sts.amazonaws.com"},"StringLike":{"` + host + `:sub":"repo:acme/app:*"}}}]}`
	role, err := a.iam.CreateRole(ctx, &iam.CreateRoleInput{Name: "deploy", TrustPolicy: trust})
	if err != nil {
		b.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"repository": "acme/app", "audience": "sts.amazonaws.com", "lifetime_seconds": 3600})
	resp, err := http.Post(srv.URL+"/idp/mint", "application/json", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	var tok struct{ Value string }
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {role.ARN},
		"RoleSessionName": {"bench"}, "WebIdentityToken": {tok.Value}}.Encode()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		a.handler.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
}
