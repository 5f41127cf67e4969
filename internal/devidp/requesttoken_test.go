package devidp

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// getIDToken requests a token the way actions/toolkit's OidcClient.getIDToken does:
// the URL from ACTIONS_ID_TOKEN_REQUEST_URL, "&audience=" + encodeURIComponent(audience)
// when an audience is given, and the request token as a Bearer credential.
func getIDToken(t *testing.T, environ []string, audience string) (*http.Response, error) {
	t.Helper()
	env := map[string]string{}
	for _, line := range environ {
		name, value, _ := strings.Cut(line, "=")
		env[name] = value
	}
	target := env["ACTIONS_ID_TOKEN_REQUEST_URL"]
	if audience != "" {
		target += "&audience=" + queryEscapeLikeEncodeURIComponent(audience)
	}
	req, err := http.NewRequest(http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"])
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "actions/oidc-client")
	return http.DefaultClient.Do(req)
}

func TestTheRunnerEndpointAnswersAsActionsToolkitExpects(t *testing.T) {
	srv := startServer(t)
	env, err := srv.issuer.RunnerEnv(JobContext{Job: Job{Repository: "acme/app", Ref: "refs/heads/deploy"}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(env.RequestURL, "?") || !strings.HasPrefix(env.RequestURL, srv.issuerURL()+"/") {
		t.Fatalf("ACTIONS_ID_TOKEN_REQUEST_URL %q must be under the issuer and already hold a '?'", env.RequestURL)
	}
	if want := srv.clock.Now().Add(6 * time.Hour); !env.ExpiresAt.Equal(want) {
		t.Errorf("request token expires %v, want %v (6 h, like GitHub's)", env.ExpiresAt, want)
	}
	for audience, wantAud := range map[string]string{
		AudienceSTS:                  AudienceSTS,
		"":                           "https://github.com/acme",
		"api://AzureADTokenExchange": "api://AzureADTokenExchange",
		"https://example.com/a b":    "https://example.com/a b",
	} {
		t.Run("audience "+audience, func(t *testing.T) {
			resp, err := getIDToken(t, env.Environ(), audience)
			if err != nil {
				t.Fatal(err)
			}
			var answer tokenResponse
			decodeAnswer(t, resp, http.StatusOK, &answer)
			claims := verifyToken(t, srv.issuerURL(), answer.Value, srv.clock.Now())
			if claims["aud"] != wantAud || claims["sub"] != "repo:acme/app:ref:refs/heads/deploy" {
				t.Errorf("aud %v sub %v; want %s and the bound job's sub", claims["aud"], claims["sub"], wantAud)
			}
			if resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("Cache-Control %q, want no-store", resp.Header.Get("Cache-Control"))
			}
		})
	}
}

func TestTheRunnerEndpointAcceptsCurlAsGitHubDocumentsIt(t *testing.T) {
	srv := startServer(t)
	env, err := srv.issuer.RunnerEnv(JobContext{Job: Job{Repository: "acme/app", Environment: "prod"}})
	if err != nil {
		t.Fatal(err)
	}
	// curl -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=…"
	req, _ := http.NewRequest(http.MethodGet, env.RequestURL+"&audience=sts.amazonaws.com", nil)
	req.Header.Set("Authorization", "bearer "+env.RequestToken)
	resp, err := http.DefaultClient.Do(req)
	if sub := subOfAnswer(t, resp, err); sub != "repo:acme/app:environment:prod" {
		t.Errorf("sub = %v", sub)
	}
}

func TestTheRunnerEnvEndpointBindsAJobContextFromJSON(t *testing.T) {
	srv := startServer(t)
	resp := post(t, srv.issuerURL()+"/runner-env", `{"repository":"acme/app","ref":"refs/heads/deploy","actor":"alice","include_claim_keys":["repo","context","actor"]}`)
	var env RunnerEnv
	decodeAnswer(t, resp, http.StatusOK, &env)
	tokenResp, err := getIDToken(t, env.Environ(), AudienceSTS)
	if sub := subOfAnswer(t, tokenResp, err); sub != "repo:acme/app:ref:refs/heads/deploy:actor:alice" {
		t.Errorf("sub = %v", sub)
	}
}

func TestRunnerEnvRefusesAJobContextThatCannotBeMinted(t *testing.T) {
	srv := startServer(t)
	var answer errorBody
	decodeAnswer(t, post(t, srv.issuerURL()+"/runner-env", `{"repository":"acme/app","include_claim_keys":["environment"]}`), http.StatusBadRequest, &answer)
	if !strings.Contains(answer.Message, "environment") {
		t.Errorf("error %+v does not name the problem", answer)
	}
}

func TestTheRunnerEndpointRefusesBadRequestTokens(t *testing.T) {
	srv := startServer(t)
	env, err := srv.issuer.RunnerEnv(JobContext{Job: Job{Repository: "acme/app"}})
	if err != nil {
		t.Fatal(err)
	}
	evil, err := srv.issuer.RunnerEnv(JobContext{Job: Job{Repository: "evil/app"}})
	if err != nil {
		t.Fatal(err)
	}
	otherDir := startServer(t) // another key directory, so another secret
	foreign, err := otherDir.issuer.RunnerEnv(JobContext{Job: Job{Repository: "acme/app"}})
	if err != nil {
		t.Fatal(err)
	}
	body, sig := splitLast(env.RequestToken)
	evilBody, _ := splitLast(evil.RequestToken)
	cases := map[string]string{
		"no token":                      "",
		"a token that is not ours":      "ghs_0123456789abcdef",
		"a truncated token":             env.RequestToken[:len(env.RequestToken)-4],
		"a flipped signature byte":      body + "." + flip(sig),
		"a flipped payload byte":        flip(body) + "." + sig,
		"another job under our mac":     evilBody + "." + sig,
		"a token from another key dir":  foreign.RequestToken,
		"a token with a second payload": body + "." + body + "." + sig,
		"an oversized token":            strings.Repeat("a", maxRequestTokenBytes+1),
	}
	for name, token := range cases {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, env.RequestURL+"&audience=sts.amazonaws.com", nil)
			if token != "" {
				req.Header.Set("Authorization", "Bearer "+token)
			}
			assertUnauthorized(t, req, token)
		})
	}
	t.Run("a Basic credential holding a valid token", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodGet, env.RequestURL, nil)
		req.Header.Set("Authorization", "Basic "+env.RequestToken)
		assertUnauthorized(t, req, env.RequestToken)
	})
}

