package devidp

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// fakeClock is a settable clock shared by a KeySet and an Issuer under test.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 8, 3, 9, 30, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func openTestKeys(t testing.TB, dir string, clock *fakeClock) *KeySet {
	t.Helper()
	keys, err := OpenKeySet(dir, KeySetOptions{Clock: clock.Now})
	if err != nil {
		t.Fatalf("OpenKeySet(%s): %v", dir, err)
	}
	return keys
}

func newTestIssuer(t testing.TB, url string, keys *KeySet, clock *fakeClock) *Issuer {
	t.Helper()
	issuer, err := New(Config{URL: url, Keys: keys, Clock: clock.Now})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return issuer
}

// newLocalIssuer is an issuer at http://127.0.0.1:8750/idp (the `inkan serve --dev`
// default) on a fresh key directory and a fake clock.
func newLocalIssuer(t testing.TB) (*Issuer, *fakeClock) {
	t.Helper()
	clock := newFakeClock()
	return newTestIssuer(t, "http://127.0.0.1:8750/idp", openTestKeys(t, t.TempDir(), clock), clock), clock
}

// testServer is an issuer mounted under /idp of a real HTTP server, as `inkan serve
// --dev` mounts it. Requests outside /idp/ fail the test.
type testServer struct {
	*httptest.Server
	issuer *Issuer
	keys   *KeySet
	clock  *fakeClock
}

func (s *testServer) issuerURL() string { return s.URL + "/idp" }

func startServer(t testing.TB) *testServer {
	t.Helper()
	clock := newFakeClock()
	return startServerOn(t, openTestKeys(t, t.TempDir(), clock), clock)
}

func startServerOn(t testing.TB, keys *KeySet, clock *fakeClock) *testServer {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	issuer := newTestIssuer(t, srv.URL+"/idp", keys, clock)
	mux.Handle("/idp/", http.StripPrefix("/idp", issuer.Handler()))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("request outside the issuer: %s %s", r.Method, r.URL)
		http.NotFound(w, r)
	})
	return &testServer{Server: srv, issuer: issuer, keys: keys, clock: clock}
}

// getJSON fetches url and decodes a 200 JSON answer into T.
func getJSON[T any](t testing.TB, url string) T {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d: %s", url, resp.StatusCode, body)
	}
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("GET %s: decode %s: %v", url, body, err)
	}
	return v
}

// verifyToken checks token the way a relying party does: discovery document → jwks_uri →
// key by kid → RS256 signature, then iss and the time claims at the clock's now. It
// returns the claims.
func verifyToken(t testing.TB, issuerURL, token string, now time.Time) map[string]any {
	t.Helper()
	discovery := getJSON[Discovery](t, issuerURL+"/.well-known/openid-configuration")
	if discovery.Issuer != issuerURL {
		t.Fatalf("discovery issuer = %q, want %q", discovery.Issuer, issuerURL)
	}
	return verifyWithJWKS(t, discovery.JWKSURI, issuerURL, token, now)
}

func verifyWithJWKS(t testing.TB, jwksURI, issuerURL, token string, now time.Time) map[string]any {
	t.Helper()
	set := getJSON[jose.JSONWebKeySet](t, jwksURI)
	parsed, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("parse token: %v", err)
	}
	keys := set.Key(parsed.Headers[0].KeyID)
	if len(keys) != 1 {
		t.Fatalf("JWKS at %s holds %d keys with kid %q, want 1", jwksURI, len(keys), parsed.Headers[0].KeyID)
	}
	var claims map[string]any
	var registered jwt.Claims
	if err := parsed.Claims(keys[0], &claims, &registered); err != nil {
		t.Fatalf("verify signature: %v", err)
	}
	if err := registered.ValidateWithLeeway(jwt.Expected{Issuer: issuerURL, Time: now}, 0); err != nil {
		t.Fatalf("validate claims: %v", err)
	}
	return claims
}

// tokenHeader decodes the protected header of a compact JWS.
func tokenHeader(t testing.TB, token string) map[string]any {
	t.Helper()
	return decodeSegment(t, token, 0)
}

// tokenClaims decodes the payload of a compact JWS without verifying it.
func tokenClaims(t testing.TB, token string) map[string]any {
	t.Helper()
	return decodeSegment(t, token, 1)
}

func decodeSegment(t testing.TB, token string, i int) map[string]any {
	t.Helper()
	segments := strings.Split(token, ".")
	if len(segments) != 3 {
		t.Fatalf("token has %d segments, want 3", len(segments))
	}
	raw, err := base64.RawURLEncoding.DecodeString(segments[i])
	if err != nil {
		t.Fatalf("segment %d: %v", i, err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("segment %d: %v", i, err)
	}
	return m
}
