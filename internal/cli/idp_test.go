package cli

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRunnerEnvPrintsWhatARunnerSetsAndTheURLAnswersAToken(t *testing.T) {
	s := startTestServer(t)
	code, out, errOut := run(t, nil, "", "idp", "runner-env", "--endpoint", s.url, "--repo", "acme/app", "--ref", "deploy", "--environment", "prod")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	vars := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		name, value, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok || !strings.HasPrefix(line, "export ") {
			t.Fatalf("not an export line: %q", line)
		}
		vars[name] = strings.Trim(value, "'")
	}
	if !strings.HasPrefix(vars["ACTIONS_ID_TOKEN_REQUEST_URL"], s.url+"/idp/actions/idtoken?") {
		t.Fatalf("URL = %q", vars["ACTIONS_ID_TOKEN_REQUEST_URL"])
	}
	token, err := fetchRunnerToken(context.Background(), http.DefaultClient, vars["ACTIONS_ID_TOKEN_REQUEST_URL"],
		vars["ACTIONS_ID_TOKEN_REQUEST_TOKEN"], "sts.amazonaws.com")
	if err != nil {
		t.Fatal(err)
	}
	claims, err := decodeClaims(token)
	if err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != "repo:acme/app:environment:prod" || claims["ref"] != "refs/heads/deploy" || claims["aud"] != "sts.amazonaws.com" ||
		claims["iss"] != s.url+"/idp" {
		t.Fatalf("claims = %v", claims)
	}

	code, out, _ = run(t, nil, "", "idp", "runner-env", "--endpoint", s.url, "--repo", "acme/app", "--github-env")
	if code != 0 || !strings.HasPrefix(out, "ACTIONS_ID_TOKEN_REQUEST_URL="+s.url) || !strings.Contains(out, "\nACTIONS_ID_TOKEN_REQUEST_TOKEN=") {
		t.Fatalf("--github-env output: %q", out)
	}
}

func TestTokenPrintsAJWTShapedByTheFlags(t *testing.T) {
	s := startTestServer(t)
	cases := []struct {
		name  string
		args  []string
		check func(t *testing.T, claims map[string]any)
	}{
		{"a default GitHub token", nil, func(t *testing.T, c map[string]any) {
			if c["sub"] != "repo:acme/app:ref:refs/heads/main" || c["aud"] != "sts.amazonaws.com" || c["exp"].(float64)-c["iat"].(float64) != 300 {
				t.Fatalf("claims = %v", c)
			}
		}},
		{"an event, actor and custom sub", []string{"--event", "workflow_dispatch", "--actor", "octocat", "--sub-claim-keys", "repo,context,actor"},
			func(t *testing.T, c map[string]any) {
				if c["sub"] != "repo:acme/app:ref:refs/heads/main:actor:octocat" || c["event_name"] != "workflow_dispatch" {
					t.Fatalf("claims = %v", c)
				}
			}},
		{"the immutable subject", []string{"--immutable-sub"}, func(t *testing.T, c map[string]any) {
			if !strings.HasPrefix(c["sub"].(string), "repo:acme@"+c["repository_owner_id"].(string)+"/app@"+c["repository_id"].(string)+":") {
				t.Fatalf("sub = %v", c["sub"])
			}
		}},
		{"an expired token", []string{"--issued-at", "-1h", "--lifetime", "60s", "--audience", "other"}, func(t *testing.T, c map[string]any) {
			exp := time.Unix(int64(c["exp"].(float64)), 0)
			if time.Since(exp) < 58*time.Minute || c["aud"] != "other" {
				t.Fatalf("exp %v, aud %v", exp, c["aud"])
			}
		}},
		{"a GitLab token", []string{"--gitlab", "--repo", "group/project", "--ref", "main"}, func(t *testing.T, c map[string]any) {
			if c["iss"] != s.url+"/idp/gitlab" || c["sub"] != "project_path:group/project:ref_type:branch:ref:main" {
				t.Fatalf("claims = %v", c)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"idp", "token", "--endpoint", s.url, "--repo", "acme/app"}, tc.args...)
			code, out, errOut := run(t, nil, "", args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			claims, err := decodeClaims(strings.TrimSpace(out))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, claims)
		})
	}
}

