package devidp

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestDiscoveryDocumentsMatchTheGoldenFiles(t *testing.T) {
	issuer, _ := newLocalIssuer(t)
	for path, golden := range map[string]string{
		"/.well-known/openid-configuration":        "discovery-github.json",
		"/gitlab/.well-known/openid-configuration": "discovery-gitlab.json",
	} {
		t.Run(golden, func(t *testing.T) {
			rec := httptest.NewRecorder()
			issuer.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("GET %s: %d %s", path, rec.Code, rec.Header().Get("Content-Type"))
			}
			want, err := os.ReadFile(filepath.Join("testdata", golden))
			if err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, want); err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != compact.String() {
				t.Errorf("GET %s =\n%s\nwant (testdata/%s)\n%s", path, got, golden, compact.String())
			}
		})
	}
}

func TestDiscoveryListsEveryClaimAMintedTokenCarries(t *testing.T) {
	srv := startServer(t)
	discovery := getJSON[Discovery](t, srv.issuerURL()+"/.well-known/openid-configuration")
	token, err := srv.issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app", Environment: "prod", Enterprise: "acme-corp"}}})
	if err != nil {
		t.Fatal(err)
	}
	for name := range tokenClaims(t, token) {
		if !slices.Contains(discovery.ClaimsSupported, name) {
			t.Errorf("token claim %q is missing from claims_supported", name)
		}
	}
}

// GitHub's published claims_supported, from a capture of
// https://token.actions.githubusercontent.com/.well-known/openid-configuration.
func TestDiscoveryListsEveryClaimGitHubPublishes(t *testing.T) {
	published := []string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "repository", "repository_id",
		"repository_owner", "repository_owner_id", "run_id", "run_number", "run_attempt", "actor", "actor_id",
		"workflow", "workflow_ref", "workflow_sha", "head_ref", "base_ref", "event_name", "ref_type", "environment",
		"environment_node_id", "job_workflow_ref", "job_workflow_sha", "repository_visibility", "runner_environment"}
	issuer, _ := newLocalIssuer(t)
	for _, name := range published {
		if !slices.Contains(issuer.Discovery().ClaimsSupported, name) {
			t.Errorf("claims_supported lacks %q, which GitHub publishes", name)
		}
	}
}

func TestTokensVerifyAgainstTheServedJWKS(t *testing.T) {
	srv := startServer(t)
	token, err := srv.issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app", Ref: "deploy"}},
		TokenOptions: TokenOptions{Audience: AudienceSTS}})
	if err != nil {
		t.Fatal(err)
	}
	claims := verifyToken(t, srv.issuerURL(), token, srv.clock.Now())
	if claims["sub"] != "repo:acme/app:ref:refs/heads/deploy" {
		t.Errorf("verified sub = %v", claims["sub"])
	}
}

func TestATokenSignedBeforeARotationStillVerifiesAndNewTokensUseTheNewKey(t *testing.T) {
	srv := startServer(t)
	mint := func() string {
		token, err := srv.issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app"}}})
		if err != nil {
			t.Fatal(err)
		}
		return token
	}
	before := mint()
	other := openTestKeys(t, srv.keys.Dir(), srv.clock) // `inkan idp rotate-keys` in another process
	rotated, err := other.Rotate()
	if err != nil {
		t.Fatal(err)
	}
	after := mint()
	if kid := tokenHeader(t, after)["kid"]; kid != rotated.KeyID {
		t.Errorf("after rotation the server signs with kid %v, want %s", kid, rotated.KeyID)
	}
	verifyToken(t, srv.issuerURL(), before, srv.clock.Now())
	verifyToken(t, srv.issuerURL(), after, srv.clock.Now())
}

func TestMintEndpointAnswersATokenForAFlatJSONJobContext(t *testing.T) {
	srv := startServer(t)
	body := `{"repository":"acme/app","ref":"refs/heads/deploy","environment":"prod","audience":"sts.amazonaws.com",
		"include_claim_keys":["repo","context","actor"],"immutable_subject":true,"repo_properties":{"team":"web"}}`
	resp := post(t, srv.issuerURL()+"/mint", body)
	var answer tokenResponse
	decodeAnswer(t, resp, http.StatusOK, &answer)
	if answer.Count != len(answer.Value) {
		t.Errorf("count %d, want the token length %d", answer.Count, len(answer.Value))
	}
	claims := verifyToken(t, srv.issuerURL(), answer.Value, srv.clock.Now())
	job, _ := Job{Repository: "acme/app"}.Complete()
	wantSub := "repo:acme@" + job.RepositoryOwnerID + "/app@" + job.RepositoryID + ":environment:prod:actor:acme"
	if claims["sub"] != wantSub || claims["aud"] != AudienceSTS || claims["repo_property_team"] != "web" {
		t.Errorf("sub %v aud %v repo_property_team %v; want %s, %s, web", claims["sub"], claims["aud"], claims["repo_property_team"], wantSub, AudienceSTS)
	}
}

