package oidc

import (
	"crypto"
	"encoding/base64"
	"strings"
	"sync"
)

// MaxTokenLength is the longest token accepted, in bytes: the maximum length
// of STS's WebIdentityToken parameter (reference §1.2, §2 item 9).
const MaxTokenLength = 20000

// family is how an algorithm uses its key.
type family int

const (
	familyRSA   family = iota + 1 // RSASSA-PKCS1-v1_5
	familyPSS                     // RSASSA-PSS, salt length = hash length (RFC 7518 §3.5)
	familyECDSA                   // fixed-width R||S (RFC 7518 §3.4)
	familyEdDSA                   // Ed25519 (RFC 8037)
)

// algorithm is one accepted JWS "alg".
type algorithm struct {
	name   string
	family family
	hash   crypto.Hash // zero for EdDSA, which hashes internally
	curve  string      // JWK crv for ECDSA and EdDSA
}

// algorithms is the complete accepted set. "none" and every HS* are absent
// on purpose: the issuer's keys are public, so a MAC keyed with them proves
// nothing (the classic RS256→HS256 confusion). AWS itself accepts RS* and ES*
// (reference §1.2); PS* and EdDSA are accepted for self-hosted IdPs.
var algorithms = [...]algorithm{
	{"RS256", familyRSA, crypto.SHA256, ""},
	{"RS384", familyRSA, crypto.SHA384, ""},
	{"RS512", familyRSA, crypto.SHA512, ""},
	{"PS256", familyPSS, crypto.SHA256, ""},
	{"PS384", familyPSS, crypto.SHA384, ""},
	{"PS512", familyPSS, crypto.SHA512, ""},
	{"ES256", familyECDSA, crypto.SHA256, "P-256"},
	{"ES384", familyECDSA, crypto.SHA384, "P-384"},
	{"ES512", familyECDSA, crypto.SHA512, "P-521"},
	{"EdDSA", familyEdDSA, 0, "Ed25519"},
}

// lookupAlgorithm returns the accepted algorithm named exactly name.
func lookupAlgorithm(name string) (*algorithm, bool) {
	for i := range algorithms {
		if algorithms[i].name == name {
			return &algorithms[i], true
		}
	}
	return nil, false
}

// header is the part of the JOSE header that verification uses.
type header struct {
	alg    *algorithm
	kid    string
	hasKid bool
}

// jws is a strictly parsed compact JWS whose signature is not yet checked.
type jws struct {
	header       header
	claims       map[string]any
	signingInput string // the first two segments with their dot
	signature    []byte
}

// parseJWS splits and decodes a compact JWS (RFC 7515 §7.1) and parses its
// header (through hc when not nil) and claims. It checks syntax and the header
// only; nothing here depends on any issuer.
func parseJWS(raw string, hc *headerCache) (*jws, error) {
	h, c, s, err := splitCompact(raw)
	if err != nil {
		return nil, err
	}
	hdr, err := hc.parse(h)
	if err != nil {
		return nil, err
	}
	claims, err := decodeClaims(c)
	if err != nil {
		return nil, err
	}
	sig, err := decodeSegment(s)
	if err != nil {
		return nil, &Error{Kind: ErrNotJWT, Reason: "signature: " + err.Error()}
	}
	return &jws{header: hdr, claims: claims, signingInput: raw[:len(h)+1+len(c)], signature: sig}, nil
}

// splitCompact returns the three segments of a compact JWS.
func splitCompact(raw string) (h, c, s string, err error) {
	if len(raw) > MaxTokenLength {
		return "", "", "", fail(ErrTooLong, "token is %d bytes, the limit is %d", len(raw), MaxTokenLength)
	}
	if strings.HasPrefix(strings.TrimLeft(raw, " \t\r\n"), "{") {
		return "", "", "", fail(ErrNotJWT, "JWS JSON serialization is not accepted, only the compact form")
	}
	h, rest, ok1 := strings.Cut(raw, ".")
	c, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(s, ".") {
		n := strings.Count(raw, ".") + 1
		if n == 5 {
			return "", "", "", fail(ErrNotJWT, "token has 5 segments: a JWE, which is not accepted")
		}
		return "", "", "", fail(ErrNotJWT, "token has %d segments, a compact JWS has 3", n)
	}
	return h, c, s, nil
}

// strictB64 is unpadded base64url that refuses non-zero trailing bits, so
// every byte string has exactly one accepted encoding.
var strictB64 = base64.RawURLEncoding.Strict()

// decodeSegment decodes one segment. The strict decoder refuses padding,
// bytes outside the base64url alphabet and non-zero trailing bits, but skips
// CR and LF even in strict mode, so those are refused first.
func decodeSegment(seg string) ([]byte, error) {
	// Two IndexByte calls are vectorised; ContainsAny is a byte loop.
	if strings.IndexByte(seg, '\n') >= 0 || strings.IndexByte(seg, '\r') >= 0 {
		return nil, &jsonError{msg: "line break in base64url"}
	}
	b, err := strictB64.DecodeString(seg)
	if err != nil {
		return nil, &jsonError{msg: "not canonical unpadded base64url"}
	}
	return b, nil
}

