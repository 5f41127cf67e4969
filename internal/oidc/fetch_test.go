package oidc_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

func TestADiscoveryDocumentForAnotherIssuerIsRefused(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.iss.SetDiscoveryField("issuer", e.iss.URL()+"/")
	e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
	e.wantRequests(t, oidctest.JWKS, 0, "no JWKS fetch after a bad discovery document")
}

func TestUnacceptableJWKSURIsAreRefused(t *testing.T) {
	for _, c := range []struct{ name, uri string }{
		{"plain http to a non-loopback host", "http://example.com/jwks"},
		{"missing", ""},
		{"user info", "https://user:pass@127.0.0.1/jwks"},
		{"relative", "/jwks"},
		{"another scheme", "file:///etc/passwd"},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, oidctest.Config{}, nil)
			if c.uri == "" {
				e.iss.SetDiscoveryField("jwks_uri", nil)
			} else {
				e.iss.SetDiscoveryField("jwks_uri", c.uri)
			}
			e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
		})
	}
}

func TestPlainHTTPLoopbackNeedsTheInsecureOption(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, func(o *oidc.Options) { o.InsecureAllowHTTPLoopback = false })
	e.wantRefused(t, e.token(), oidc.ErrProvider)

	// An https issuer may not send inkan to a plain-http loopback JWKS either.
	tls := newEnv(t, oidctest.Config{TLS: true}, func(o *oidc.Options) { o.InsecureAllowHTTPLoopback = false })
	tls.iss.SetDiscoveryField("jwks_uri", "http://127.0.0.1:1/jwks")
	tls.wantRefused(t, tls.token(), oidc.ErrKeysUnavailable)
}

// redirector answers every request with a redirect to target and counts them.
func redirector(t *testing.T, target string, tls bool) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, target, http.StatusFound)
	})
	var s *httptest.Server
	if tls {
		s = httptest.NewTLSServer(h)
	} else {
		s = httptest.NewServer(h)
	}
	t.Cleanup(s.Close)
	return s, &n
}

func TestRedirectsAreFollowedOnlyToAcceptableURLs(t *testing.T) {
	t.Run("an https redirect to the real JWKS is followed", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{TLS: true}, func(o *oidc.Options) { o.InsecureAllowHTTPLoopback = false })
		r, hits := redirector(t, e.iss.JWKSURL(), true)
		e.iss.SetDiscoveryField("jwks_uri", r.URL+"/keys")
		e.mustVerify(t, e.token())
		if hits.Load() != 1 || e.iss.Requests(oidctest.JWKS) != 1 {
			t.Errorf("redirector hits %d, JWKS requests %d", hits.Load(), e.iss.Requests(oidctest.JWKS))
		}
	})
	t.Run("a redirect from https to plain http is refused and not followed", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{TLS: true}, func(o *oidc.Options) { o.InsecureAllowHTTPLoopback = false })
		var reached atomic.Int32
		plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { reached.Add(1) }))
		t.Cleanup(plain.Close)
		r, _ := redirector(t, plain.URL+"/jwks", true)
		e.iss.SetDiscoveryField("jwks_uri", r.URL+"/keys")
		e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
		if reached.Load() != 0 {
			t.Error("the plain-http target was contacted")
		}
	})
	t.Run("a redirect loop stops after five hops", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{}, nil)
		var r *httptest.Server
		var hits atomic.Int32
		r = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			hits.Add(1)
			http.Redirect(w, req, r.URL+"/again", http.StatusFound)
		}))
		t.Cleanup(r.Close)
		e.iss.SetDiscoveryField("jwks_uri", r.URL+"/keys")
		e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
		if hits.Load() != 5 {
			t.Errorf("redirect hops = %d, want 5", hits.Load())
		}
	})
}

func TestResponsesAreCappedAt256KiB(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	var jwks bytes.Buffer
	jwks.WriteString(`{"keys":[` + string(e.iss.SigningKey().JWK()) + `]}`)
	pad := oidc.MaxResponseBytes - jwks.Len()
	e.iss.SetRawJWKS(append(jwks.Bytes(), bytes.Repeat([]byte(" "), pad)...)) // exactly the cap
	e.mustVerify(t, e.token())

	big := newEnv(t, oidctest.Config{}, nil)
	big.iss.SetRawJWKS(append(jwks.Bytes(), bytes.Repeat([]byte(" "), pad+1)...))
	_, err := big.verify(big.token())
	ke := wantKind(t, err, oidc.ErrKeysUnavailable)
	if !strings.Contains(ke.Reason, "larger than") {
		t.Errorf("Reason = %q, want it to name the size cap", ke.Reason)
	}
}

func TestAJWKSWithNoUsableKeyIsUnavailable(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.iss.SetRawJWKS([]byte(`{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"key-1"}]}`))
	e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
}

func TestTLSTrust(t *testing.T) {
	untrusting := func(o *oidc.Options) { o.HTTPClient = &http.Client{}; o.InsecureAllowHTTPLoopback = false }
	t.Run("a certificate the system roots do not know is refused without thumbprints", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{TLS: true}, untrusting)
		e.wantRefused(t, e.token(), oidc.ErrThumbprint)
	})
	t.Run("a matching thumbprint makes it trusted", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{TLS: true}, untrusting)
		e.p.Thumbprints = []string{strings.Repeat("0", 40), strings.ToUpper(e.iss.Thumbprint())}
		e.mustVerify(t, e.token())
	})
	t.Run("a wrong thumbprint does not", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{TLS: true}, untrusting)
		e.p.Thumbprints = []string{strings.Repeat("a", 40)}
		e.wantRefused(t, e.token(), oidc.ErrThumbprint)
	})
	t.Run("a matching thumbprint does not excuse a host name mismatch", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{TLS: true}, untrusting)
		// The test certificate names 127.0.0.1 and example.com, not localhost.
		url := strings.Replace(e.iss.URL(), "127.0.0.1", "localhost", 1)
		e.iss.SetDiscoveryField("issuer", url)
		e.p.URL = url
		e.p.Thumbprints = []string{e.iss.Thumbprint()}
		claims := e.claims()
		claims["iss"] = url
		e.wantRefused(t, e.iss.Sign(claims), oidc.ErrThumbprint)
	})
	t.Run("a CA bundle makes it trusted", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{TLS: true}, untrusting)
		e.p.CABundle = e.iss.CertificatePEM()
		e.mustVerify(t, e.token())
	})
	t.Run("changing the thumbprints takes effect on the next token", func(t *testing.T) {
		e := newEnv(t, oidctest.Config{TLS: true}, untrusting)
		e.wantRefused(t, e.token(), oidc.ErrThumbprint)
		e.p.Thumbprints = []string{e.iss.Thumbprint()}
		e.mustVerify(t, e.token())
	})
}

func TestAnInvalidProviderIsRefusedBeforeAnyFetch(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.p.Thumbprints = []string{"not-hex"}
	_, err := e.v.Verify(context.Background(), e.token(), e.p)
	wantKind(t, err, oidc.ErrProvider)
	if e.iss.Requests(oidctest.Discovery) != 0 {
		t.Error("an invalid provider caused a fetch")
	}
}
