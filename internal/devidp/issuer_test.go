package devidp

import (
	"errors"
	"regexp"
	"testing"
	"time"
)

func TestMintIssuesAGitHubShapedToken(t *testing.T) {
	clock := newFakeClock()
	keys := openTestKeys(t, t.TempDir(), clock)
	issuer := newTestIssuer(t, "http://127.0.0.1:8750/idp", keys, clock)
	token, err := issuer.Mint(TokenRequest{
		JobContext:   JobContext{Job: Job{Repository: "acme/app", Ref: "refs/heads/deploy"}},
		TokenOptions: TokenOptions{Audience: AudienceSTS},
	})
	if err != nil {
		t.Fatal(err)
	}
	header := tokenHeader(t, token)
	infos, _ := keys.Keys()
	want := map[string]any{"typ": "JWT", "alg": "RS256", "kid": infos[0].KeyID, "x5t": infos[0].X5t}
	for name, value := range want {
		if header[name] != value {
			t.Errorf("header %s = %v, want %v", name, header[name], value)
		}
	}
	if len(header) != len(want) {
		t.Errorf("header %v has fields beyond %v", header, want)
	}
	claims := tokenClaims(t, token)
	iat := float64(clock.Now().Unix())
	for name, value := range map[string]any{
		"iss": "http://127.0.0.1:8750/idp", "aud": "sts.amazonaws.com", "sub": "repo:acme/app:ref:refs/heads/deploy",
		"iat": iat, "exp": iat + 300, "nbf": iat - 600, "repository": "acme/app", "ref": "refs/heads/deploy",
	} {
		if claims[name] != value {
			t.Errorf("claim %s = %v, want %v", name, claims[name], value)
		}
	}
	for _, name := range []string{"repository_id", "repository_owner_id", "actor_id", "run_id", "run_number", "run_attempt", "check_run_id"} {
		if _, isString := claims[name].(string); !isString {
			t.Errorf("claim %s = %#v, want a JSON string like GitHub's", name, claims[name])
		}
	}
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if jti, _ := claims["jti"].(string); !uuid.MatchString(jti) {
		t.Errorf("jti %q is not a random UUID", jti)
	}
}

func TestMintGivesEveryTokenItsOwnJTI(t *testing.T) {
	issuer, _ := newLocalIssuer(t)
	seen := map[any]bool{}
	for range 20 {
		token, err := issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app"}}})
		if err != nil {
			t.Fatal(err)
		}
		jti := tokenClaims(t, token)["jti"]
		if seen[jti] {
			t.Fatalf("jti %v issued twice", jti)
		}
		seen[jti] = true
	}
}

func TestMintDefaultsTheAudienceToTheOwnersGitHubURL(t *testing.T) {
	issuer, _ := newLocalIssuer(t)
	token, err := issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "octo-org/octo-repo"}}})
	if err != nil {
		t.Fatal(err)
	}
	if aud := tokenClaims(t, token)["aud"]; aud != "https://github.com/octo-org" {
		t.Errorf("aud = %v, want https://github.com/octo-org", aud)
	}
}

func TestMintHonoursIssuedAtLifetimeAndNotBeforeSettings(t *testing.T) {
	clock := newFakeClock()
	keys := openTestKeys(t, t.TempDir(), clock)
	issuedAt := clock.Now().Add(-time.Hour)
	t.Run("a token issued an hour ago with the default lifetime has expired", func(t *testing.T) {
		issuer := newTestIssuer(t, "http://127.0.0.1:8750/idp", keys, clock)
		token, err := issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app"}},
			TokenOptions: TokenOptions{IssuedAt: issuedAt}})
		if err != nil {
			t.Fatal(err)
		}
		if exp := tokenClaims(t, token)["exp"].(float64); exp != float64(issuedAt.Unix()+300) || exp >= float64(clock.Now().Unix()) {
			t.Errorf("exp = %v, want iat+300 in the past", exp)
		}
	})
	t.Run("a lifetime per token and a negative skew for nbf = iat", func(t *testing.T) {
		issuer, err := New(Config{URL: "http://127.0.0.1:8750/idp", Keys: keys, Clock: clock.Now, NotBeforeSkew: -1})
		if err != nil {
			t.Fatal(err)
		}
		token, err := issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app"}},
			TokenOptions: TokenOptions{LifetimeSeconds: 3600}})
		if err != nil {
			t.Fatal(err)
		}
		claims := tokenClaims(t, token)
		if claims["exp"].(float64)-claims["iat"].(float64) != 3600 || claims["nbf"] != claims["iat"] {
			t.Errorf("iat %v nbf %v exp %v; want exp = iat+3600, nbf = iat", claims["iat"], claims["nbf"], claims["exp"])
		}
	})
}

func TestMintRefusesBadRequests(t *testing.T) {
	issuer, _ := newLocalIssuer(t)
	cases := map[string]TokenRequest{
		"an audience with a newline": {JobContext: JobContext{Job: Job{Repository: "acme/app"}}, TokenOptions: TokenOptions{Audience: "sts\n"}},
		"an audience with spaces":    {JobContext: JobContext{Job: Job{Repository: "acme/app"}}, TokenOptions: TokenOptions{Audience: " sts.amazonaws.com"}},
		"a negative lifetime":        {JobContext: JobContext{Job: Job{Repository: "acme/app"}}, TokenOptions: TokenOptions{LifetimeSeconds: -1}},
		"a lifetime over a day":      {JobContext: JobContext{Job: Job{Repository: "acme/app"}}, TokenOptions: TokenOptions{LifetimeSeconds: 86401}},
		"no repository":              {},
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			if token, err := issuer.Mint(req); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("Mint = %q, %v; want ErrInvalidRequest", token, err)
			}
		})
	}
}

func TestNewChecksTheIssuerURL(t *testing.T) {
	keys := openTestKeys(t, t.TempDir(), newFakeClock())
	for _, bad := range []string{"", "127.0.0.1:8750/idp", "ftp://host/idp", "http:///idp", "http://h/idp?x=1", "http://h/idp#f", "http://u:p@h/idp", "http://h/idp?"} {
		if _, err := New(Config{URL: bad, Keys: keys}); err == nil {
			t.Errorf("New accepted issuer URL %q", bad)
		}
	}
	issuer, err := New(Config{URL: "http://127.0.0.1:8750/idp/", Keys: keys})
	if err != nil || issuer.URL() != "http://127.0.0.1:8750/idp" {
		t.Errorf("New(…/idp/) URL = %q, %v; want the trailing slash removed", issuer.URL(), err)
	}
	if _, err := New(Config{URL: "http://127.0.0.1:8750/idp"}); err == nil {
		t.Error("New accepted a config without keys")
	}
}
