package explain

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/inkan-dev/inkan/internal/policy"
)

func TestIssuersWithoutSchemeGetHTTPOnlyOnLoopback(t *testing.T) {
	cases := map[string]string{
		"token.actions.githubusercontent.com": "https://token.actions.githubusercontent.com",
		"127.0.0.1:8750/idp":                  "http://127.0.0.1:8750/idp",
		"localhost/idp":                       "http://localhost/idp",
		"[::1]:9000/idp":                      "http://[::1]:9000/idp",
		"127.example.com/idp":                 "https://127.example.com/idp",
		"http://idp.example":                  "http://idp.example",
	}
	for in, want := range cases {
		if got := IssuerURL(in); got != want {
			t.Errorf("IssuerURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestASessionKeepsOnlyTheAudienceSubjectAndAMRClaims(t *testing.T) {
	claims := map[string]any{"sub": "s", "aud": []any{"x", "sts.amazonaws.com"}, "amr": []any{"mfa", "pwd"}, "repository": "acme/app"}
	got := SessionClaimKeys("https://idp.example/", claims, []string{"sts.amazonaws.com"})
	sameKeys(t, got, policy.Keys{"idp.example:aud": {"sts.amazonaws.com"}, "idp.example:sub": {"s"}, "idp.example:amr": {"mfa", "pwd"}})
}

func sameKeys(t *testing.T, got, want policy.Keys) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("keys %v, want %v", got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Fatalf("%s = %v, want %v", k, got[k], v)
		}
	}
}

func TestClaimKeysHoldEveryScalarAndStringListClaim(t *testing.T) {
	claims, err := ParseClaims([]byte(`{"sub":"s","aud":"a","n":12345678901234567890,"ok":true,"groups":["a","b"],
	  "mixed":["a",1],"obj":{"k":"v"},"nil":null,"Ref":"refs/heads/main"}`))
	if err != nil {
		t.Fatal(err)
	}
	k := policy.Keys{}
	ClaimKeys(k, "p", claims, "client")
	sameKeys(t, k, policy.Keys{"p:sub": {"s"}, "p:aud": {"client"}, "p:n": {"12345678901234567890"}, "p:ok": {"true"},
		"p:groups": {"a", "b"}, "p:ref": {"refs/heads/main"}})
}

func TestTheAudienceIsAzpWhenPresentElseTheFirstClientIDInAud(t *testing.T) {
	ids := []string{"sts.amazonaws.com", "inkan"}
	cases := []struct {
		claims string
		want   string
	}{
		{`{"aud":"inkan"}`, "inkan"},
		{`{"aud":["other","inkan","sts.amazonaws.com"]}`, "inkan"},
		{`{"aud":"other","azp":"sts.amazonaws.com"}`, "sts.amazonaws.com"},
		{`{"aud":"inkan","azp":"other"}`, ""},
		{`{"aud":["x","y"]}`, ""},
		{`{}`, ""},
	}
	for _, c := range cases {
		var claims map[string]any
		if err := json.Unmarshal([]byte(c.claims), &claims); err != nil {
			t.Fatal(err)
		}
		got, err := Audience(claims, ids)
		var ae *AudienceError
		if got != c.want || (c.want == "") != errors.As(err, &ae) {
			t.Errorf("%s: %q, %v; want %q", c.claims, got, err, c.want)
		}
	}
}

func TestTokensAndClaimSetsThatAreNotObjectsAreRefused(t *testing.T) {
	for _, tok := range []string{"", "a.b", "a.b.c.d", "e30.!!!.x", "e30.bnVsbA.x", "e30.W10.x", "e30.e30gMQ.x"} {
		if _, err := DecodeToken(tok); !errors.Is(err, ErrNotDecodable) {
			t.Errorf("%q: %v", tok, err)
		}
	}
	if c, err := DecodeToken("e30.eyJzdWIiOiJzIn0.sig"); err != nil || c["sub"] != "s" {
		t.Fatalf("a JWT: %v %v", c, err)
	}
}

func TestTheFirstProviderOfATrustPolicyIsItsFirstOIDCPrincipal(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"},
	  {"Effect":"Allow","Principal":{"Federated":["cognito-identity.amazonaws.com","` + ghProvider + `"]},"Action":"sts:AssumeRoleWithWebIdentity"}]}`
	if got := FirstProvider(mustParse(t, doc, policy.Trust)); got != ghProvider {
		t.Fatalf("FirstProvider = %q", got)
	}
	if got := FirstProvider(mustParse(t, `{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}`, policy.Trust)); got != "" {
		t.Fatalf("FirstProvider = %q", got)
	}
}
