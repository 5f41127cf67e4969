package oidctest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	_ "crypto/sha256" // registers SHA-256 for crypto.Hash.New
	_ "crypto/sha512" // registers SHA-384 and SHA-512
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// Key is a signing key with the kid and alg it is published under.
type Key struct {
	ID  string
	Alg string
	// Private is *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey.
	Private crypto.Signer
}

// NewKey generates a key for alg (RS*, PS*: RSA-2048; ES256/384/512:
// P-256/384/521; EdDSA: Ed25519) published as kid.
func NewKey(alg, kid string) (*Key, error) {
	var priv crypto.Signer
	var err error
	switch {
	case strings.HasPrefix(alg, "RS"), strings.HasPrefix(alg, "PS"):
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case alg == "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case alg == "ES384":
		priv, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	case alg == "ES512":
		priv, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	case alg == "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("oidctest: no key type for alg %q", alg)
	}
	if err != nil {
		return nil, err
	}
	return &Key{ID: kid, Alg: alg, Private: priv}, nil
}

// JWK returns the public key as a JWK object with kid, alg and use "sig".
func (k *Key) JWK() json.RawMessage {
	b, err := jose.JSONWebKey{Key: k.Private.Public(), KeyID: k.ID, Algorithm: k.Alg, Use: "sig"}.MarshalJSON()
	if err != nil {
		panic("oidctest: marshal JWK: " + err.Error())
	}
	return b
}

// Sign returns a compact JWS of claims with the header {"alg", "kid", "typ":
// "JWT"} merged with extra (extra wins; a nil value in extra removes the
// member).
func (k *Key) Sign(claims any, extra map[string]any) string {
	h := map[string]any{"alg": k.Alg, "kid": k.ID, "typ": "JWT"}
	for name, v := range extra {
		if v == nil {
			delete(h, name)
		} else {
			h[name] = v
		}
	}
	return k.SignRaw(mustJSON(h), mustJSON(claims))
}

// SignRaw signs exactly these header and claims bytes with the key's alg,
// whatever they contain (duplicate members, a different alg...).
func (k *Key) SignRaw(header, claims []byte) string {
	return SignRaw(k.Alg, k.Private, header, claims)
}

// SignRaw signs header and claims bytes under alg with key, which may be a
// private key for RS*, PS*, ES*, EdDSA, or a []byte secret for HS256/384/512.
// alg "none" yields an empty signature. It panics on a mismatch, as test
// setup should.
func SignRaw(alg string, key any, header, claims []byte) string {
	input := Segment(header) + "." + Segment(claims)
	sig, err := signature(alg, key, []byte(input))
	if err != nil {
		panic("oidctest: " + err.Error())
	}
	return input + "." + Segment(sig)
}

// Segment is base64url without padding, as in a compact JWS.
func Segment(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func signature(alg string, key any, input []byte) ([]byte, error) {
	if alg == "none" {
		return nil, nil
	}
	h, err := hashFor(alg)
	if err != nil {
		return nil, err
	}
	var digest []byte
	if h != 0 {
		d := h.New()
		d.Write(input)
		digest = d.Sum(nil)
	}
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if strings.HasPrefix(alg, "PS") {
			return rsa.SignPSS(rand.Reader, k, h, digest, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash})
		}
		return rsa.SignPKCS1v15(nil, k, h, digest)
	case *ecdsa.PrivateKey:
		r, s, err := ecdsa.Sign(rand.Reader, k, digest)
		if err != nil {
			return nil, err
		}
		size := (k.Curve.Params().BitSize + 7) / 8
		out := make([]byte, 2*size)
		r.FillBytes(out[:size])
		s.FillBytes(out[size:])
		return out, nil
	case ed25519.PrivateKey:
		return ed25519.Sign(k, input), nil
	case []byte:
		m := hmac.New(h.New, k)
		m.Write(input)
		return m.Sum(nil), nil
	}
	return nil, fmt.Errorf("cannot sign %s with %T", alg, key)
}

func hashFor(alg string) (crypto.Hash, error) {
	if alg == "EdDSA" {
		return 0, nil
	}
	if len(alg) == 5 {
		switch alg[2:] {
		case "256":
			return crypto.SHA256, nil
		case "384":
			return crypto.SHA384, nil
		case "512":
			return crypto.SHA512, nil
		}
	}
	return 0, fmt.Errorf("unknown alg %q", alg)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("oidctest: marshal: " + err.Error())
	}
	return b
}