// decodeObject decodes a base64url segment holding one strict JSON object.
func decodeObject(seg string) (map[string]any, error) {
	b, err := decodeSegment(seg)
	if err != nil {
		return nil, err
	}
	return parseJSONObject(stringOf(b))
}

// decodeClaims decodes the payload segment.
func decodeClaims(seg string) (map[string]any, error) {
	m, err := decodeObject(seg)
	if err != nil {
		return nil, &Error{Kind: ErrNotJWT, Reason: "claims: " + err.Error()}
	}
	return m, nil
}

// parseHeader decodes the JOSE header and applies RFC 7515 and RFC 8725 rules.
// Key-carrying headers (jwk, jku, x5u, x5c) and x5t are deliberately ignored:
// the key always comes from the issuer's JWKS, so they cannot influence the
// result, and refusing them would break IdPs that add x5t (GitHub does).
func parseHeader(seg string) (header, error) {
	m, err := decodeObject(seg)
	if err != nil {
		return header{}, &Error{Kind: ErrNotJWT, Reason: "header: " + err.Error()}
	}
	if _, ok := m["enc"]; ok {
		return header{}, fail(ErrNotJWT, "header has enc: a JWE, which is not accepted")
	}
	name, ok := m["alg"].(string)
	if !ok {
		return header{}, fail(ErrNotJWT, "header has no string alg")
	}
	a, ok := lookupAlgorithm(name)
	if !ok {
		return header{}, fail(ErrAlgorithm, "alg %s is not accepted", excerpt(name))
	}
	if err := checkHeaderExtensions(m); err != nil {
		return header{}, err
	}
	h := header{alg: a}
	if v, present := m["kid"]; present {
		if h.kid, ok = v.(string); !ok {
			return header{}, fail(ErrInvalid, "header kid is not a string")
		}
		h.hasKid = true
	}
	if v, present := m["typ"]; present {
		if _, ok := v.(string); !ok {
			return header{}, fail(ErrInvalid, "header typ is not a string")
		}
	}
	return h, nil
}

// checkHeaderExtensions refuses headers that would change how the token must
// be processed: crit (inkan understands no extension, RFC 7515 §4.1.11),
// b64 (RFC 7797 unencoded payloads), zip (JWE only) and a nested-JWT cty.
func checkHeaderExtensions(m map[string]any) error {
	if _, ok := m["crit"]; ok {
		return fail(ErrInvalid, "header crit names extensions inkan does not understand")
	}
	if _, ok := m["b64"]; ok {
		return fail(ErrInvalid, "header b64 (unencoded payload) is not accepted")
	}
	if _, ok := m["zip"]; ok {
		return fail(ErrInvalid, "header zip is not accepted in a JWS")
	}
	if cty, ok := m["cty"].(string); ok && strings.EqualFold(cty, "JWT") {
		return fail(ErrInvalid, "nested JWTs are not accepted")
	}
	return nil
}

// maxCachedHeaders bounds headerCache. Real traffic has a handful of
// distinct headers per issuer (one per kid); when hostile traffic fills the
// cache it is emptied, which costs only re-parsing.
const maxCachedHeaders = 256

// headerCache remembers parsed headers by their encoded segment: parsing is
// a pure function of those bytes, and every token from one issuer key
// carries the same header. Only successfully parsed headers are kept. A nil
// *headerCache parses every time.
type headerCache struct {
	mu sync.RWMutex
	m  map[string]header
}

func (hc *headerCache) parse(seg string) (header, error) {
	if hc == nil {
		return parseHeader(seg)
	}
	hc.mu.RLock()
	h, ok := hc.m[seg]
	hc.mu.RUnlock()
	if ok {
		return h, nil
	}
	h, err := parseHeader(seg)
	if err != nil {
		return h, err
	}
	hc.mu.Lock()
	if len(hc.m) >= maxCachedHeaders || hc.m == nil {
		hc.m = make(map[string]header)
	}
	hc.m[strings.Clone(seg)] = h // the segment would pin the whole token
	hc.mu.Unlock()
	return h, nil
}

// Issuer returns the unverified iss claim of raw so that the caller can choose
// the Provider to verify it with. It applies the same length limit and the
// same strict syntax as Verify (so it refuses what Verify would refuse as
// ErrNotJWT, ErrTooLong or ErrAlgorithm), but checks no signature: never trust
// the result beyond choosing a provider. A missing or non-string iss is
// ErrIssuer.
func Issuer(raw string) (string, error) {
	t, err := parseJWS(raw, nil)
	if err != nil {
		return "", err
	}
	iss, ok := t.claims["iss"].(string)
	if !ok || iss == "" {
		return "", fail(ErrIssuer, "token has no string iss claim")
	}
	return iss, nil
}