func TestMintEndpointRefusesBadBodiesWithAJSONError(t *testing.T) {
	srv := startServer(t)
	cases := map[string]string{
		"an unknown field":        `{"repository":"acme/app","branch":"main"}`,
		"not JSON":                `repository=acme/app`,
		"two JSON values":         `{"repository":"acme/app"}{}`,
		"an invalid repository":   `{"repository":"acme"}`,
		"an unknown template key": `{"repository":"acme/app","include_claim_keys":["nope"]}`,
		"an oversized body":       `{"repository":"acme/app","workflow":"` + strings.Repeat("x", maxBodyBytes) + `"}`,
	}
	for name, body := range cases {
		t.Run(name, func(t *testing.T) {
			var answer errorBody
			decodeAnswer(t, post(t, srv.issuerURL()+"/mint", body), http.StatusBadRequest, &answer)
			if answer.Code != "invalid_request" || answer.Message == "" {
				t.Errorf("error body %+v", answer)
			}
		})
	}
}

func TestGitLabMintEndpointAnswersAGitLabShapedToken(t *testing.T) {
	srv := startServer(t)
	resp := post(t, srv.issuerURL()+"/gitlab/mint", `{"project_path":"group/project","ref":"main","audience":"sts.amazonaws.com"}`)
	var answer tokenResponse
	decodeAnswer(t, resp, http.StatusOK, &answer)
	discovery := getJSON[Discovery](t, srv.issuerURL()+"/gitlab/.well-known/openid-configuration")
	claims := verifyWithJWKS(t, discovery.JWKSURI, srv.issuerURL()+"/gitlab", answer.Value, srv.clock.Now())
	if claims["sub"] != "project_path:group/project:ref_type:branch:ref:main" {
		t.Errorf("sub = %v", claims["sub"])
	}
}

func TestUnknownRoutesAndMethodsAreRefused(t *testing.T) {
	srv := startServer(t)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/idp/nope", http.StatusNotFound},
		{http.MethodGet, "/idp/mint", http.StatusMethodNotAllowed},
		{http.MethodPost, "/idp/.well-known/jwks", http.StatusMethodNotAllowed},
		{http.MethodPost, "/idp/actions/idtoken", http.StatusMethodNotAllowed},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, resp.StatusCode, tc.status)
		}
	}
}

func TestAnInternalErrorHidesItsDetail(t *testing.T) {
	srv := startServer(t)
	if err := os.Remove(filepath.Join(srv.keys.Dir(), keysFileName)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get(srv.issuerURL() + "/.well-known/jwks")
	if err != nil {
		t.Fatal(err)
	}
	var answer errorBody
	decodeAnswer(t, resp, http.StatusInternalServerError, &answer)
	if answer.Code != "internal_error" || strings.Contains(answer.Message, srv.keys.Dir()) {
		t.Errorf("error body %+v leaks detail or lacks the code", answer)
	}
}

func post(t *testing.T, target, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(target, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", target, err)
	}
	return resp
}

func decodeAnswer(t *testing.T, resp *http.Response, status int, v any) {
	t.Helper()
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q, want application/json", ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

// queryEscapeLikeEncodeURIComponent is how actions/toolkit encodes the audience.
func queryEscapeLikeEncodeURIComponent(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

func TestTokensMintedDuringRotationsAllVerify(t *testing.T) {
	srv := startServer(t)
	rotator := openTestKeys(t, srv.keys.Dir(), srv.clock)
	tokens := make(chan string, 64)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 8 {
				token, err := srv.issuer.Mint(TokenRequest{JobContext: JobContext{Job: Job{Repository: "acme/app"}}})
				if err != nil {
					t.Error(err)
					return
				}
				tokens <- token
			}
		})
	}
	for range 2 {
		if _, err := rotator.Rotate(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(tokens)
	for token := range tokens {
		verifyToken(t, srv.issuerURL(), token, srv.clock.Now())
	}
}
