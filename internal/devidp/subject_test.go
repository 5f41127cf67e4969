package devidp

import (
	"errors"
	"strings"
	"testing"
)

// The expected values below are the examples of GitHub's OIDC reference
// (https://docs.github.com/en/actions/reference/security/oidc, aws-federation.md §7).
func TestSubjectMatchesGitHubsDocumentedExamples(t *testing.T) {
	octo := func(mod func(*Job)) Job {
		j := Job{Repository: "octo-org/octo-repo"}
		mod(&j)
		return j
	}
	reusable := "octo-org/octo-automation/.github/workflows/oidc.yml@refs/heads/main"
	cases := []struct {
		name string
		ctx  JobContext
		want string
	}{
		{"a job with an environment names the environment",
			JobContext{Job: octo(func(j *Job) { j.Environment = "Production" })},
			"repo:octo-org/octo-repo:environment:Production"},
		{"a pull_request event without environment names pull_request",
			JobContext{Job: octo(func(j *Job) { j.EventName = "pull_request" })},
			"repo:octo-org/octo-repo:pull_request"},
		{"a push to a branch names the branch ref",
			JobContext{Job: octo(func(j *Job) { j.Ref = "refs/heads/demo-branch" })},
			"repo:octo-org/octo-repo:ref:refs/heads/demo-branch"},
		{"a push of a tag names the tag ref",
			JobContext{Job: octo(func(j *Job) { j.Ref = "refs/tags/demo-tag" })},
			"repo:octo-org/octo-repo:ref:refs/tags/demo-tag"},
		{"a colon inside the environment is written %3A",
			JobContext{Job: octo(func(j *Job) { j.Environment = "Production:V1" })},
			"repo:octo-org/octo-repo:environment:Production%3AV1"},
		{"the immutable form puts owner and repository ids after @",
			JobContext{Job: octo(func(j *Job) { j.RepositoryOwnerID, j.RepositoryID = "123456", "456789" }),
				SubjectTemplate: SubjectTemplate{Immutable: true}},
			"repo:octo-org@123456/octo-repo@456789:ref:refs/heads/main"},
		{"a template of owner and visibility",
			JobContext{Job: Job{Repository: "monalisa/app", RepositoryVisibility: "private"},
				SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"repository_owner", "repository_visibility"}}},
			"repository_owner:monalisa:repository_visibility:private"},
		{"a template of the owner alone",
			JobContext{Job: Job{Repository: "monalisa/app"},
				SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"repository_owner"}}},
			"repository_owner:monalisa"},
		{"a template requiring a reusable workflow",
			JobContext{Job: octo(func(j *Job) { j.JobWorkflowRef = reusable }),
				SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"job_workflow_ref"}}},
			"job_workflow_ref:" + reusable},
		{"a template of repo, context and reusable workflow",
			JobContext{Job: octo(func(j *Job) { j.Environment, j.JobWorkflowRef = "prod", reusable }),
				SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"repo", "context", "job_workflow_ref"}}},
			"repo:octo-org/octo-repo:environment:prod:job_workflow_ref:" + reusable},
		{"a template of repo alone",
			JobContext{Job: octo(func(j *Job) { j.Environment = "prod" }),
				SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"repo"}}},
			"repo:octo-org/octo-repo"},
		{"a template escapes colons in every value",
			JobContext{Job: octo(func(j *Job) { j.Environment = "production:eastus" }),
				SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"environment", "repository_owner"}}},
			"environment:production%3Aeastus:repository_owner:octo-org"},
		{"a template names a repository custom property by its claim name",
			JobContext{Job: octo(func(j *Job) { j.RepoProperties = map[string]string{"workspace_id": "ws-abc123"} }),
				SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"repo_property_workspace_id"}}},
			"repo_property_workspace_id:ws-abc123"},
		{"the reset template repo, context equals the default",
			JobContext{Job: octo(func(j *Job) { j.Ref = "refs/heads/demo-branch" }),
				SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"repo", "context"}}},
			"repo:octo-org/octo-repo:ref:refs/heads/demo-branch"},
		{"the immutable ids stay in the repo segment of a custom template",
			JobContext{Job: octo(func(j *Job) { j.RepositoryOwnerID, j.RepositoryID, j.Environment = "123456", "456789", "prod" }),
				SubjectTemplate: SubjectTemplate{Immutable: true, IncludeClaimKeys: []string{"repo", "context", "actor"}}},
			"repo:octo-org@123456/octo-repo@456789:environment:prod:actor:octo-org"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ctx.Subject()
			if err != nil {
				t.Fatalf("Subject: %v", err)
			}
			if got != tc.want {
				t.Errorf("sub = %q\nwant  %q", got, tc.want)
			}
		})
	}
}

