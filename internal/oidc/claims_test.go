package oidc_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

func TestAGitHubShapedTokenYieldsEveryClaim(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	now := e.clock.Now()
	claims := oidctest.GitHubClaims(e.iss.URL(), clientID, "octo-org/octo-repo", now)
	// GitHub's header also carries x5t, which is ignored (reference §7).
	tok := e.mustVerify(t, e.iss.SigningKey().Sign(claims, map[string]any{"x5t": "Ml2IUlnvDPxzPmqVZ7I5WGHpzmY"}))

	if tok.Issuer != e.iss.URL() || tok.Subject != "repo:octo-org/octo-repo:ref:refs/heads/main" {
		t.Errorf("Issuer, Subject = %q, %q", tok.Issuer, tok.Subject)
	}
	if tok.Audience != clientID || len(tok.Audiences) != 1 || tok.Audiences[0] != clientID || tok.AuthorizedParty != "" {
		t.Errorf("Audience %q, Audiences %q, AuthorizedParty %q", tok.Audience, tok.Audiences, tok.AuthorizedParty)
	}
	if !tok.IssuedAt.Equal(now.Truncate(time.Second)) || !tok.Expiry.Equal(tok.IssuedAt.Add(300*time.Second)) ||
		!tok.NotBefore.Equal(tok.IssuedAt.Add(-600*time.Second)) {
		t.Errorf("times: iat %v nbf %v exp %v", tok.IssuedAt, tok.NotBefore, tok.Expiry)
	}
	if len(tok.Claims) != len(claims) {
		t.Errorf("Claims has %d members, the token %d", len(tok.Claims), len(claims))
	}
	if got := tok.Claims["repository_id"]; got != "740219485" {
		t.Errorf("repository_id = %#v, want the string GitHub sends", got)
	}
	if got := tok.Claims["exp"]; got != json.Number(strings.TrimSpace(jsonText(t, claims["exp"]))) {
		t.Errorf("exp = %#v, want a json.Number", got)
	}
}

func jsonText(t *testing.T, v any) string { return string(mustJSON(t, v)) }

func TestTheAudienceRule(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.p.ClientIDs = []string{"app", "other-app"}
	for _, c := range []struct {
		name     string
		aud, azp any
		want     string // the matched Audience, or "" for ErrAudience
	}{
		{"a string aud equal to a client ID is accepted", "app", nil, "app"},
		{"an array aud containing a client ID is accepted, reporting that element", []string{"x", "other-app", "app"}, nil, "other-app"},
		{"without azp an aud that matches no client ID is refused", "x", nil, ""},
		{"an azp that is a client ID decides even when aud is not one (Google's rule)", "backend", "app", "app"},
		{"an azp that is no client ID is refused even when aud is one (the Azure AD report)", "app", "x", ""},
		{"an azp that is not a string is refused", "app", 7, ""},
		{"a non-string element in an aud array is refused", []any{"app", 1}, nil, ""},
		{"a numeric aud is refused", 5, nil, ""},
		{"a null aud is refused", nil, "app", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			claims := e.claims()
			claims["aud"] = c.aud
			if c.azp != nil {
				claims["azp"] = c.azp
			}
			tok, err := e.verify(e.iss.Sign(claims))
			if c.want == "" {
				wantKind(t, err, oidc.ErrAudience)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.Audience != c.want {
				t.Errorf("Audience = %q, want %q", tok.Audience, c.want)
			}
		})
	}
}

func TestTimeClaimsWithTheLeeway(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	now := e.clock.Now()
	at := func(d time.Duration) int64 { return now.Add(d).Unix() }
	for _, c := range []struct {
		name   string
		claims map[string]any
		want   oidc.Kind // 0 for success
	}{
		{"exp 4m59s ago is within the leeway", map[string]any{"exp": at(-5*time.Minute + time.Second)}, 0},
		{"exp exactly 5m ago has expired", map[string]any{"exp": at(-5 * time.Minute)}, oidc.ErrExpired},
		{"nbf 5m ahead is within the leeway", map[string]any{"nbf": at(5 * time.Minute)}, 0},
		{"nbf 5m1s ahead is refused", map[string]any{"nbf": at(5*time.Minute + time.Second)}, oidc.ErrNotYetValid},
		{"iat 5m ahead is within the leeway", map[string]any{"iat": at(5 * time.Minute)}, 0},
		{"iat 5m1s ahead is refused", map[string]any{"iat": at(5*time.Minute + time.Second)}, oidc.ErrNotYetValid},
		{"an old iat is not refused while exp holds", map[string]any{"iat": at(-30 * 24 * time.Hour)}, 0},
		{"a negative nbf is an integer and in the past", map[string]any{"nbf": -5}, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			claims := e.claims()
			for k, v := range c.claims {
				claims[k] = v
			}
			_, err := e.verify(e.iss.Sign(claims))
			if c.want == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantKind(t, err, c.want)
		})
	}
}

