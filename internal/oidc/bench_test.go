package oidc_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

// BenchmarkVerify measures Verify on an RS256 GitHub-shaped token with a warm
// cache, beside the raw cost of the RSA check it must perform, in the same
// run: "raw" is rsa.VerifyPKCS1v15 over a precomputed digest, "raw+hash" adds
// the SHA-256 of the signing input that any verifier has to compute.
func BenchmarkVerify(b *testing.B) {
	iss := oidctest.New(b, oidctest.Config{})
	now := time.Now()
	raw := iss.Sign(oidctest.GitHubClaims(iss.URL(), "sts.amazonaws.com", "octo-org/octo-repo", now))
	v := oidc.NewVerifier(oidc.Options{HTTPClient: iss.Client(), InsecureAllowHTTPLoopback: true,
		Now: func() time.Time { return now }})
	p := &oidc.Provider{URL: iss.URL(), ClientIDs: []string{"sts.amazonaws.com"}}
	ctx := context.Background()
	if _, err := v.Verify(ctx, raw, p); err != nil {
		b.Fatal(err)
	}
	pub := iss.SigningKey().Private.Public().(*rsa.PublicKey)
	dot := strings.LastIndexByte(raw, '.')
	input := raw[:dot]
	sig, err := base64.RawURLEncoding.DecodeString(raw[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	b.Run("raw", func(b *testing.B) {
		d := sha256.Sum256([]byte(input))
		b.ReportAllocs()
		for b.Loop() {
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw+hash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha256.Sum256([]byte(input))
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("inkan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := v.Verify(ctx, raw, p); err != nil {
				b.Fatal(err)
			}
		}
	})
	// On a shared machine the separate runs above drift with the load; this
	// one alternates the two and reports their ratio from the same moments.
	b.Run("interleaved", func(b *testing.B) {
		var rawTime, inkanTime time.Duration
		for b.Loop() {
			t0 := time.Now()
			d := sha256.Sum256([]byte(input))
			if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, d[:], sig); err != nil {
				b.Fatal(err)
			}
			t1 := time.Now()
			if _, err := v.Verify(ctx, raw, p); err != nil {
				b.Fatal(err)
			}
			rawTime += t1.Sub(t0)
			inkanTime += time.Since(t1)
		}
		b.ReportMetric(float64(rawTime.Nanoseconds())/float64(b.N), "raw+hash-ns/op")
		b.ReportMetric(float64(inkanTime.Nanoseconds())/float64(b.N), "inkan-ns/op")
		b.ReportMetric(float64(inkanTime)/float64(rawTime), "ratio")
	})
}
