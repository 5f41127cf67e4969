package oidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func jwkJSON(t testing.TB, k jose.JSONWebKey, extra map[string]any) string {
	t.Helper()
	b, err := k.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for name, v := range extra {
		m[name] = v
	}
	b, _ = json.Marshal(m)
	return string(b)
}

func TestParseJWKSSkipsKeysInkanMustNotUse(t *testing.T) {
	rsa2048, _ := rsa.GenerateKey(rand.Reader, 2048)
	rsa1024, _ := rsa.GenerateKey(rand.Reader, 1024)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	good := jose.JSONWebKey{Key: &rsa2048.PublicKey, KeyID: "good", Use: "sig"}
	keys := []string{
		jwkJSON(t, good, nil),
		jwkJSON(t, jose.JSONWebKey{Key: &rsa2048.PublicKey, KeyID: "enc", Use: "enc"}, nil),
		jwkJSON(t, jose.JSONWebKey{Key: &rsa2048.PublicKey, KeyID: "ops"}, map[string]any{"key_ops": []string{"encrypt"}}),
		jwkJSON(t, jose.JSONWebKey{Key: &rsa1024.PublicKey, KeyID: "small"}, nil),
		jwkJSON(t, jose.JSONWebKey{Key: rsa2048, KeyID: "private"}, nil),
		jwkJSON(t, jose.JSONWebKey{Key: []byte("secret"), KeyID: "oct"}, nil),
		`{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA","kid":"off-curve"}`,
		`{"kty":"XYZ","kid":"unknown-kty"}`,
		`"not an object"`,
		jwkJSON(t, jose.JSONWebKey{Key: &p256.PublicKey, KeyID: "ec", Algorithm: "ES256"}, map[string]any{"key_ops": []string{"verify"}}),
	}
	ks, err := parseJWKS([]byte(`{"keys":[` + strings.Join(keys, ",") + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range ks.keys {
		kids = append(kids, k.kid)
	}
	if strings.Join(kids, ",") != "good,ec" {
		t.Errorf("usable keys %v, want good and ec", kids)
	}
	if len(ks.skipped) != len(keys)-2 {
		t.Errorf("skipped %d keys, want %d: %v", len(ks.skipped), len(keys)-2, ks.skipped)
	}
	for _, s := range ks.skipped {
		if strings.Contains(s, "secret") || strings.Contains(s, "c2VjcmV0") {
			t.Errorf("a skip reason shows key material: %s", s)
		}
	}
}

func TestKeysFitOnlyTheirAlgorithmFamilyAndCurve(t *testing.T) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	alg := func(name string) *algorithm { a, _ := lookupAlgorithm(name); return a }
	for _, c := range []struct {
		key  publicKey
		alg  string
		fits bool
	}{
		{publicKey{key: &rsaKey.PublicKey}, "RS256", true},
		{publicKey{key: &rsaKey.PublicKey}, "PS512", true},
		{publicKey{key: &rsaKey.PublicKey}, "ES256", false},
		{publicKey{key: &rsaKey.PublicKey, alg: "RS256"}, "PS256", false},
		{publicKey{key: &p384.PublicKey}, "ES384", true},
		{publicKey{key: &p384.PublicKey}, "ES256", false},
		{publicKey{key: &p384.PublicKey}, "EdDSA", false},
	} {
		if got := c.key.fits(alg(c.alg)); got != c.fits {
			t.Errorf("%T (alg %q) fits %s = %v, want %v", c.key.key, c.key.alg, c.alg, got, c.fits)
		}
	}
}

func TestAJWKSWithoutUsableKeysIsAnError(t *testing.T) {
	for _, body := range []string{`{"keys":[]}`, `{}`, `{"keys":{}}`, `[]`, `not json`} {
		if _, err := parseJWKS([]byte(body)); err == nil {
			t.Errorf("parseJWKS(%s) succeeded", body)
		}
	}
}

// FuzzParseJWKS checks that no key set makes the parser panic and that every
// key it keeps is public and of an accepted type and size.
func FuzzParseJWKS(f *testing.F) {
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	f.Add([]byte(`{"keys":[` + jwkJSON(f, jose.JSONWebKey{Key: &rsaKey.PublicKey, KeyID: "k"}, nil) + `]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ks, err := parseJWKS(body)
		if err != nil {
			return
		}
		for _, k := range ks.keys {
			if err := checkKey(k.key); err != nil {
				t.Fatalf("kept an unacceptable key: %v", err)
			}
		}
	})
}
