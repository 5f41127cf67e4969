package devidp

import (
	"errors"
	"reflect"
	"strconv"
	"testing"
)

func TestCompleteDerivesEveryClaimFromRepositoryAndRef(t *testing.T) {
	job, err := Job{Repository: "acme/app", Ref: "refs/heads/deploy"}.Complete()
	if err != nil {
		t.Fatal(err)
	}
	fixed := map[string]string{
		"repository": "acme/app", "repository_owner": "acme", "repository_visibility": "private",
		"ref": "refs/heads/deploy", "ref_type": "branch", "ref_protected": "false",
		"event_name": "push", "actor": "acme", "workflow": "CI",
		"workflow_ref":     "acme/app/.github/workflows/ci.yml@refs/heads/deploy",
		"job_workflow_ref": "acme/app/.github/workflows/ci.yml@refs/heads/deploy",
		"run_number":       "1", "run_attempt": "1", "runner_environment": "github-hosted",
		"head_ref": "", "base_ref": "",
	}
	claims := job.claims()
	for name, want := range fixed {
		if got, ok := claims[name]; !ok || got != want {
			t.Errorf("claim %s = %q (present %v), want %q", name, got, ok, want)
		}
	}
	for _, name := range []string{"repository_id", "repository_owner_id", "actor_id", "run_id", "check_run_id"} {
		if _, err := strconv.ParseUint(claims[name], 10, 64); err != nil {
			t.Errorf("claim %s = %q, want a decimal string", name, claims[name])
		}
	}
	if claims["actor_id"] != claims["repository_owner_id"] {
		t.Errorf("the owner acting is one account: actor_id %s, repository_owner_id %s", claims["actor_id"], claims["repository_owner_id"])
	}
	for _, name := range []string{"sha", "workflow_sha", "job_workflow_sha"} {
		if hexSHA(name, claims[name]) != nil {
			t.Errorf("claim %s = %q, want 40 hex digits", name, claims[name])
		}
	}
	for _, absent := range []string{"environment", "environment_node_id", "enterprise", "enterprise_id"} {
		if _, ok := claims[absent]; ok {
			t.Errorf("claim %s present, want it absent as in GitHub's tokens", absent)
		}
	}
}

func TestCompleteIsDeterministicAndIdempotent(t *testing.T) {
	first, err := Job{Repository: "acme/app", Environment: "prod"}.Complete()
	if err != nil {
		t.Fatal(err)
	}
	second, _ := Job{Repository: "acme/app", Environment: "prod"}.Complete()
	again, err := first.Complete()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, second) || !reflect.DeepEqual(first, again) {
		t.Errorf("Complete is not deterministic and idempotent:\n%+v\n%+v\n%+v", first, second, again)
	}
	other, _ := Job{Repository: "acme/api"}.Complete()
	if other.RepositoryID == first.RepositoryID || other.RepositoryOwnerID != first.RepositoryOwnerID {
		t.Errorf("ids: acme/app %s/%s, acme/api %s/%s; want distinct repositories under one owner",
			first.RepositoryOwnerID, first.RepositoryID, other.RepositoryOwnerID, other.RepositoryID)
	}
	if first.EnvironmentNodeID == "" {
		t.Error("a job with an environment has no environment_node_id")
	}
}

func TestCompleteKeepsGivenValues(t *testing.T) {
	given := Job{
		Repository: "acme/app", RepositoryID: "74", RepositoryOwnerID: "65", Ref: "refs/tags/v1.2.0",
		Actor: "octocat", ActorID: "12", EventName: "workflow_dispatch", RunID: "42", RunAttempt: "2",
		RepositoryVisibility: "public", RunnerEnvironment: "self-hosted", Enterprise: "acme-corp",
	}
	job, err := given.Complete()
	if err != nil {
		t.Fatal(err)
	}
	if job.RefType != "tag" || job.RepositoryID != "74" || job.ActorID != "12" || job.RunAttempt != "2" ||
		job.EventName != "workflow_dispatch" || job.RepositoryVisibility != "public" || job.RunnerEnvironment != "self-hosted" {
		t.Errorf("given values changed: %+v", job)
	}
	if job.EnterpriseID == "" {
		t.Error("an enterprise job has no enterprise_id")
	}
}

func TestCompleteDefaultsAPullRequestJob(t *testing.T) {
	job, err := Job{Repository: "acme/app", EventName: "pull_request"}.Complete()
	if err != nil {
		t.Fatal(err)
	}
	if job.Ref != "refs/pull/1/merge" || job.RefType != "branch" || job.BaseRef != "main" || job.HeadRef == "" {
		t.Errorf("pull request defaults: ref %q ref_type %q base_ref %q head_ref %q", job.Ref, job.RefType, job.BaseRef, job.HeadRef)
	}
}

func TestCompleteRefusesBadValuesNamingTheField(t *testing.T) {
	cases := []struct {
		name  string
		job   Job
		field string
	}{
		{"no repository", Job{}, "repository"},
		{"a repository without owner", Job{Repository: "app"}, "repository"},
		{"a repository with two slashes", Job{Repository: "acme/app/x"}, "repository"},
		{"a repository with a colon", Job{Repository: "acme/app:x"}, "repository"},
		{"an owner with @", Job{Repository: "ac@me/app"}, "repository"},
		{"an owner that is not the repository's", Job{Repository: "acme/app", RepositoryOwner: "evil"}, "repository_owner"},
		{"a ref outside heads, tags and pull", Job{Repository: "acme/app", Ref: "refs/notes/x"}, "ref"},
		{"an unknown visibility", Job{Repository: "acme/app", RepositoryVisibility: "secret"}, "repository_visibility"},
		{"an unknown runner environment", Job{Repository: "acme/app", RunnerEnvironment: "cloud"}, "runner_environment"},
		{"a non-numeric repository id", Job{Repository: "acme/app", RepositoryID: "R_kgDO"}, "repository_id"},
		{"a short sha", Job{Repository: "acme/app", SHA: "abc123"}, "sha"},
		{"a control character in the environment", Job{Repository: "acme/app", Environment: "prod\n"}, "environment"},
		{"a property name with a space", Job{Repository: "acme/app", RepoProperties: map[string]string{"a b": "x"}}, "repo_properties"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.job.Complete()
			var fe *FieldError
			if !errors.As(err, &fe) || !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("Complete error = %v, want a *FieldError", err)
			}
			if fe.Field != tc.field {
				t.Errorf("field = %q, want %q (%v)", fe.Field, tc.field, err)
			}
		})
	}
}

func TestRepositoryPropertiesBecomePrefixedClaims(t *testing.T) {
	job, err := Job{Repository: "my-org/my-repo", RepoProperties: map[string]string{
		"business_unit": "payments", "regions": "us-east-1,eu-west-1",
	}}.Complete()
	if err != nil {
		t.Fatal(err)
	}
	claims := job.claims()
	if claims["repo_property_business_unit"] != "payments" || claims["repo_property_regions"] != "us-east-1,eu-west-1" {
		t.Errorf("claims = %v", claims)
	}
	if _, ok := claims["repo_properties"]; ok {
		t.Error("the repo_properties object leaked into the claims")
	}
}