func TestIdpCommandsSayWhatIsWrong(t *testing.T) {
	s := startTestServer(t)
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no subcommand", []string{"idp"}, 2, "a subcommand is required"},
		{"an unknown subcommand", []string{"idp", "mint"}, 2, `unknown idp command "mint"`},
		{"no repository", []string{"idp", "token", "--endpoint", s.url}, 2, "--repo is required"},
		{"a repository the IdP refuses", []string{"idp", "token", "--endpoint", s.url, "--repo", "no-slash"}, 1, "the test identity provider refused: "},
		{"a bad issued-at", []string{"idp", "token", "--repo", "a/b", "--issued-at", "yesterday"}, 2, "--issued-at"},
		{"a fractional lifetime", []string{"idp", "token", "--repo", "a/b", "--lifetime", "1.5s"}, 2, "--lifetime"},
		{"a server without the IdP", []string{"idp", "runner-env", "--repo", "a/b", "--endpoint", "http://127.0.0.1:1"}, 1, "cannot reach the test identity provider"},
		{"keys of an empty data directory", []string{"idp", "keys", "--data-dir", t.TempDir()}, 1, "holds no test identity provider keys"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, nil, "", tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, errOut, tc.code, tc.want)
			}
		})
	}
}

func TestRotateKeysMakesANewKeyActiveForTheRunningServer(t *testing.T) {
	s := startTestServer(t)
	before := mintKeyID(t, s)
	code, out, errOut := run(t, nil, "", "idp", "rotate-keys", "--data-dir", s.dataDir, "--grace", "2h")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "published until") || strings.Count(out, "active") != 2 { // the headline and one row
		t.Fatalf("rotate-keys output:\n%s", out)
	}
	after := mintKeyID(t, s)
	if after == before || !strings.Contains(out, "new active key "+after) {
		t.Fatalf("kid %s before, %s after; output:\n%s", before, after, out)
	}
	code, listing, _ := run(t, map[string]string{"INKAN_DATA_DIR": s.dataDir}, "", "idp", "keys")
	if code != 0 || !strings.Contains(listing, before) || !strings.Contains(listing, after) {
		t.Fatalf("keys:\n%s", listing)
	}
	if lines := strings.Split(strings.TrimSpace(listing), "\n"); len(lines) != 3 || !strings.Contains(lines[1], after) {
		t.Fatalf("keys are not listed active first:\n%s", listing)
	}
}

// mintKeyID mints a token through the CLI and returns the kid of its header.
func mintKeyID(t *testing.T, s *testServer) string {
	t.Helper()
	_, out, _ := run(t, nil, "", "idp", "token", "--endpoint", s.url, "--repo", "acme/app")
	header, _, _ := strings.Cut(strings.TrimSpace(out), ".")
	claims, err := decodeClaims("x." + header + ".x")
	if err != nil {
		t.Fatal(err)
	}
	return claims["kid"].(string)
}

func TestTokenOptionsReadRelativeAndAbsoluteIssueTimes(t *testing.T) {
	now := time.Date(2026, 8, 1, 12, 0, 0, 500, time.UTC)
	o, err := tokenOptions("aud", 90*time.Second, "-2h", now)
	if err != nil || !o.IssuedAt.Equal(time.Date(2026, 8, 1, 10, 0, 0, 0, time.UTC)) || o.LifetimeSeconds != 90 || o.Audience != "aud" {
		t.Fatalf("%+v, %v", o, err)
	}
	o, err = tokenOptions("aud", 0, "2026-07-01T00:00:00Z", now)
	if err != nil || !o.IssuedAt.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) || o.LifetimeSeconds != 0 {
		t.Fatalf("%+v, %v", o, err)
	}
}

func TestTokenOutWritesAFileWithoutANewlineForTokenFileReaders(t *testing.T) {
	s := startTestServer(t)
	path := t.TempDir() + "/token"
	code, out, errOut := run(t, nil, "", "idp", "token", "--endpoint", s.url, "--repo", "acme/app", "--out", path)
	if code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q: %s", code, out, errOut)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := decodeClaims(string(data)); err != nil || strings.ContainsAny(string(data), "\r\n ") {
		t.Fatalf("token file %q: %v", data, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", info.Mode())
	}
}
