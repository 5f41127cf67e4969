package oidc

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/json"
	"fmt"
	"math/big"
	"slices"

	jose "github.com/go-jose/go-jose/v4"
)

// RSA key sizes accepted in a JWKS. The floor is RFC 7518 §3.3's; the ceiling
// stops a hostile or broken JWKS from making every verification slow.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// publicKey is one usable verification key from a JWKS.
type publicKey struct {
	kid string
	alg string // the JWK's alg, "" when it names none
	key crypto.PublicKey
}

// keySet is an immutable snapshot of an issuer's usable keys.
type keySet struct {
	keys  []publicKey
	all   []*publicKey            // pointers to keys, in JWKS order
	byKid map[string][]*publicKey // the same, grouped by kid
	// skipped explains each JWK that was ignored, for logs.
	skipped []string
}

// parseJWKS parses a JWK Set (RFC 7517 §5). Keys inkan cannot or must not use
// are skipped, each with a reason: use other than "sig", key_ops without
// "verify", private or symmetric material, unsupported kty or curve, RSA
// outside [2048, 8192] bits. The set itself must be well-formed JSON with a
// keys array; a set with no usable key is an error, since it could verify
// nothing.
func parseJWKS(body []byte) (*keySet, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	ks := &keySet{}
	for i, raw := range doc.Keys {
		k, err := parseJWK(raw)
		if err != nil {
			ks.skipped = append(ks.skipped, fmt.Sprintf("key %d: %v", i, err))
			continue
		}
		ks.keys = append(ks.keys, k)
	}
	if len(ks.keys) == 0 {
		return nil, fmt.Errorf("jwks: no usable signing key among %d (%v)", len(doc.Keys), ks.skipped)
	}
	ks.byKid = make(map[string][]*publicKey, len(ks.keys))
	for i := range ks.keys {
		k := &ks.keys[i]
		ks.all = append(ks.all, k)
		ks.byKid[k.kid] = append(ks.byKid[k.kid], k)
	}
	return ks, nil
}

// parseJWK decodes one key with go-jose (which checks EC points lie on their
// curve and x5c chains match the key) and applies inkan's rules on top.
func parseJWK(raw json.RawMessage) (publicKey, error) {
	var meta struct {
		Use    *string  `json:"use"`
		KeyOps []string `json:"key_ops"`
	}
	if err := json.Unmarshal(raw, &meta); err != nil {
		return publicKey{}, err
	}
	if meta.Use != nil && *meta.Use != "sig" {
		return publicKey{}, fmt.Errorf("use %q is not sig", *meta.Use)
	}
	if meta.KeyOps != nil && !slices.Contains(meta.KeyOps, "verify") {
		return publicKey{}, fmt.Errorf("key_ops lacks verify")
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(raw); err != nil {
		return publicKey{}, err
	}
	if !jwk.IsPublic() {
		return publicKey{}, fmt.Errorf("kid %s: private or symmetric key material is never used", excerpt(jwk.KeyID))
	}
	if err := checkKey(jwk.Key); err != nil {
		return publicKey{}, fmt.Errorf("kid %s: %w", excerpt(jwk.KeyID), err)
	}
	return publicKey{kid: jwk.KeyID, alg: jwk.Algorithm, key: jwk.Key}, nil
}

func checkKey(k crypto.PublicKey) error {
	switch k := k.(type) {
	case *rsa.PublicKey:
		if n := k.N.BitLen(); n < minRSABits || n > maxRSABits {
			return fmt.Errorf("RSA key of %d bits is outside [%d, %d]", n, minRSABits, maxRSABits)
		}
		return nil
	case *ecdsa.PublicKey, ed25519.PublicKey:
		return nil
	}
	return fmt.Errorf("unsupported key type %T", k)
}

// fits reports whether k can verify a signature made with a: the key type
// and curve match the algorithm, and the JWK's own alg, if any, is a.
func (k *publicKey) fits(a *algorithm) bool {
	if k.alg != "" && k.alg != a.name {
		return false
	}
	switch key := k.key.(type) {
	case *rsa.PublicKey:
		return a.family == familyRSA || a.family == familyPSS
	case *ecdsa.PublicKey:
		return a.family == familyECDSA && key.Curve.Params().Name == a.curve
	case ed25519.PublicKey:
		return a.family == familyEdDSA
	}
	return false
}

// candidates returns the keys that may verify a token with header h. With a
// kid, those whose kid equals it exactly and fit the algorithm (normally one;
// a rotating IdP may briefly publish the same kid for two algorithms).
// Without a kid, every fitting key; the caller accepts only exactly one. The
// result may be shared with ks: callers must not modify it.
func (ks *keySet) candidates(h header) []*publicKey {
	pool := ks.all
	if h.hasKid {
		pool = ks.byKid[h.kid]
	}
	fitting := 0
	for _, k := range pool {
		if k.fits(h.alg) {
			fitting++
		}
	}
	if fitting == len(pool) {
		return pool // the common case: no allocation
	}
	out := make([]*publicKey, 0, fitting)
	for _, k := range pool {
		if k.fits(h.alg) {
			out = append(out, k)
		}
	}
	return out
}

// verify reports whether sig is a valid signature of input by key under a.
// All cryptography is the standard library's.
func (a *algorithm) verify(key crypto.PublicKey, input string, sig []byte) bool {
	switch a.family {
	case familyRSA:
		pub, ok := key.(*rsa.PublicKey)
		return ok && rsa.VerifyPKCS1v15(pub, a.hash, digest(a.hash, input), sig) == nil
	case familyPSS:
		pub, ok := key.(*rsa.PublicKey)
		opts := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: a.hash}
		return ok && rsa.VerifyPSS(pub, a.hash, digest(a.hash, input), sig, opts) == nil
	case familyECDSA:
		pub, ok := key.(*ecdsa.PublicKey)
		return ok && verifyECDSA(pub, digest(a.hash, input), sig)
	case familyEdDSA:
		pub, ok := key.(ed25519.PublicKey)
		return ok && len(sig) == ed25519.SignatureSize && ed25519.Verify(pub, []byte(input), sig)
	}
	return false
}

// verifyECDSA checks a JWS ECDSA signature: R and S as big-endian integers,
// each exactly the curve's byte size (RFC 7518 §3.4), so no other encoding of
// the same signature is accepted.
func verifyECDSA(pub *ecdsa.PublicKey, hashed, sig []byte) bool {
	size := (pub.Curve.Params().BitSize + 7) / 8
	if len(sig) != 2*size {
		return false
	}
	r := new(big.Int).SetBytes(sig[:size])
	s := new(big.Int).SetBytes(sig[size:])
	return ecdsa.Verify(pub, hashed, r, s)
}

// digest hashes the signing input.
func digest(h crypto.Hash, input string) []byte {
	switch h {
	case crypto.SHA256:
		d := sha256.Sum256(bytesOf(input))
		return d[:]
	case crypto.SHA384:
		d := sha512.Sum384(bytesOf(input))
		return d[:]
	default:
		d := sha512.Sum512(bytesOf(input))
		return d[:]
	}
}
