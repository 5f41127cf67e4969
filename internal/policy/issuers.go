package policy

import (
	"strings"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// Issuer is a shared multi-tenant OIDC issuer: anyone can get a token from it, so a trust
// policy that trusts it must say which tenant's and which project's tokens it accepts.
type Issuer struct {
	// Name is the CI system, for messages.
	Name string
	// Hosts are the issuer hosts (a '*' matches any run), as in the provider ARN
	// arn:aws:iam::<account>:oidc-provider/<host>[/<path>]; any path is the same issuer
	// family (GitHub's enterprise issuers, CircleCI's per-organisation ones).
	Hosts []string
	// Path, when set, is a pattern the issuer path must match.
	Path string
	// Claims are the claims that scope the subject, most usual first; a trust policy must
	// pin the tenant of at least one of them.
	Claims []ScopeClaim
	// Example is a scoped value of the first claim, for suggested fixes.
	Example string
	// Immutable is true for GitHub, whose subjects have an immutable owner@ID/repo@ID form.
	Immutable bool
}

// ScopeClaim is a claim that scopes the subject, and the shapes its values take.
type ScopeClaim struct {
	Claim string
	// Shapes are the forms a value takes; a value is scoped when one of them pins its
	// tenant field with literal text. An empty list means the whole value is an id that
	// must be literal.
	Shapes []Shape
}

// Shape is one form of a claim value: a tenant field and, optionally, a project field, each
// after a literal prefix and up to an end character (0: the end of the value).
type Shape struct {
	Tenant, Project Field
}

// Field is a part of a claim value.
type Field struct {
	Prefix string
	End    byte
	// Name says what the field holds ("repository owner"), for messages; an empty Name
	// means the shape has no such field.
	Name string
}

// SharedIssuers lists the shared multi-tenant issuers the linter knows: GitHub Actions
// (token.actions.githubusercontent.com, its enterprise-specific issuers and GHE.com
// tenants), GitLab.com, HCP Terraform, CircleCI and Bitbucket Pipelines. It returns a new
// slice on each call.
func SharedIssuers() []Issuer {
	owner := func(prefix string, end byte) Shape {
		return Shape{Tenant: Field{prefix, '/', "repository owner"}, Project: Field{"", end, "repository"}}
	}
	id := func(prefix string, end byte, name string) Shape { return Shape{Tenant: Field{prefix, end, name}} }
	return []Issuer{
		{Name: "GitHub Actions", Hosts: []string{"token.actions.githubusercontent.com", "token.actions.*.ghe.com"},
			Example: "repo:OWNER/REPO:*", Immutable: true,
			Claims: []ScopeClaim{
				{"sub", []Shape{owner("repo:", ':'), owner("repository:", ':'), id("repository_owner:", ':', "repository owner"),
					id("repository_owner_id:", ':', "repository owner id"), id("repository_id:", ':', "repository id"),
					owner("job_workflow_ref:", '/')}},
				{"repository", []Shape{owner("", 0)}},
				{"repository_id", nil},
				{"job_workflow_ref", []Shape{owner("", '/')}},
			}},
		{Name: "GitLab.com", Hosts: []string{"gitlab.com"}, Example: "project_path:GROUP/PROJECT:*",
			Claims: []ScopeClaim{
				{"sub", []Shape{{Tenant: Field{"project_path:", '/', "group"}, Project: Field{"", ':', "project"}}}},
				{"project_path", []Shape{{Tenant: Field{"", '/', "group"}, Project: Field{"", 0, "project"}}}},
				{"project_id", nil},
			}},
		{Name: "HCP Terraform", Hosts: []string{"app.terraform.io"}, Example: "organization:ORG:project:PROJECT:workspace:WORKSPACE:run_phase:*",
			Claims: []ScopeClaim{
				{"sub", []Shape{{Tenant: Field{"organization:", ':', "organization"}, Project: Field{"project:", ':', "project"}}}},
				{"terraform_full_workspace", []Shape{{Tenant: Field{"organization:", ':', "organization"}, Project: Field{"project:", ':', "project"}}}},
				{"terraform_workspace_id", nil},
				{"terraform_project_id", nil},
			}},
		{Name: "CircleCI", Hosts: []string{"oidc.circleci.com"}, Example: "org/ORG_ID/project/PROJECT_ID/*",
			Claims: []ScopeClaim{
				{"sub", []Shape{{Tenant: Field{"org/", '/', "organization"}, Project: Field{"project/", '/', "project"}}}},
				{"oidc.circleci.com/project-id", nil},
			}},
		{Name: "Bitbucket Pipelines", Hosts: []string{"api.bitbucket.org"}, Path: "2.0/workspaces/*", Example: "{REPOSITORY_UUID}:*",
			Claims: []ScopeClaim{
				{"sub", []Shape{id("", ':', "repository")}},
				{"repositoryUuid", nil},
			}},
	}
}

// SharedIssuer returns the shared issuer that issuer (a provider URL, with or without
// https://, or the part of a provider ARN after "oidc-provider/") belongs to.
func SharedIssuer(issuer string) (Issuer, bool) {
	issuer = strings.TrimSuffix(strings.TrimPrefix(issuer, "https://"), "/")
	host, path, _ := strings.Cut(issuer, "/")
	for _, is := range SharedIssuers() {
		if is.Path != "" && !condition.CompilePattern(is.Path, false).Match(path) {
			continue
		}
		for _, h := range is.Hosts {
			if condition.CompilePattern(h, true).Match(host) {
				return is, true
			}
		}
	}
	return Issuer{}, false
}
