package devidp

import (
	"errors"
	"testing"
)

// The expected shape follows the example token in GitLab's merge request adding
// ci_config_ref_uri (gitlab-org/gitlab!122373) and GitLab's ID token documentation.
func TestMintGitLabIssuesAGitLabShapedToken(t *testing.T) {
	issuer, clock := newLocalIssuer(t)
	token, err := issuer.MintGitLab(GitLabTokenRequest{
		GitLabJob:    GitLabJob{ProjectPath: "gitlab-org/gitlab-shell", Ref: "memory-limit"},
		TokenOptions: TokenOptions{Audience: AudienceSTS},
	})
	if err != nil {
		t.Fatal(err)
	}
	claims := tokenClaims(t, token)
	iat := float64(clock.Now().Unix())
	for name, want := range map[string]any{
		"iss": "http://127.0.0.1:8750/idp/gitlab", "aud": AudienceSTS,
		"sub":            "project_path:gitlab-org/gitlab-shell:ref_type:branch:ref:memory-limit",
		"namespace_path": "gitlab-org", "project_path": "gitlab-org/gitlab-shell",
		"ref": "memory-limit", "ref_type": "branch", "ref_path": "refs/heads/memory-limit", "ref_protected": "false",
		"pipeline_source":   "push",
		"ci_config_ref_uri": "127.0.0.1:8750/idp/gitlab/gitlab-org/gitlab-shell//.gitlab-ci.yml@refs/heads/memory-limit",
		"iat":               iat, "nbf": iat - 5, "exp": iat + 300,
	} {
		if claims[name] != want {
			t.Errorf("claim %s = %v, want %v", name, claims[name], want)
		}
	}
	if _, isNumber := claims["runner_id"].(float64); !isNumber {
		t.Errorf("runner_id = %#v, want a JSON number as GitLab sends", claims["runner_id"])
	}
	for _, name := range []string{"namespace_id", "project_id", "user_id", "pipeline_id", "job_id"} {
		if digits(name, claims[name].(string)) != nil {
			t.Errorf("claim %s = %v, want a decimal string", name, claims[name])
		}
	}
	if header := tokenHeader(t, token); header["alg"] != "RS256" || header["typ"] != "JWT" || header["kid"] == nil {
		t.Errorf("header %v", header)
	}
}

func TestGitLabSubjectsFollowRefTypeSubgroupsAndComponents(t *testing.T) {
	cases := []struct {
		name string
		req  GitLabTokenRequest
		want string
	}{
		{"a tag ref", GitLabTokenRequest{GitLabJob: GitLabJob{ProjectPath: "group/project", Ref: "refs/tags/v4.2.0"}},
			"project_path:group/project:ref_type:tag:ref:v4.2.0"},
		{"a subgroup project on the default branch", GitLabTokenRequest{GitLabJob: GitLabJob{ProjectPath: "agroup/bgroup/myproject"}},
			"project_path:agroup/bgroup/myproject:ref_type:branch:ref:main"},
		{"custom components", GitLabTokenRequest{GitLabJob: GitLabJob{ProjectPath: "group/project", Environment: "production"},
			IncludeClaimKeys: []string{"project_path", "environment"}},
			"project_path:group/project:environment:production"},
	}
	issuer, _ := newLocalIssuer(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Audience = "https://vault.example.com"
			token, err := issuer.MintGitLab(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if sub := tokenClaims(t, token)["sub"]; sub != tc.want {
				t.Errorf("sub = %v, want %s", sub, tc.want)
			}
		})
	}
}

func TestMintGitLabRefusesBadRequests(t *testing.T) {
	issuer, _ := newLocalIssuer(t)
	aud := TokenOptions{Audience: AudienceSTS}
	cases := map[string]GitLabTokenRequest{
		"no audience":                           {GitLabJob: GitLabJob{ProjectPath: "group/project"}},
		"no project path":                       {TokenOptions: aud},
		"a project path without a group":        {GitLabJob: GitLabJob{ProjectPath: "project"}, TokenOptions: aud},
		"a project path with an empty part":     {GitLabJob: GitLabJob{ProjectPath: "group//project"}, TokenOptions: aud},
		"a namespace that is not the project's": {GitLabJob: GitLabJob{ProjectPath: "group/project", NamespacePath: "other"}, TokenOptions: aud},
		"components not starting with project_path": {GitLabJob: GitLabJob{ProjectPath: "group/project"},
			IncludeClaimKeys: []string{"ref", "project_path"}, TokenOptions: aud},
		"a component the job lacks": {GitLabJob: GitLabJob{ProjectPath: "group/project"},
			IncludeClaimKeys: []string{"project_path", "environment"}, TokenOptions: aud},
		"an unknown ref type": {GitLabJob: GitLabJob{ProjectPath: "group/project", RefType: "commit"}, TokenOptions: aud},
	}
	for name, req := range cases {
		t.Run(name, func(t *testing.T) {
			if token, err := issuer.MintGitLab(req); !errors.Is(err, ErrInvalidRequest) {
				t.Errorf("MintGitLab = %q, %v; want ErrInvalidRequest", token, err)
			}
		})
	}
}
