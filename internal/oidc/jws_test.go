package oidc

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestDecodeSegmentAcceptsOnlyCanonicalUnpaddedBase64URL(t *testing.T) {
	for _, c := range []struct {
		in string
		ok bool
	}{
		{"", true},
		{"YQ", true},   // "a"
		{"YR", false},  // "a" with a non-zero unused bit
		{"YWI", true},  // "ab"
		{"YWJ", false}, // "ab" with non-zero unused bits
		{"YQ==", false},
		{"Y", false},
		{"-_-_", true},
		{"+/+/", false},
		{"YW\nI", false},
		{"YW\rI", false},
		{"YW I", false},
	} {
		_, err := decodeSegment(c.in)
		if (err == nil) != c.ok {
			t.Errorf("decodeSegment(%q) error = %v, want ok = %v", c.in, err, c.ok)
		}
	}
}

func TestHeaderFieldsAreReadStrictly(t *testing.T) {
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	h, err := parseHeader(seg(`{"alg":"ES384","kid":"","typ":"JWT","x5t":"ignored","jwk":{"kty":"EC"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if h.alg.name != "ES384" || !h.hasKid || h.kid != "" {
		t.Errorf("header = %+v: want ES384 and an empty but present kid", h)
	}
	h, err = parseHeader(seg(`{"alg":"RS256"}`))
	if err != nil || h.hasKid {
		t.Errorf("a header without kid: %+v, %v", h, err)
	}
	for in, want := range map[string]Kind{
		`{"alg":"RS256","typ":5}`:                ErrInvalid,
		`{"alg":"RS256","zip":"DEF"}`:            ErrInvalid,
		`{"alg":"RS256","cty":"jwt"}`:            ErrInvalid,
		`{"alg":"RS256","crit":[]}`:              ErrInvalid,
		`{"alg":"rs256"}`:                        ErrAlgorithm,
		`{"alg":"RS256 "}`:                       ErrAlgorithm,
		`{"alg":"ES256K"}`:                       ErrAlgorithm,
		`{"alg":"HS256"}`:                        ErrAlgorithm,
		`{"alg":["RS256"]}`:                      ErrNotJWT,
		`{"kid":"a"}`:                            ErrNotJWT,
		`{"alg":"RS256","enc":"A256GCM"}`:        ErrNotJWT,
		`{"alg":"RS256","alg":"RS256"}`:          ErrNotJWT,
		`{"alg":"RS256"}x`:                       ErrNotJWT,
		"{\"alg\":\"RS256\",\"kid\":\"\xfe\"}":   ErrNotJWT,
		`{"alg":"RS256","kid":"a","Kid":"b"}`:    0, // names are case-sensitive: Kid is just another member
		`{"alg":"RS256","cty":"application/ld"}`: 0,
	} {
		_, err := parseHeader(seg(in))
		if want == 0 {
			if err != nil {
				t.Errorf("%s: %v", in, err)
			}
			continue
		}
		if !errors.Is(err, want) {
			t.Errorf("%s: got %v, want %v", in, err, want)
		}
	}
}

// FuzzParseJWS checks that parsing never panics, that every error is an
// *Error, and that an accepted token is canonical: re-encoding what was
// decoded gives back the exact input segments.
func FuzzParseJWS(f *testing.F) {
	seg := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	f.Add(seg(`{"alg":"RS256","kid":"k"}`) + "." + seg(`{"iss":"https://x","exp":1}`) + "." + seg("sig"))
	f.Add(seg(`{"alg":"none"}`) + "." + seg(`{}`) + ".")
	f.Add("a.b.c.d.e")
	f.Add(`{"payload":"x"}`)
	f.Fuzz(func(t *testing.T, raw string) {
		j, err := parseJWS(raw, nil)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is %T, not *Error", err, err)
			}
			if len(raw) > 16 && strings.Contains(e.Error(), raw) {
				t.Fatal("the error repeats the token")
			}
			return
		}
		parts := strings.Split(raw, ".")
		if len(parts) != 3 || j.signingInput != parts[0]+"."+parts[1] {
			t.Fatalf("signing input %q does not match %q", j.signingInput, raw)
		}
		if got := base64.RawURLEncoding.EncodeToString(j.signature); got != parts[2] {
			t.Fatalf("signature segment %q re-encodes as %q", parts[2], got)
		}
		if iss, err := Issuer(raw); err == nil && iss != j.claims["iss"] {
			t.Fatalf("Issuer = %q, claims say %v", iss, j.claims["iss"])
		}
	})
}

func TestCacheTTLFromCacheControl(t *testing.T) {
	for header, want := range map[string]time.Duration{
		"":                             time.Hour,
		"max-age=0":                    time.Minute,
		"max-age=59":                   time.Minute,
		"max-age=61":                   61 * time.Second,
		"public, max-age=3600":         time.Hour,
		"Max-Age=7200, must-revalid":   2 * time.Hour,
		`max-age="300"`:                5 * time.Minute,
		"max-age=86401":                24 * time.Hour,
		"max-age=99999999999999999999": 24 * time.Hour, // beyond int64: the largest (RFC 9111 §1.2.2)
		"max-age=soon":                 time.Hour,      // unparseable: the default
		"max-age=-5":                   time.Minute,
		"no-cache":                     time.Minute,
		"max-age=600, no-store":        time.Minute,
		"private":                      time.Hour,
	} {
		h := http.Header{}
		if header != "" {
			h.Set("Cache-Control", header)
		}
		if got := cacheTTL(h); got != want {
			t.Errorf("Cache-Control %q: TTL %v, want %v", header, got, want)
		}
	}
}

func TestTheHeaderCacheReturnsWhatParsingWouldAndStaysBounded(t *testing.T) {
	var hc headerCache
	seg := func(kid int) string {
		return base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"ES256","kid":"k` + strconv.Itoa(kid) + `"}`))
	}
	for i := range 3 * maxCachedHeaders {
		h, err := hc.parse(seg(i))
		if err != nil || h.kid != "k"+strconv.Itoa(i) || h.alg.name != "ES256" {
			t.Fatalf("header %d: %+v, %v", i, h, err)
		}
		if again, _ := hc.parse(seg(i)); again != h {
			t.Fatalf("header %d from the cache: %+v, want %+v", i, again, h)
		}
		if n := len(hc.m); n > maxCachedHeaders {
			t.Fatalf("the cache holds %d headers", n)
		}
	}
	bad := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none"}`))
	for range 2 {
		if _, err := hc.parse(bad); !errors.Is(err, ErrAlgorithm) {
			t.Fatalf("a refused header: %v", err)
		}
	}
	if _, cached := hc.m[bad]; cached {
		t.Error("a refused header was cached")
	}
}