func TestAnExpiredTokenCarriesNowAndExpInEpochSecondsForAWSsMessage(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	claims := e.claims()
	exp := e.clock.Now().Add(-time.Hour).Unix()
	claims["exp"] = exp
	_, err := e.verify(e.iss.Sign(claims))
	got := wantKind(t, err, oidc.ErrExpired)
	if got.Now != e.clock.Now().Unix() || got.Expiry != exp {
		t.Errorf("Now, Expiry = %d, %d; want %d, %d", got.Now, got.Expiry, e.clock.Now().Unix(), exp)
	}
}

func TestLeewayIsConfigurableAndANegativeValueMeansNone(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, func(o *oidc.Options) { o.Leeway = -1 })
	claims := e.claims()
	claims["exp"] = e.clock.Now().Unix()
	e.wantRefused(t, e.iss.Sign(claims), oidc.ErrExpired)
	claims["exp"] = e.clock.Now().Unix() + 1
	e.mustVerify(t, e.iss.Sign(claims))
}

func TestEveryAcceptedAlgorithmVerifiesAndRefusesAFlippedSignatureBit(t *testing.T) {
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t, oidctest.Config{Alg: alg}, nil)
			raw := e.token()
			e.mustVerify(t, raw)
			dot := strings.LastIndexByte(raw, '.')
			sig, err := base64.RawURLEncoding.DecodeString(raw[dot+1:])
			if err != nil {
				t.Fatal(err)
			}
			sig[len(sig)/2] ^= 0x01
			e.wantRefused(t, raw[:dot+1]+base64.RawURLEncoding.EncodeToString(sig), oidc.ErrSignature)
		})
	}
}

func TestATokenWithoutKidNeedsExactlyOneFittingKey(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	noKid := map[string]any{"kid": nil}
	e.mustVerify(t, e.iss.SigningKey().Sign(e.claims(), noKid))

	ec := newKey(t, "ES256", "ec-1")
	e.iss.Publish(ec)
	e.clock.Advance(oidc.DefaultRefreshInterval)
	e.mustVerify(t, ec.Sign(e.claims(), noKid)) // the only ES256 key, after one refetch
	e.mustVerify(t, e.iss.SigningKey().Sign(e.claims(), noKid))

	e.iss.Publish(newKey(t, "RS256", "key-2"))
	e.v.Forget(e.p.URL)
	e.wantRefused(t, e.iss.SigningKey().Sign(e.claims(), noKid), oidc.ErrSignature)
}

func TestATokenOfExactly20000BytesIsAccepted(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	raw := tokenOfLength(t, e, oidc.MaxTokenLength)
	e.mustVerify(t, raw)
}

func TestIssuerReturnsTheUnverifiedIssOrATypedError(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	if got, err := oidc.Issuer(e.token()); err != nil || got != e.iss.URL() {
		t.Errorf("Issuer = %q, %v", got, err)
	}
	signed := func(c map[string]any) string { return e.iss.Sign(c) }
	for _, c := range []struct {
		name, raw string
		want      oidc.Kind
	}{
		{"not a JWT", "abc", oidc.ErrNotJWT},
		{"too long", strings.Repeat("a", oidc.MaxTokenLength+1), oidc.ErrTooLong},
		{"alg none", oidctest.SignRaw("none", nil, []byte(`{"alg":"none"}`), []byte(`{"iss":"x"}`)), oidc.ErrAlgorithm},
		{"no iss", signed(map[string]any{"sub": "x"}), oidc.ErrIssuer},
		{"numeric iss", signed(map[string]any{"iss": 1}), oidc.ErrIssuer},
		{"duplicate iss", e.iss.SigningKey().SignRaw([]byte(`{"alg":"RS256"}`), []byte(`{"iss":"a","iss":"b"}`)), oidc.ErrNotJWT},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := oidc.Issuer(c.raw)
			wantKind(t, err, c.want)
		})
	}
}

func TestVerifyWithChoosesTheProviderByTheUnverifiedIss(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	var asked []string
	lookup := func(iss string) (*oidc.Provider, error) {
		asked = append(asked, iss)
		if iss != e.p.URL {
			return nil, errNoProvider
		}
		return e.p, nil
	}
	tok, err := e.v.VerifyWith(context.Background(), e.token(), lookup)
	if err != nil || tok.Issuer != e.p.URL {
		t.Fatalf("VerifyWith = %v, %v", tok, err)
	}
	claims := e.claims()
	claims["iss"] = "https://unknown.example"
	if _, err := e.v.VerifyWith(context.Background(), e.iss.Sign(claims), lookup); err != errNoProvider {
		t.Errorf("the lookup's error came back as %v", err)
	}
	if _, err := e.v.VerifyWith(context.Background(), "not.a.jwt", lookup); !errors.Is(err, oidc.ErrNotJWT) {
		t.Errorf("a malformed token: %v", err)
	}
	if len(asked) != 2 || asked[1] != "https://unknown.example" {
		t.Errorf("lookup was asked %q; a malformed token must not reach it", asked)
	}
}

var errNoProvider = errors.New("no provider")