func TestSubjectPrecedenceIsEnvironmentThenPullRequestThenRef(t *testing.T) {
	cases := []struct {
		name string
		job  Job
		want string
	}{
		{"an environment beats a pull_request event",
			Job{Repository: "acme/app", EventName: "pull_request", Environment: "review"},
			"repo:acme/app:environment:review"},
		{"a pull_request event beats its merge ref",
			Job{Repository: "acme/app", Ref: "refs/pull/7/merge"},
			"repo:acme/app:pull_request"},
		{"a pull_request_target event runs on the base ref and names it",
			Job{Repository: "acme/app", EventName: "pull_request_target", Ref: "refs/heads/main"},
			"repo:acme/app:ref:refs/heads/main"},
		{"a bare branch name is a branch ref",
			Job{Repository: "acme/app", Ref: "deploy"},
			"repo:acme/app:ref:refs/heads/deploy"},
		{"no ref at all is the main branch",
			Job{Repository: "acme/app"},
			"repo:acme/app:ref:refs/heads/main"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := JobContext{Job: tc.job}.Subject()
			if err != nil {
				t.Fatalf("Subject: %v", err)
			}
			if got != tc.want {
				t.Errorf("sub = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSubjectTemplatesThatCannotBeRenderedAreRefused(t *testing.T) {
	cases := []struct {
		name    string
		keys    []string
		wantMsg string
	}{
		{"an environment key for a job without environment", []string{"repo", "environment"}, "no environment claim"},
		{"an enterprise key outside an enterprise", []string{"enterprise"}, "no enterprise claim"},
		{"a key GitHub does not issue", []string{"repo", "branch"}, "not a claim GitHub issues"},
		{"a standard claim", []string{"aud"}, "not a claim GitHub issues"},
		{"a key with a colon", []string{"repo:x"}, "only letters, digits and underscores"},
		{"an empty key", []string{""}, "only letters, digits and underscores"},
		{"a repeated key", []string{"repo", "actor", "repo"}, "appears twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := JobContext{Job: Job{Repository: "acme/app"}, SubjectTemplate: SubjectTemplate{IncludeClaimKeys: tc.keys}}
			sub, err := ctx.Subject()
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("Subject = %q, %v; want an ErrInvalidRequest", sub, err)
			}
			var fe *FieldError
			if !errors.As(err, &fe) || fe.Field != "include_claim_keys" || !strings.Contains(fe.Problem, tc.wantMsg) {
				t.Errorf("error %v; want field include_claim_keys saying %q", err, tc.wantMsg)
			}
		})
	}
}

func TestSubjectOfAnEmptyBranchValueIsStillOneSegment(t *testing.T) {
	ctx := JobContext{Job: Job{Repository: "acme/app"}, SubjectTemplate: SubjectTemplate{IncludeClaimKeys: []string{"repo", "head_ref"}}}
	got, err := ctx.Subject()
	if err != nil {
		t.Fatal(err)
	}
	if want := "repo:acme/app:head_ref:"; got != want {
		t.Errorf("sub = %q, want %q (head_ref is carried empty outside pull requests)", got, want)
	}
}
