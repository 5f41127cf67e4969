package oidc

import (
	"context"
	"sync"
)

// Verifier verifies web identity tokens against registered providers. It
// keeps one key cache per provider URL. It is safe for concurrent use.
type Verifier struct {
	o       Options
	headers headerCache

	mu      sync.RWMutex
	issuers map[string]*issuerCache
}

// NewVerifier returns a Verifier with o's zero fields set to their defaults.
// It starts nothing: keys are fetched on first use.
func NewVerifier(o Options) *Verifier {
	return &Verifier{o: o.withDefaults(), issuers: make(map[string]*issuerCache)}
}

// Verify checks raw as STS's AssumeRoleWithWebIdentity would (reference §2)
// against p, which the caller chose, normally by Issuer(raw): compact JWS
// syntax, an accepted algorithm, iss equal to p.URL byte for byte, a
// signature by a key from p's JWKS, sub, the audience rule of checkAudience,
// and exp, nbf and iat with the leeway. Keys are fetched over the network
// only when the cache rules require it (see issuerCache), and only for a
// token whose iss is p.URL; ctx bounds the wait for them.
//
// Every error is an *Error; match it with errors.Is against the Kind
// constants. p is validated (Provider.Validate) the first time its URL and TLS
// settings are seen; a change to Thumbprints or CABundle starts a fresh cache.
func (v *Verifier) Verify(ctx context.Context, raw string, p *Provider) (*Token, error) {
	t, err := parseJWS(raw, &v.headers)
	if err != nil {
		return nil, err
	}
	return v.verifyParsed(ctx, t, p)
}

// VerifyWith is Verify for a caller that chooses the provider by iss: it
// parses raw once, passes its unverified iss ("" when absent or not a string)
// to lookup, and verifies raw against the provider lookup returns. An error
// from lookup (such as "no provider for this issuer") is returned unchanged.
// It saves the second parse that Issuer followed by Verify costs.
func (v *Verifier) VerifyWith(ctx context.Context, raw string, lookup func(iss string) (*Provider, error)) (*Token, error) {
	t, err := parseJWS(raw, &v.headers)
	if err != nil {
		return nil, err
	}
	iss, _ := t.claims["iss"].(string)
	p, err := lookup(iss)
	if err != nil {
		return nil, err
	}
	return v.verifyParsed(ctx, t, p)
}

func (v *Verifier) verifyParsed(ctx context.Context, t *jws, p *Provider) (*Token, error) {
	if p == nil {
		return nil, fail(ErrProvider, "no provider")
	}
	if iss, _ := t.claims["iss"].(string); iss != p.URL {
		return nil, fail(ErrIssuer, "iss %s is not the provider URL %q", excerpt(iss), p.URL)
	}
	c, err := v.cacheFor(p)
	if err != nil {
		return nil, err
	}
	keys, err := c.keysFor(ctx, t.header)
	if err != nil {
		return nil, err
	}
	if !verifiedByAny(t, keys) {
		return nil, fail(ErrSignature, "signature does not verify with %s", describeKey(t.header))
	}
	return checkClaims(t.claims, p, v.o.Now(), v.o.Leeway)
}

func verifiedByAny(t *jws, keys []*publicKey) bool {
	for _, k := range keys {
		if t.header.alg.verify(k.key, t.signingInput, t.signature) {
			return true
		}
	}
	return false
}

// Forget drops the cached keys and discovery document of the provider with
// this URL, if any; the next Verify for it starts afresh. Call it when a
// provider is deleted. Fetches in flight finish harmlessly.
func (v *Verifier) Forget(providerURL string) {
	v.mu.Lock()
	delete(v.issuers, providerURL)
	v.mu.Unlock()
}

// cacheFor returns the cache for p, creating it (after validating p) when
// none exists for p's URL and TLS settings.
func (v *Verifier) cacheFor(p *Provider) (*issuerCache, error) {
	v.mu.RLock()
	c := v.issuers[p.URL]
	v.mu.RUnlock()
	if c != nil && c.serves(p) {
		return c, nil
	}
	if err := p.Validate(v.o.InsecureAllowHTTPLoopback); err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if c = v.issuers[p.URL]; c == nil || !c.serves(p) {
		c = newIssuerCache(p, &v.o)
		v.issuers[p.URL] = c
	}
	return c, nil
}
