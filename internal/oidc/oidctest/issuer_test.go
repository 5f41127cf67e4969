package oidctest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

func get(t *testing.T, c *http.Client, url string) (int, []byte, http.Header) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b, resp.Header
}

func TestTheIssuerServesDiscoveryAndJWKSAndCountsRequests(t *testing.T) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			i := New(t, Config{TLS: tls, Path: "/tenant"})
			if !strings.HasSuffix(i.URL(), "/tenant") {
				t.Errorf("URL %q lacks the path", i.URL())
			}
			_, body, _ := get(t, i.Client(), i.URL()+"/.well-known/openid-configuration")
			var doc map[string]any
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			if doc["issuer"] != i.URL() || doc["jwks_uri"] != i.JWKSURL() {
				t.Errorf("discovery = %v", doc)
			}
			_, body, _ = get(t, i.Client(), i.JWKSURL())
			var set jose.JSONWebKeySet
			if err := json.Unmarshal(body, &set); err != nil {
				t.Fatal(err)
			}
			if len(set.Keys) != 1 || set.Keys[0].KeyID != "key-1" || set.Keys[0].Use != "sig" || !set.Keys[0].IsPublic() {
				t.Errorf("JWKS = %+v", set.Keys)
			}
			if i.Requests(Discovery) != 1 || i.Requests(JWKS) != 1 {
				t.Errorf("counters: %d, %d", i.Requests(Discovery), i.Requests(JWKS))
			}
		})
	}
}

func TestSignedTokensVerifyWithThePublishedKeyForEveryAlgorithm(t *testing.T) {
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			i := New(t, Config{Alg: alg})
			raw := i.Sign(i.Claims("aud", time.Now()))
			jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			var pub jose.JSONWebKey
			if err := json.Unmarshal(i.SigningKey().JWK(), &pub); err != nil {
				t.Fatal(err)
			}
			payload, err := jws.Verify(pub)
			if err != nil {
				t.Fatalf("go-jose does not verify the token: %v", err)
			}
			if !strings.Contains(string(payload), `"iss":"`+i.URL()+`"`) {
				t.Errorf("payload %s", payload)
			}
		})
	}
}

func TestRotatePublishesTheNewKeyAndWithdrawsTheOld(t *testing.T) {
	i := New(t, Config{})
	k := i.Rotate("ES256", "key-2")
	if i.SigningKey() != k {
		t.Error("the new key does not sign")
	}
	_, body, _ := get(t, i.Client(), i.JWKSURL())
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(body, &set); err != nil {
		t.Fatal(err)
	}
	if len(set.Keys) != 1 || set.Keys[0].KeyID != "key-2" {
		t.Errorf("JWKS after rotation = %+v", set.Keys)
	}
}

func TestOutagesAnswer500OrHangUntilTheClientGivesUp(t *testing.T) {
	i := New(t, Config{})
	i.SetOutage(JWKS, Fail500)
	if code, _, _ := get(t, i.Client(), i.JWKSURL()); code != http.StatusInternalServerError {
		t.Errorf("status %d, want 500", code)
	}
	i.SetOutage(JWKS, Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, i.JWKSURL(), nil)
	if resp, err := i.Client().Do(req); err == nil {
		resp.Body.Close()
		t.Fatal("a hanging endpoint answered")
	}
	i.SetOutage(JWKS, Up)
	if code, _, _ := get(t, i.Client(), i.JWKSURL()); code != http.StatusOK {
		t.Errorf("status %d after recovery", code)
	}
	if got := i.Requests(JWKS); got != 3 {
		t.Errorf("requests = %d, want 3 (outages count)", got)
	}
}

func TestCacheControlAndDiscoveryOverridesAreServed(t *testing.T) {
	i := New(t, Config{})
	i.SetCacheControl("max-age=60")
	i.SetDiscoveryField("issuer", "https://elsewhere")
	i.SetDiscoveryField("scopes_supported", nil)
	_, body, h := get(t, i.Client(), i.URL()+"/.well-known/openid-configuration")
	if h.Get("Cache-Control") != "max-age=60" {
		t.Errorf("Cache-Control = %q", h.Get("Cache-Control"))
	}
	var doc map[string]any
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	if _, has := doc["scopes_supported"]; has || doc["issuer"] != "https://elsewhere" {
		t.Errorf("discovery = %v", doc)
	}
	i.SetRawJWKS([]byte("raw"))
	if _, body, _ := get(t, i.Client(), i.JWKSURL()); string(body) != "raw" {
		t.Errorf("JWKS = %q", body)
	}
}

// recordingTB captures Errorf instead of failing.
type recordingTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestAnUnexpectedRouteFailsTheTest(t *testing.T) {
	rec := &recordingTB{TB: t}
	i := New(rec, Config{})
	if code, _, _ := get(t, i.Client(), i.URL()+"/userinfo"); code != http.StatusNotFound {
		t.Errorf("status %d, want 404", code)
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.errors) != 1 || !strings.Contains(rec.errors[0], "/userinfo") {
		t.Errorf("errors reported: %q", rec.errors)
	}
}

func TestSignRawKeepsTheBytesAndSupportsHMACAndNone(t *testing.T) {
	h, c := []byte(`{"alg":"HS256","alg":"HS256"}`), []byte(`{"a":1,"a":2}`)
	raw := SignRaw("HS256", []byte("k"), h, c)
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[0] != Segment(h) || parts[1] != Segment(c) || len(parts[2]) != 43 {
		t.Errorf("HS256 token %q", raw)
	}
	if none := SignRaw("none", nil, h, c); !strings.HasSuffix(none, ".") {
		t.Errorf("alg none token %q has a signature", none)
	}
}
