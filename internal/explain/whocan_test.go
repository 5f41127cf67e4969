package explain

import (
	"io"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/policy"
)

func TestSubjectPatternsAreSaidInPlainWords(t *testing.T) {
	cases := []struct {
		value    string
		like     bool
		words    string
		unscoped bool
	}{
		{"repo:acme/app:*", true, "any workflow of repository acme/app, on any ref", false},
		{"repo:acme/app:ref:refs/heads/main", true, "workflows of repository acme/app on branch main", false},
		{"repo:acme/app:ref:refs/heads/main", false, "workflows of repository acme/app on branch main", false},
		{"repo:acme/app:ref:refs/heads/*", true, "workflows of repository acme/app on any branch", false},
		{"repo:acme/app:ref:refs/heads/release-*", true, `workflows of repository acme/app on branches matching "release-*"`, false},
		{"repo:acme/app:ref:refs/tags/v*", true, `workflows of repository acme/app on tags matching "v*"`, false},
		{"repo:acme/app:ref:*", true, "workflows of repository acme/app on any branch or tag", false},
		{"repo:acme/app:environment:prod", true, "workflows of repository acme/app in environment prod", false},
		{"repo:acme/app:environment:*", true, "workflows of repository acme/app in any environment", false},
		{"repo:acme/app:pull_request", true, "workflows of repository acme/app for pull requests", false},
		{"repo:acme/*", true, "any workflow of any repository of owner acme, on any ref — owner-wide", false},
		{"repo:acme/*:ref:refs/heads/main", true, "workflows of any repository of owner acme on branch main — owner-wide", false},
		{"repo:acme/app-*:*", true, `any workflow of repositories matching "app-*" of owner acme, on any ref`, false},
		{"repo:*", true, "any repository of any owner — unscoped!", true},
		{"*", true, "any repository of any owner — unscoped!", true},
		{"repo:*/*:*", true, "any repository of any owner — unscoped!", true},
		{"repo:*/app:*", true, `any workflow of repository "app" of any owner, on any ref — unscoped!`, true},
		{"repo:acme*", true, `any workflow of any repository of owners matching "acme*", on any ref — unscoped!`, true},
		{"repo:acme@9919/app@740219485:ref:refs/heads/main", true, "workflows of repository acme/app (immutable ids 9919/740219485) on branch main", false},
		{"repo:acme/app:*", false, `only the literal subject "repo:acme/app:*" ('*' and '?' are no wildcards here)`, false},
		{"repo:acme/app:job_workflow_ref:acme/ci/.github/workflows/d.yml@refs/heads/main", true,
			`workflows of repository acme/app with subject context equal to "job_workflow_ref:acme/ci/.github/workflows/d.yml@refs/heads/main"`, false},
		{"project:acme", true, `subjects equal to "project:acme"`, false},
	}
	for _, c := range cases {
		words, unscoped := DescribeSubject(c.value, c.like)
		if words != c.words || unscoped != c.unscoped {
			t.Errorf("%q (like %v):\n  %q %v\nwant\n  %q %v", c.value, c.like, words, unscoped, c.words, c.unscoped)
		}
	}
}

func analyse(t *testing.T, doc string) *Analysis {
	t.Helper()
	return WhoCanAssume(mustParse(t, doc, policy.Trust), policy.LintOptions{ClientIDs: map[string][]string{ghPrefix: {"sts.amazonaws.com"}}})
}

func TestTheSeedTrustIsAnyWorkflowOfItsRepositoryWithoutFindings(t *testing.T) {
	a := analyse(t, seedTrust)
	if len(a.Grants) != 1 || a.Grants[0].Unscoped || len(a.Findings) != 1 || a.Findings[0].Severity != policy.Info {
		t.Fatalf("analysis = %+v", a)
	}
	g := a.Grants[0]
	if len(g.Who) != 1 || g.Who[0] != "any workflow of repository acme/app, on any ref" {
		t.Fatalf("who = %q", g.Who)
	}
	if g.Principals[0].Shared != "GitHub Actions" || g.Principals[0].Issuer != ghPrefix {
		t.Fatalf("principals = %+v", g.Principals)
	}
	rendered(t, "who-can-assume-seed.txt", func(w io.Writer) error { return WriteAnalysis(w, a) })
}

func TestAnAudienceOnlyTrustIsUnscopedWithTheLintersError(t *testing.T) {
	a := analyse(t, trustWith(`{"StringEquals":{`+audSTS+`}}`))
	g := a.Grants[0]
	if !g.Unscoped || len(g.Who) != 1 || !strings.HasSuffix(g.Who[0], "unscoped!") {
		t.Fatalf("grant = %+v", g)
	}
	if !policy.HasError(a.Findings) {
		t.Fatalf("the linter's error is missing: %+v", a.Findings)
	}
	rendered(t, "who-can-assume-unscoped.txt", func(w io.Writer) error { return WriteAnalysis(w, a) })
}

func TestEveryStatementAndEveryValueIsAnalysed(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[
	  {"Sid":"Deploy","Effect":"Allow","Principal":{"Federated":"` + ghProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
	   "Condition":{"StringEquals":{` + audSTS + `},
	     "StringLike":{` + subAcme + `:["repo:acme/app:ref:refs/heads/main","repo:acme/app:environment:prod","repo:acme/*"]}}},
	  {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"},
	  {"Sid":"NoForks","Effect":"Deny","Principal":{"Federated":"` + ghProvider + `"},"Action":"sts:AssumeRoleWithWebIdentity",
	   "Condition":{"StringEquals":{"token.actions.githubusercontent.com:event_name":"pull_request_target"}}}]}`
	a := analyse(t, doc)
	if len(a.Grants) != 2 || len(a.Denies) != 1 || len(a.Grants[0].Who) != 3 || len(a.Grants[1].Who) != 0 {
		t.Fatalf("analysis = %+v", a)
	}
	if a.Denies[0].Conditions[0] != `event_name is "pull_request_target"` {
		t.Fatalf("deny conditions = %q", a.Denies[0].Conditions)
	}
	rendered(t, "who-can-assume-mixed.txt", func(w io.Writer) error { return WriteAnalysis(w, a) })
	rendered(t, "who-can-assume-mixed.json", func(w io.Writer) error { return WriteJSON(w, a) })
}

func TestGitHubShapedSubjectsOfOtherIssuersAreSaidInGitHubsWords(t *testing.T) {
	const dev = "arn:aws:iam::" + account + ":oidc-provider/127.0.0.1:8750/idp"
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":["` + dev + `","` + otherProv + `"]},
	  "Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{
	    "127.0.0.1:8750/idp:sub":"repo:acme/app:*","gitlab.com:sub":"project_path:acme/app:ref_type:branch:ref:*"}}}]}`
	g := analyse(t, doc).Grants[0]
	want := []string{"any workflow of repository acme/app, on any ref", `subjects matching "project_path:acme/app:ref_type:branch:ref:*"`}
	if len(g.Who) != 2 || g.Who[0] != want[0] || g.Who[1] != want[1] || g.Principals[0].Shared != "" || g.Principals[1].Shared != "GitLab.com" {
		t.Fatalf("grant = %+v", g)
	}
}
