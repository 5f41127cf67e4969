package oidc_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// hostileCase is one token that must be refused with kind.
type hostileCase struct {
	name  string
	token string
	kind  oidc.Kind
}

// TestHostileTokensAreRefusedWithTheRightKind runs the acceptance corpus of
// issue 3 against a warm verifier, and checks that no error text repeats the
// token or its signature.
func TestHostileTokensAreRefusedWithTheRightKind(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.mustVerify(t, e.token()) // warm the cache; refetches below are then rate-limited
	cases := hostileCorpus(t, e)
	jwksBefore := e.iss.Requests(oidctest.JWKS)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := e.verify(c.token)
			wantKind(t, err, c.kind)
			if sig := c.token[strings.LastIndexByte(c.token, '.')+1:]; len(sig) > 8 && strings.Contains(err.Error(), sig) {
				t.Errorf("error text contains the signature: %v", err)
			}
			if len(c.token) > 8 && strings.Contains(err.Error(), c.token) {
				t.Errorf("error text contains the token: %v", err)
			}
		})
	}
	if n := e.iss.Requests(oidctest.JWKS) - jwksBefore; n > 0 {
		t.Errorf("the corpus caused %d JWKS refetches within one refresh interval, want 0", n)
	}
}

func hostileCorpus(t *testing.T, e *env) []hostileCase {
	key := e.iss.SigningKey()
	claims := mustJSON(t, e.claims())
	var cs []hostileCase
	add := func(name, token string, k oidc.Kind) { cs = append(cs, hostileCase{name, token, k}) }

	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		add("alg "+alg+" with an empty signature is refused",
			oidctest.SignRaw("none", nil, []byte(`{"alg":"`+alg+`","typ":"JWT"}`), claims), oidc.ErrAlgorithm)
	}
	add("alg none with a real signature appended is refused",
		oidctest.SignRaw("none", nil, []byte(`{"alg":"none"}`), claims)+"c2lnbmF0dXJl", oidc.ErrAlgorithm)
	for name, secret := range hmacSecrets(t, key.Private.Public().(*rsa.PublicKey)) {
		add("HS256 keyed with the issuer's public key as "+name+" is refused",
			oidctest.SignRaw("HS256", secret, []byte(`{"alg":"HS256","kid":"key-1","typ":"JWT"}`), claims), oidc.ErrAlgorithm)
	}
	add("HS384 and HS512 are refused too",
		oidctest.SignRaw("HS512", []byte("secret"), []byte(`{"alg":"HS512"}`), claims), oidc.ErrAlgorithm)

	stranger := newKey(t, "RS256", "key-1")
	add("a valid signature by a key outside the JWKS under a published kid is refused",
		stranger.Sign(e.claims(), nil), oidc.ErrSignature)
	stranger2 := newKey(t, "RS256", "stranger")
	add("a valid signature by a key outside the JWKS under an unknown kid is refused",
		stranger2.Sign(e.claims(), nil), oidc.ErrSignature)
	cs = append(cs, keyHeaderAttacks(t, e, stranger2)...)

	for _, kid := range []string{"../../../../etc/passwd", `key-1" OR "1"="1`, "key-1'", `key-1\`, "key-1\x00", "%2e%2e%2f", strings.Repeat("k", 5000)} {
		add(fmt.Sprintf("kid %.20q signed by a stranger is refused", kid),
			stranger2.Sign(e.claims(), map[string]any{"kid": kid}), oidc.ErrSignature)
	}

	cs = append(cs, claimAttacks(t, e)...)
	cs = append(cs, encodingAttacks(t, e)...)
	return cs
}

// keyHeaderAttacks put the attacker's key in the token, which must never be
// consulted.
func keyHeaderAttacks(t *testing.T, e *env, attacker *oidctest.Key) []hostileCase {
	var fetched atomic.Int32
	trap := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetched.Add(1)
		w.Write(mustJSON(t, map[string]any{"keys": []json.RawMessage{attacker.JWK()}}))
	}))
	t.Cleanup(func() {
		trap.Close()
		if n := fetched.Load(); n > 0 {
			t.Errorf("the verifier fetched the attacker's jku %d times", n)
		}
	})
	var jwk map[string]any
	if err := json.Unmarshal(attacker.JWK(), &jwk); err != nil {
		t.Fatal(err)
	}
	cert := selfSigned(t, attacker)
	var cs []hostileCase
	for _, kid := range []any{"stranger", "key-1", nil} {
		for name, hdr := range map[string]map[string]any{
			"jwk": {"jwk": jwk, "kid": kid},
			"jku": {"jku": trap.URL, "kid": kid},
			"x5u": {"x5u": trap.URL, "kid": kid},
			"x5c": {"x5c": []string{base64.StdEncoding.EncodeToString(cert)}, "kid": kid},
		} {
			cs = append(cs, hostileCase{
				fmt.Sprintf("the attacker's key in %s with kid %v is not used", name, kid),
				attacker.Sign(e.claims(), hdr), oidc.ErrSignature})
		}
	}
	return cs
}

func claimAttacks(t *testing.T, e *env) []hostileCase {
	now := e.clock.Now()
	with := func(name string, v any) string {
		c := e.claims()
		if v == nil {
			delete(c, name)
		} else {
			c[name] = v
		}
		return e.iss.Sign(c)
	}
	raw := func(json string) string {
		return e.iss.SigningKey().SignRaw([]byte(`{"alg":"RS256","kid":"key-1"}`), []byte(json))
	}
	base := fmt.Sprintf(`"iss":%q,"sub":"s","aud":%q`, e.iss.URL(), clientID)
	exp := now.Add(time.Minute).Unix()
	return []hostileCase{
		{"a wrong iss with a valid signature is refused", with("iss", "https://evil.example"), oidc.ErrIssuer},
		{"iss with a trailing slash is refused", with("iss", e.iss.URL()+"/"), oidc.ErrIssuer},
		{"iss with an upper-case scheme is refused", with("iss", strings.ToUpper(e.iss.URL()[:4])+e.iss.URL()[4:]), oidc.ErrIssuer},
		{"a missing iss is refused", with("iss", nil), oidc.ErrIssuer},
		{"iss as an array is refused", with("iss", []string{e.iss.URL()}), oidc.ErrIssuer},
		{"a missing aud is refused", with("aud", nil), oidc.ErrAudience},
		{"a wrong aud is refused", with("aud", "https://github.com/octo-org"), oidc.ErrAudience},
		{"an aud array without a client ID is refused", with("aud", []string{"a", "b"}), oidc.ErrAudience},
		{"an empty aud array is refused", with("aud", []string{}), oidc.ErrAudience},
		{"an aud differing only in case is refused", with("aud", strings.ToUpper(clientID)), oidc.ErrAudience},
		{"exp beyond the leeway is refused", with("exp", now.Add(-5*time.Minute-time.Second).Unix()), oidc.ErrExpired},
		{"nbf an hour ahead is refused", with("nbf", now.Add(time.Hour).Unix()), oidc.ErrNotYetValid},
		{"iat an hour ahead is refused", with("iat", now.Add(time.Hour).Unix()), oidc.ErrNotYetValid},
		{"a missing exp is refused", with("exp", nil), oidc.ErrInvalid},
		{"exp as a float is refused", raw(fmt.Sprintf(`{%s,"exp":%d.0}`, base, exp)), oidc.ErrInvalid},
		{"exp in exponent form is refused", raw(fmt.Sprintf(`{%s,"exp":%de0}`, base, exp)), oidc.ErrInvalid},
		{"exp as a string is refused", with("exp", fmt.Sprint(exp)), oidc.ErrInvalid},
		{"exp beyond year 9999 is refused", raw(fmt.Sprintf(`{%s,"exp":99999999999999}`, base)), oidc.ErrInvalid},
		{"nbf as a float is refused", raw(fmt.Sprintf(`{%s,"exp":%d,"nbf":1.5}`, base, exp)), oidc.ErrInvalid},
		{"a missing sub is refused", with("sub", nil), oidc.ErrInvalid},
		{"duplicate sub claims are refused", raw(fmt.Sprintf(`{%s,"exp":%d,"sub":"other"}`, base, exp)), oidc.ErrNotJWT},
		{"duplicate claims hidden by an escape are refused", raw(fmt.Sprintf(`{%s,"exp":%d,"s\u0075b":"other"}`, base, exp)), oidc.ErrNotJWT},
		{"duplicate members in a nested claim are refused", raw(fmt.Sprintf(`{%s,"exp":%d,"x":{"a":1,"a":2}}`, base, exp)), oidc.ErrNotJWT},
		{"a token for this issuer signed by another issuer's key is refused", otherIssuerToken(t, e), oidc.ErrSignature},
	}
}

// otherIssuerToken is a token claiming e's issuer but signed by a second
// issuer's key, published there under the same kid.
func otherIssuerToken(t *testing.T, e *env) string {
	b := oidctest.New(t, oidctest.Config{})
	return b.Sign(e.claims())
}

func encodingAttacks(t *testing.T, e *env) []hostileCase {
	good := e.token()
	h, rest, _ := strings.Cut(good, ".")
	c, s, _ := strings.Cut(rest, ".")
	key := e.iss.SigningKey()
	claims := mustJSON(t, e.claims())
	return []hostileCase{
		{"a 20,001-character token with a valid signature is refused", tokenOfLength(t, e, oidc.MaxTokenLength+1), oidc.ErrTooLong},
		{"a signature truncated to invalid base64 is refused", good[:len(good)-1], oidc.ErrNotJWT},
		{"a signature shortened by three bytes is refused", h + "." + c + "." + shortened(t, s), oidc.ErrSignature},
		{"a truncated claims segment is refused", h + "." + c[:len(c)-1] + "." + s, oidc.ErrNotJWT},
		{"a token cut after the claims is refused", h + "." + c, oidc.ErrNotJWT},
		{"non-canonical trailing bits in the signature are refused", h + "." + c + "." + nonCanonical(t, s), oidc.ErrNotJWT},
		{"non-canonical trailing bits in the claims are refused", h + "." + nonCanonical(t, c) + "." + s, oidc.ErrNotJWT},
		{"padded base64 is refused", good + "==", oidc.ErrNotJWT},
		{"standard-alphabet base64 is refused", h + "." + c + "." + strings.NewReplacer("-", "+", "_", "/").Replace(s) + "+/", oidc.ErrNotJWT},
		{"a line break inside a segment is refused", h + "." + c[:10] + "\n" + c[10:] + "." + s, oidc.ErrNotJWT},
		{"surrounding whitespace is refused", " " + good, oidc.ErrNotJWT},
		{"duplicate alg in the header is refused", key.SignRaw([]byte(`{"alg":"RS256","kid":"key-1","alg":"RS256"}`), claims), oidc.ErrNotJWT},
		{"duplicate kid in the header is refused", key.SignRaw([]byte(`{"alg":"RS256","kid":"key-1","kid":"other"}`), claims), oidc.ErrNotJWT},
		{"a compact JWE is refused", h + ".ZW5jcnlwdGVka2V5.aXY." + c + ".dGFn", oidc.ErrNotJWT},
		{"a JWS header announcing enc is refused", key.SignRaw([]byte(`{"alg":"RS256","enc":"A128GCM","kid":"key-1"}`), claims), oidc.ErrNotJWT},
		{"the JWS JSON serialization is refused", fmt.Sprintf(`{"payload":%q,"protected":%q,"signature":%q}`, c, h, s), oidc.ErrNotJWT},
		{"a header that is not JSON is refused", oidctest.Segment([]byte("RS256")) + "." + c + "." + s, oidc.ErrNotJWT},
		{"claims that are a JSON array are refused", key.SignRaw([]byte(`{"alg":"RS256","kid":"key-1"}`), []byte(`["a"]`)), oidc.ErrNotJWT},
		{"claims with invalid UTF-8 are refused", key.SignRaw([]byte(`{"alg":"RS256","kid":"key-1"}`), []byte("{\"sub\":\"\xff\"}")), oidc.ErrNotJWT},
		{"an unknown crit extension is refused", key.SignRaw([]byte(`{"alg":"RS256","kid":"key-1","crit":["exp"],"exp":1}`), claims), oidc.ErrInvalid},
		{"an unencoded-payload b64 header is refused", key.SignRaw([]byte(`{"alg":"RS256","kid":"key-1","b64":false,"crit":["b64"]}`), claims), oidc.ErrInvalid},
		{"a nested JWT is refused", key.SignRaw([]byte(`{"alg":"RS256","kid":"key-1","cty":"JWT"}`), claims), oidc.ErrInvalid},
		{"a kid that is not a string is refused", key.SignRaw([]byte(`{"alg":"RS256","kid":1}`), claims), oidc.ErrInvalid},
		{"an ES256 header on an RSA signature is refused", oidctest.SignRaw("RS256", key.Private, []byte(`{"alg":"ES256","kid":"key-1"}`), claims), oidc.ErrSignature},
		{"a PS256 signature under an RS256 header is refused", oidctest.SignRaw("PS256", key.Private, []byte(`{"alg":"RS256","kid":"key-1"}`), claims), oidc.ErrSignature},
		{"an empty token is refused", "", oidc.ErrNotJWT},
		{"two dots alone are refused", "..", oidc.ErrNotJWT},
	}
}

// shortened drops the last three bytes of a base64url segment, keeping the
// encoding canonical.
func shortened(t *testing.T, seg string) string {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:len(b)-3])
}

// nonCanonical flips unused low bits of a segment's last character, which
// lenient decoders ignore.
func nonCanonical(t *testing.T, seg string) string {
	t.Helper()
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	v := strings.IndexByte(alphabet, seg[len(seg)-1])
	if len(seg)%4 == 0 {
		t.Fatalf("segment length %d has no unused bits", len(seg))
	}
	v |= 0x1 // the lowest bit is unused when the length is 2 or 3 mod 4
	return seg[:len(seg)-1] + alphabet[v:v+1]
}

// hmacSecrets are the encodings of the issuer's public key an attacker would
// try as an HMAC secret.
func hmacSecrets(t *testing.T, pub *rsa.PublicKey) map[string][]byte {
	pkix, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PublicKey(pub)
	return map[string][]byte{
		"PKIX PEM":  pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}),
		"PKCS1 PEM": pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: pkcs1}),
		"PKIX DER":  pkix,
		"PKCS1 DER": pkcs1,
	}
}

// selfSigned returns a DER certificate for the attacker's key.
func selfSigned(t *testing.T, k *oidctest.Key) []byte {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "attacker"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Private.Public(), k.Private)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func newKey(t testing.TB, alg, kid string) *oidctest.Key {
	t.Helper()
	k, err := oidctest.NewKey(alg, kid)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// tokenOfLength returns a validly signed token of exactly n bytes, padding a
// claim and, when base64 lengths cannot reach n, lengthening the kid (under
// which the key is also published).
func tokenOfLength(t *testing.T, e *env, n int) string {
	t.Helper()
	for extra := 0; extra < 4; extra++ {
		k := e.iss.SigningKey()
		kid := k.ID + strings.Repeat("x", extra)
		key := &oidctest.Key{ID: kid, Alg: k.Alg, Private: k.Private}
		if extra > 0 {
			e.iss.Publish(key)
		}
		c := e.claims()
		for pad := (n * 3 / 4) - 700; pad < n*3/4; pad++ {
			c["pad"] = strings.Repeat("p", pad)
			if tok := key.Sign(c, nil); len(tok) == n {
				return tok
			} else if len(tok) > n {
				break
			}
		}
	}
	t.Fatalf("could not build a token of %d bytes", n)
	return ""
}
