package devidp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// FuzzRequestToken feeds arbitrary bearer tokens to the request-token parser. It must
// never panic, must refuse with one of the request-token errors, and may accept only the
// one canonical encoding of a token signed under the secret.
func FuzzRequestToken(f *testing.F) {
	clock := newFakeClock()
	keys := openTestKeys(f, f.TempDir(), clock)
	issuer := newTestIssuer(f, "http://127.0.0.1:8750/idp", keys, clock)
	env, err := issuer.RunnerEnv(JobContext{Job: Job{Repository: "acme/app"}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(env.RequestToken)
	f.Add(requestTokenPrefix + "..")
	f.Add(requestTokenPrefix + ".e30.AAAA")
	f.Add("eyJhbGciOiJIUzI1NiJ9.e30.sig")
	secret, _ := keys.requestSecret()
	f.Fuzz(func(t *testing.T, token string) {
		claims, err := openRequestToken(secret, token)
		if err != nil {
			if !errors.Is(err, ErrRequestTokenInvalid) {
				t.Fatalf("refusal %v is not ErrRequestTokenInvalid", err)
			}
			return
		}
		body, _ := splitLast(token)
		if canonical := body + "." + base64.RawURLEncoding.EncodeToString(requestMAC(secret, body)); canonical != token {
			t.Fatalf("accepted a non-canonical token %q", token)
		}
		if claims.Issuer == "" {
			t.Fatalf("accepted a token without issuer: %+v", claims)
		}
	})
}

// FuzzSubject checks GitHub's sub rules on arbitrary environments, refs and template
// keys: no panic, every refusal a *FieldError, and the default sub always exactly three
// ':'-separated segments after the repository, whatever the values hold.
func FuzzSubject(f *testing.F) {
	f.Add("", "refs/heads/main", "", false)
	f.Add("Production:V1", "deploy", "actor", true)
	f.Add("prod", "refs/pull/1/merge", "environment", false)
	f.Add("a:b:c", "refs/tags/v1:2", "repo_property_x", false)
	f.Add("\x00", "refs/heads/\n", "context", true)
	f.Fuzz(func(t *testing.T, environment, ref, key string, immutable bool) {
		job := Job{Repository: "acme/app", Environment: environment, Ref: ref, RepoProperties: map[string]string{"x": "y:z"}}
		sub, err := JobContext{Job: job, SubjectTemplate: SubjectTemplate{Immutable: immutable}}.Subject()
		var fe *FieldError
		if err != nil {
			if !errors.As(err, &fe) {
				t.Fatalf("refusal %v is not a *FieldError", err)
			}
			return
		}
		wantPrefix := "repo:acme/app:"
		if immutable {
			wantPrefix = "repo:acme@"
		}
		if !strings.HasPrefix(sub, wantPrefix) || strings.Count(sub, ":") != 3 && !strings.HasSuffix(sub, ":pull_request") {
			t.Fatalf("default sub %q: want %s… with exactly three ':' (two for pull_request)", sub, wantPrefix)
		}
		custom, err := JobContext{Job: job, SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{key}}}.Subject()
		if err != nil {
			if !errors.As(err, &fe) {
				t.Fatalf("refusal %v is not a *FieldError", err)
			}
			return
		}
		if key != "context" && (!strings.HasPrefix(custom, key+":") || strings.Count(custom, ":") != 1) {
			t.Fatalf("template [%q] gave %q: want one key:value segment with colons escaped", key, custom)
		}
	})
}

// FuzzMintBody posts arbitrary bodies to POST /mint. The answer must be 200 or 400, never
// a 500 or a panic, and every 200 must carry a token that verifies against the JWKS.
func FuzzMintBody(f *testing.F) {
	clock := newFakeClock()
	keys := openTestKeys(f, f.TempDir(), clock)
	issuer := newTestIssuer(f, "http://127.0.0.1:8750/idp", keys, clock)
	handler := issuer.Handler()
	set, err := keys.JWKS()
	if err != nil {
		f.Fatal(err)
	}
	f.Add(`{"repository":"acme/app"}`)
	f.Add(`{"repository":"acme/app","ref":"deploy","environment":"prod:eu","audience":"sts.amazonaws.com","immutable_subject":true}`)
	f.Add(`{"repository":"acme/app","include_claim_keys":["repo","context","job_workflow_ref"],"lifetime_seconds":60}`)
	f.Add(`{"repository":"acme/app","repo_properties":{"team":"web"},"issued_at":"2026-01-01T00:00:00Z"}`)
	f.Add(`{"repository":"acme/app","run_id":"x"}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, body string) {
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/mint", strings.NewReader(body)))
		switch rec.Code {
		case http.StatusBadRequest:
			return
		case http.StatusOK:
		default:
			t.Fatalf("POST /mint %q: status %d: %s", body, rec.Code, rec.Body)
		}
		var answer tokenResponse
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil {
			t.Fatalf("POST /mint %q answered %s: %v", body, rec.Body, err)
		}
		parsed, err := jwt.ParseSigned(answer.Value, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatalf("POST /mint %q answered an unparsable token: %v", body, err)
		}
		var claims map[string]any
		if err := parsed.Claims(set.Keys[0], &claims); err != nil {
			t.Fatalf("POST /mint %q answered a token that does not verify: %v", body, err)
		}
	})
}
