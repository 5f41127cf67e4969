package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

// trustFor builds a trust policy trusting provider (the part after oidc-provider/) with
// the given Condition JSON.
func trustFor(provider, condition string) string {
	c := ""
	if condition != "" {
		c = `,"Condition":` + condition
	}
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
	  "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/` + provider + `"},
	  "Action":"sts:AssumeRoleWithWebIdentity"` + c + `}]}`
}

const gh = "token.actions.githubusercontent.com"

// ghTrust is a GitHub trust policy with a good aud and the given extra operators.
func ghTrust(ops string) string {
	return trustFor(gh, `{"StringEquals":{"`+gh+`:aud":"sts.amazonaws.com"}`+ops+`}`)
}

type finding struct {
	severity Severity
	path     string
	message  string // a part of the message
}

func TestLintTrustPolicies(t *testing.T) {
	sub := gh + ":sub"
	cases := []struct {
		name string
		doc  string
		opts LintOptions
		want []finding
	}{
		{"the seed's trust policy is clean", seedTrust, LintOptions{}, nil},
		{"the seed's trust policy is clean with its provider's client IDs", seedTrust,
			LintOptions{ClientIDs: map[string][]string{"https://" + gh: {"sts.amazonaws.com"}}}, nil},
		{"no subject condition", ghTrust(""), LintOptions{},
			[]finding{{Error, "Statement[0].Principal.Federated", "without a condition on " + sub}}},
		{"no condition at all", trustFor(gh, ""), LintOptions{}, []finding{
			{Warning, "Statement[0].Principal.Federated", "no condition on " + gh + ":aud"},
			{Error, "Statement[0].Principal.Federated", "without a condition on " + sub}}},
		{"a subject of *", ghTrust(`,"StringLike":{"` + sub + `":"*"}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike." + sub, `"*" matches tokens of any repository owner`}}},
		{"a subject of repo:*", ghTrust(`,"StringLike":{"` + sub + `":"repo:*"}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike." + sub, "any repository owner"}}},
		{"a subject of repo:*/*:*", ghTrust(`,"StringLike":{"` + sub + `":"repo:*/*:*"}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike." + sub, "any repository owner"}}},
		{"a match-everything value among good ones", ghTrust(`,"StringLike":{"` + sub + `":["repo:acme/app:*","repo:*"]}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike." + sub + "[1]", "any repository owner"}}},
		{"an owner prefix is no owner", ghTrust(`,"StringLike":{"` + sub + `":"repo:acme*"}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike." + sub, "any repository owner"}}},
		{"under a set operator", ghTrust(`,"ForAnyValue:StringLike":{"` + sub + `":"repo:*"}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.ForAnyValue:StringLike." + sub, "any repository owner"}}},
		{"a negated operator does not scope", ghTrust(`,"StringNotLike":{"` + sub + `":"repo:evil/*"}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringNotLike." + sub, "does not restrict"}}},
		{"IfExists does not scope", ghTrust(`,"StringLikeIfExists":{"` + sub + `":"repo:acme/app:*"}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLikeIfExists." + sub, "does not restrict"}}},
		{"ForAllValues on the subject", ghTrust(`,"ForAllValues:StringLike":{"` + sub + `":"repo:acme/app:*"}`), LintOptions{}, []finding{
			{Error, "Statement[0].Condition.ForAllValues:StringLike." + sub, "allows every request that lacks the key"},
			{Error, "Statement[0].Condition.ForAllValues:StringLike." + sub, "does not restrict"}}},
		{"a repository condition scopes", trustFor(gh, `{"StringEquals":{"`+gh+`:aud":"sts.amazonaws.com","`+gh+`:repository":"acme/app"}}`), LintOptions{}, nil},
		{"a job_workflow_ref condition scopes", ghTrust(`,"StringLike":{"` + gh + `:job_workflow_ref":"acme/workflows/.github/workflows/deploy.yml@*"}`), LintOptions{}, nil},
		{"a repository_id condition scopes", trustFor(gh, `{"StringEquals":{"`+gh+`:aud":"sts.amazonaws.com","`+gh+`:repository_id":"74"}}`), LintOptions{}, nil},
		{"a scoping condition makes a loose one harmless", ghTrust(`,"StringLike":{"` + sub + `":"repo:acme/app:*"},"StringNotLike":{"` + sub + `":"*:pull_request"}`), LintOptions{}, nil},
		{"StringEquals holding a star", trustFor(gh, `{"StringEquals":{"`+gh+`:aud":"sts.amazonaws.com","`+sub+`":"repo:acme/app:*"}}`), LintOptions{},
			[]finding{{Warning, "Statement[0].Condition.StringEquals." + sub, "its '*' or '?' is no wildcard"}}},
		{"StringLike without a wildcard", trustFor(gh, `{"StringLike":{"`+gh+`:aud":"sts.amazonaws.com","`+sub+`":"repo:acme/app:ref:refs/heads/main"}}`), LintOptions{}, []finding{
			{Warning, "Statement[0].Condition.StringLike." + gh + ":aud", "has no wildcard"},
			{Warning, "Statement[0].Condition.StringLike." + sub, "has no wildcard"}}},
		{"an audience that is not a client ID", seedTrust, LintOptions{ClientIDs: map[string][]string{gh: {"https://github.com/acme"}}},
			[]finding{{Warning, "Statement[0].Condition.StringEquals." + gh + ":aud", `audience "sts.amazonaws.com" is not a client ID`}}},
		{"an owner-wide subject", ghTrust(`,"StringLike":{"` + sub + `":"repo:acme/*"}`), LintOptions{},
			[]finding{{Warning, "Statement[0].Condition.StringLike." + sub, "matches every repository of its owner"}}},
		{"an owner-wide repository", ghTrust(`,"StringLike":{"` + gh + `:repository":"acme/app-*"}`), LintOptions{},
			[]finding{{Warning, "Statement[0].Condition.StringLike." + gh + ":repository", "matches every repository of its owner"}}},
		{"a name-based subject, with info asked for", seedTrust, LintOptions{IncludeInfo: true},
			[]finding{{Info, "Statement[0].Condition.StringLike." + sub, "names the repository by name"}}},
		{"an immutable subject", ghTrust(`,"StringLike":{"` + sub + `":"repo:acme@1234/app@5678:*"}`), LintOptions{IncludeInfo: true}, nil},
		{"a GitHub enterprise issuer", trustFor(gh+"/acme", `{"StringEquals":{"`+gh+`/acme:aud":"sts.amazonaws.com"}}`), LintOptions{},
			[]finding{{Error, "Statement[0].Principal.Federated", "without a condition on " + gh + "/acme:sub"}}},
		{"a GHE.com issuer", trustFor("token.actions.acme.ghe.com", `{"StringEquals":{"token.actions.acme.ghe.com:aud":"sts.amazonaws.com"},"StringLike":{"token.actions.acme.ghe.com:sub":"repo:*"}}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike.token.actions.acme.ghe.com:sub", "any repository owner"}}},
		{"GitLab.com without a group", trustFor("gitlab.com", `{"StringEquals":{"gitlab.com:aud":"https://gitlab.com"},"StringLike":{"gitlab.com:sub":"project_path:*"}}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike.gitlab.com:sub", "any group"}}},
		{"GitLab.com group-wide", trustFor("gitlab.com", `{"StringEquals":{"gitlab.com:aud":"https://gitlab.com"},"StringLike":{"gitlab.com:sub":"project_path:acme/*"}}`), LintOptions{},
			[]finding{{Warning, "Statement[0].Condition.StringLike.gitlab.com:sub", "every project"}}},
		{"GitLab.com scoped", trustFor("gitlab.com", `{"StringEquals":{"gitlab.com:aud":"https://gitlab.com"},"StringLike":{"gitlab.com:sub":"project_path:acme/app:ref_type:branch:ref:main"}}`), LintOptions{},
			[]finding{{Warning, "Statement[0].Condition.StringLike.gitlab.com:sub", "has no wildcard"}}},
		{"HCP Terraform without an organization", trustFor("app.terraform.io", `{"StringEquals":{"app.terraform.io:aud":"aws.workload.identity"},"StringLike":{"app.terraform.io:sub":"organization:*"}}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike.app.terraform.io:sub", "any organization"}}},
		{"HCP Terraform organization-wide", trustFor("app.terraform.io", `{"StringEquals":{"app.terraform.io:aud":"aws.workload.identity"},"StringLike":{"app.terraform.io:sub":"organization:acme:project:*"}}`), LintOptions{},
			[]finding{{Warning, "Statement[0].Condition.StringLike.app.terraform.io:sub", "every project"}}},
		{"CircleCI without a subject", trustFor("oidc.circleci.com/org/0c8b", `{"StringEquals":{"oidc.circleci.com/org/0c8b:aud":"0c8b"}}`), LintOptions{},
			[]finding{{Error, "Statement[0].Principal.Federated", "without a condition on oidc.circleci.com/org/0c8b:sub"}}},
		{"Bitbucket Pipelines with any repository", trustFor("api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc",
			`{"StringEquals":{"api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc:aud":"ari:cloud:bitbucket::workspace/1"},"StringLike":{"api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc:sub":"*"}}`), LintOptions{},
			[]finding{{Error, "Statement[0].Condition.StringLike.api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc:sub", "any repository"}}},
		{"a private issuer needs no subject", trustFor("sso.acme.example", `{"StringEquals":{"sso.acme.example:aud":"inkan"}}`), LintOptions{}, nil},
		{"a Deny is not an Allow", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/` + gh + `"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, LintOptions{}, nil},
		{"a statement that does not allow web identity", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::1:oidc-provider/` + gh + `"},"Action":"sts:TagSession"}]}`, LintOptions{}, nil},
		{"every provider", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"*"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`, LintOptions{},
			[]finding{{Error, "Statement[0].Principal.Federated", "trusts every identity provider"}}},
		{"every principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole*"}]}`, LintOptions{},
			[]finding{{Error, "Statement[0].Principal", "trusts every identity provider"}}},
		{"ForAllValues on a multivalued key", trustFor("sso.acme.example", `{"StringEquals":{"sso.acme.example:aud":"inkan"},"ForAllValues:StringEquals":{"sso.acme.example:amr":["mfa","pwd"]}}`), LintOptions{},
			[]finding{{Warning, "Statement[0].Condition.ForAllValues:StringEquals.sso.acme.example:amr", "absent or empty"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Lint(mustParse(t, c.doc, Trust), c.opts)
			if len(got) != len(c.want) {
				t.Fatalf("Lint = %v, want %d findings", got, len(c.want))
			}
			for i, w := range c.want {
				g := got[i]
				if g.Severity != w.severity || g.Path != w.path || !strings.Contains(g.Message, w.message) || g.Fix == "" {
					t.Errorf("finding %d = %+v, want %v %s containing %q, with a fix", i, g, w.severity, w.path, w.message)
				}
			}
			if _, err := json.Marshal(got); err != nil {
				t.Fatal(err)
			}
			if HasError(got) != (len(c.want) > 0 && hasSeverity(c.want, Error)) {
				t.Fatalf("HasError = %v", HasError(got))
			}
		})
	}
}

func hasSeverity(fs []finding, s Severity) bool {
	for _, f := range fs {
		if f.severity == s {
			return true
		}
	}
	return false
}

func TestLintFlagsForAllValuesInIdentityPolicies(t *testing.T) {
	p := identity(t, `{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:PrincipalTag/team":"blue"}}}`)
	got := Lint(p, LintOptions{})
	if len(got) != 1 || got[0].Severity != Error || got[0].Path != "Statement[0].Condition.ForAllValues:StringEquals.aws:PrincipalTag/team" {
		t.Fatalf("Lint = %v", got)
	}
}

func TestSharedIssuerRecognisesEveryForm(t *testing.T) {
	cases := map[string]string{
		"https://token.actions.githubusercontent.com":                                  "GitHub Actions",
		"token.actions.githubusercontent.com/acme":                                     "GitHub Actions",
		"https://token.actions.acme.ghe.com/":                                          "GitHub Actions",
		"gitlab.com":                                                                   "GitLab.com",
		"https://app.terraform.io":                                                     "HCP Terraform",
		"oidc.circleci.com/org/0c8b5e0e-0000-4000-8000-000":                            "CircleCI",
		"https://api.bitbucket.org/2.0/workspaces/acme/pipelines-config/identity/oidc": "Bitbucket Pipelines",
	}
	for in, want := range cases {
		if is, ok := SharedIssuer(in); !ok || is.Name != want {
			t.Errorf("SharedIssuer(%q) = %q, %v; want %q", in, is.Name, ok, want)
		}
	}
	for _, in := range []string{"gitlab.acme.example", "https://token.actions.githubusercontent.com.evil.example", "api.bitbucket.org/other"} {
		if is, ok := SharedIssuer(in); ok {
			t.Errorf("SharedIssuer(%q) = %q, want none", in, is.Name)
		}
	}
	if a, b := SharedIssuers(), SharedIssuers(); &a[0] == &b[0] {
		t.Fatal("SharedIssuers returns shared state")
	}
}