func TestTheRunnerEndpointRefusesAnExpiredRequestToken(t *testing.T) {
	srv := startServer(t)
	env, err := srv.issuer.RunnerEnv(JobContext{Job: Job{Repository: "acme/app"}})
	if err != nil {
		t.Fatal(err)
	}
	srv.clock.Advance(6*time.Hour - time.Second)
	resp, err := getIDToken(t, env.Environ(), AudienceSTS)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("one second before expiry: status %d, want 200", resp.StatusCode)
	}
	srv.clock.Advance(time.Second)
	req, _ := http.NewRequest(http.MethodGet, env.RequestURL, nil)
	req.Header.Set("Authorization", "Bearer "+env.RequestToken)
	answer := assertUnauthorized(t, req, env.RequestToken)
	if !strings.Contains(answer.Message, "expired") {
		t.Errorf("message %q does not say the request token expired", answer.Message)
	}
}

func TestARequestTokenIsBoundToItsIssuerURL(t *testing.T) {
	srv := startServer(t)
	env, err := srv.issuer.RunnerEnv(JobContext{Job: Job{Repository: "acme/app"}})
	if err != nil {
		t.Fatal(err)
	}
	sibling := newTestIssuer(t, "http://localhost:9999/idp", srv.keys, srv.clock) // same keys, other URL
	if _, err := sibling.verifyRequestToken(env.RequestToken); err == nil {
		t.Error("an issuer with another URL accepted the request token")
	}
	if _, err := srv.issuer.verifyRequestToken(env.RequestToken); err != nil {
		t.Errorf("the issuing URL refused its own request token: %v", err)
	}
}

// assertUnauthorized sends req and checks for a 401 JSON error that does not echo the
// token; it returns the error body.
func assertUnauthorized(t *testing.T, req *http.Request, token string) errorBody {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var answer errorBody
	decodeAnswer(t, resp, http.StatusUnauthorized, &answer)
	if answer.Code != "unauthorized" || answer.Message == "" {
		t.Errorf("error body %+v", answer)
	}
	raw, _ := json.Marshal(answer)
	if len(token) > 8 && strings.Contains(string(raw), token[len(token)-8:]) {
		t.Errorf("error body %s echoes the request token", raw)
	}
	if resp.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	return answer
}

// subOfAnswer reads a 200 token answer and returns the token's sub.
func subOfAnswer(t *testing.T, resp *http.Response, err error) any {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var answer tokenResponse
	decodeAnswer(t, resp, http.StatusOK, &answer)
	return tokenClaims(t, answer.Value)["sub"]
}

func splitLast(token string) (body, sig string) {
	cut := strings.LastIndexByte(token, '.')
	return token[:cut], token[cut+1:]
}

// flip changes one character in the middle of s to another base64url character.
func flip(s string) string {
	b := []byte(s)
	mid := len(b) / 2
	if b[mid] == 'A' {
		b[mid] = 'B'
	} else {
		b[mid] = 'A'
	}
	return string(b)
}
