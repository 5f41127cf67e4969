package oidctest

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Endpoint names what the issuer serves.
type Endpoint int

// The endpoints.
const (
	Discovery Endpoint = iota // <issuer>/.well-known/openid-configuration
	JWKS                      // <issuer>/.well-known/jwks
)

// Outage is how an endpoint misbehaves.
type Outage int

// The outage modes.
const (
	Up      Outage = iota // answer normally
	Fail500               // answer 500
	Hang                  // never answer; the request ends when the client gives up or the test ends
)

// Config chooses how New starts the issuer.
type Config struct {
	// TLS serves https with httptest's self-signed certificate (Client,
	// CertificatePEM and Thumbprint then matter); otherwise plain http on
	// 127.0.0.1, which inkan accepts only with insecure loopback allowed.
	TLS bool
	// Path is appended to the server URL to form the issuer, e.g. "/tenant".
	Path string
	// Alg is the algorithm of the first signing key; default RS256.
	Alg string
}

// Issuer is an in-process OIDC issuer. It is safe for concurrent use. Any
// request to a path it does not serve fails the test.
type Issuer struct {
	t       testing.TB
	srv     *httptest.Server
	url     string
	closing chan struct{}

	mu           sync.Mutex
	published    []*Key
	signing      *Key
	outage       [2]Outage
	requests     [2]int
	cacheControl string
	discovery    map[string]any // overrides; nil values remove members
	rawJWKS      []byte
}

// New starts an issuer with one published signing key (kid "key-1") and
// stops it when the test ends.
func New(t testing.TB, c Config) *Issuer {
	t.Helper()
	i := &Issuer{t: t, closing: make(chan struct{}), discovery: map[string]any{}}
	if c.TLS {
		i.srv = httptest.NewTLSServer(http.HandlerFunc(i.serve))
	} else {
		i.srv = httptest.NewServer(http.HandlerFunc(i.serve))
	}
	t.Cleanup(i.srv.Close)
	t.Cleanup(func() { close(i.closing) }) // runs first: releases hanging handlers
	i.url = i.srv.URL + c.Path
	if c.Alg == "" {
		c.Alg = "RS256"
	}
	k, err := NewKey(c.Alg, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	i.published, i.signing = []*Key{k}, k
	return i
}

// URL is the issuer identifier: the iss of its tokens.
func (i *Issuer) URL() string { return i.url }

// JWKSURL is where the key set is served.
func (i *Issuer) JWKSURL() string { return i.url + "/.well-known/jwks" }

// Client returns an HTTP client that trusts the issuer's certificate.
func (i *Issuer) Client() *http.Client { return i.srv.Client() }

// CertificatePEM is the server certificate in PEM (for a CA bundle).
func (i *Issuer) CertificatePEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.srv.Certificate().Raw})
}

// Thumbprint is the hex SHA-1 of the server certificate, as IAM expects.
func (i *Issuer) Thumbprint() string {
	sum := sha1.Sum(i.srv.Certificate().Raw)
	return hex.EncodeToString(sum[:])
}

// Certificate is the server certificate (nil without TLS).
func (i *Issuer) Certificate() *x509.Certificate { return i.srv.Certificate() }

// SigningKey is the key Sign uses.
func (i *Issuer) SigningKey() *Key {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.signing
}

// Publish adds k to the JWKS (it does not change the signing key).
func (i *Issuer) Publish(k *Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.published = append(i.published, k)
}

// Unpublish removes every key with this kid from the JWKS.
func (i *Issuer) Unpublish(kid string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	kept := i.published[:0]
	for _, k := range i.published {
		if k.ID != kid {
			kept = append(kept, k)
		}
	}
	i.published = kept
}

// Rotate generates a key for alg under kid, publishes it, makes it the
// signing key and unpublishes the previous signing key, as an IdP that
// rotates abruptly would. It returns the new key.
func (i *Issuer) Rotate(alg, kid string) *Key {
	k, err := NewKey(alg, kid)
	if err != nil {
		i.t.Fatal(err)
	}
	old := i.SigningKey()
	i.Publish(k)
	i.Unpublish(old.ID)
	i.mu.Lock()
	i.signing = k
	i.mu.Unlock()
	return k
}

// Sign returns a token with these claims signed by the signing key.
func (i *Issuer) Sign(claims any) string { return i.SigningKey().Sign(claims, nil) }

// Claims returns a minimal valid claim set for aud, issued at now and valid
// for five minutes.
func (i *Issuer) Claims(aud string, now time.Time) map[string]any {
	return map[string]any{
		"iss": i.url, "sub": "subject-1", "aud": aud,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
}

// SetOutage makes e misbehave (or recover, with Up).
func (i *Issuer) SetOutage(e Endpoint, o Outage) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.outage[e] = o
}

// Requests is how many requests e has received, outages included.
func (i *Issuer) Requests(e Endpoint) int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.requests[e]
}

// SetCacheControl sets the Cache-Control header of both endpoints ("" for
// none, the default).
func (i *Issuer) SetCacheControl(v string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.cacheControl = v
}

// SetDiscoveryField overrides a member of the discovery document; a nil
// value removes it.
func (i *Issuer) SetDiscoveryField(name string, v any) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.discovery[name] = v
}

// SetRawJWKS serves body verbatim as the JWKS; nil restores the published
// keys.
func (i *Issuer) SetRawJWKS(body []byte) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rawJWKS = body
}

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	var e Endpoint
	switch r.URL.Path {
	case i.path() + "/.well-known/openid-configuration":
		e = Discovery
	case i.path() + "/.well-known/jwks":
		e = JWKS
	default:
		i.t.Errorf("oidctest: unexpected request %s %s", r.Method, r.URL)
		http.NotFound(w, r)
		return
	}
	i.mu.Lock()
	i.requests[e]++
	outage, cc := i.outage[e], i.cacheControl
	var body []byte
	if e == Discovery {
		body = i.discoveryDoc()
	} else {
		body = i.jwks()
	}
	i.mu.Unlock()
	switch outage {
	case Fail500:
		http.Error(w, "oidctest: outage", http.StatusInternalServerError)
		return
	case Hang:
		select {
		case <-r.Context().Done():
		case <-i.closing:
		}
		return
	}
	if cc != "" {
		w.Header().Set("Cache-Control", cc)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

func (i *Issuer) path() string { return i.url[len(i.srv.URL):] }

// discoveryDoc builds the configuration; callers hold mu. It carries the
// members AWS is reported to require (reference §2 item 3).
func (i *Issuer) discoveryDoc() []byte {
	algs := []string{}
	for _, k := range i.published {
		algs = append(algs, k.Alg)
	}
	doc := map[string]any{
		"issuer":                                i.url,
		"jwks_uri":                              i.JWKSURL(),
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": algs,
		"scopes_supported":                      []string{"openid"},
	}
	for name, v := range i.discovery {
		if v == nil {
			delete(doc, name)
		} else {
			doc[name] = v
		}
	}
	return mustJSON(doc)
}

// jwks builds the key set; callers hold mu.
func (i *Issuer) jwks() []byte {
	if i.rawJWKS != nil {
		return i.rawJWKS
	}
	keys := make([]json.RawMessage, len(i.published))
	for n, k := range i.published {
		keys[n] = k.JWK()
	}
	return mustJSON(map[string]any{"keys": keys})
}
