package oidctest

import (
	"strconv"
	"strings"
	"time"
)

// GitHubClaims returns a claim set shaped like a GitHub Actions token
// (reference §7): string IDs, exp = iat + 300 s, nbf = iat - 600 s, and the
// custom claims GitHub documents, for repository owner/repo on branch main.
func GitHubClaims(issuer, aud, repo string, now time.Time) map[string]any {
	iat := now.Unix()
	owner, _, _ := strings.Cut(repo, "/")
	return map[string]any{
		"jti": "d2c1f1b0-5a6b-4c4e-9f3a-" + strconv.FormatInt(iat, 16),
		"sub": "repo:" + repo + ":ref:refs/heads/main",
		"aud": aud, "iss": issuer,
		"ref": "refs/heads/main", "ref_type": "branch", "ref_protected": "true",
		"sha":                   "e1f9d8b1c4a14c1b8f3b0a1f6a1c2d3e4f5a6b7c",
		"repository":            repo,
		"repository_id":         "740219485",
		"repository_owner":      owner,
		"repository_owner_id":   "9919",
		"repository_visibility": "private",
		"run_id":                "12345678901", "run_number": "42", "run_attempt": "1",
		"runner_environment": "github-hosted",
		"actor":              "octocat", "actor_id": "583231",
		"workflow":         "deploy",
		"workflow_ref":     repo + "/.github/workflows/deploy.yml@refs/heads/main",
		"workflow_sha":     "e1f9d8b1c4a14c1b8f3b0a1f6a1c2d3e4f5a6b7c",
		"job_workflow_ref": repo + "/.github/workflows/deploy.yml@refs/heads/main",
		"job_workflow_sha": "e1f9d8b1c4a14c1b8f3b0a1f6a1c2d3e4f5a6b7c",
		"event_name":       "push", "head_ref": "", "base_ref": "",
		"check_run_id": "29870123456",
		"nbf":          iat - 600, "iat": iat, "exp": iat + 300,
	}
}
