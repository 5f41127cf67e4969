package devidp

import (
	"reflect"
	"slices"
	"strings"
)

// SubjectTemplate holds a repository's settings for the `sub` claim
// (https://docs.github.com/en/actions/reference/security/oidc#customizing-the-subject-claims-for-an-organization-or-repository).
// The zero value is GitHub's default subject.
type SubjectTemplate struct {
	// Immutable selects the immutable subject of repositories created, renamed or
	// transferred on or after 2026-07-15 (or opted in): the repo segment reads
	// repo:OWNER@OWNER_ID/NAME@REPO_ID, with or without a custom template.
	Immutable bool `json:"immutable_subject,omitempty"`

	// IncludeClaimKeys is the custom template, as given to GitHub's REST API
	// (PUT /repos/{owner}/{repo}/actions/oidc/customization/sub). The sub becomes
	// key:value segments joined by ':', where "repo" stands for the repository and
	// "context" for the default suffix (environment:NAME, pull_request or ref:REF).
	// Empty means GitHub's default, which is the same as ["repo", "context"].
	IncludeClaimKeys []string `json:"include_claim_keys,omitempty"`
}

// JobContext is one job with its repository's subject settings: what a runner request
// token binds and what every GitHub-shaped token is minted from. Its JSON form is flat:
// the claim names of Job plus include_claim_keys and immutable_subject.
type JobContext struct {
	Job
	SubjectTemplate
}

// Subject returns the `sub` claim GitHub would issue for this job, following GitHub's
// rules: environment beats pull_request beats ref, and every ':' inside a value is
// written %3A. The error matches ErrInvalidRequest.
func (c JobContext) Subject() (string, error) {
	job, err := c.Job.Complete()
	if err != nil {
		return "", err
	}
	return githubSubject(job, job.claims(), c.SubjectTemplate)
}

// githubSubject renders the sub of a completed job whose custom claims are given.
//
// UNCONFIRMED (GitHub documents only the environment case): a template key naming a
// claim this job does not carry (environment without an environment, enterprise
// outside an enterprise) is refused rather than rendered empty, so a trust policy
// is never matched by an accidentally empty segment. head_ref and base_ref are always
// carried (empty outside pull requests), as in GitHub's tokens.
func githubSubject(job Job, claims map[string]string, t SubjectTemplate) (string, error) {
	keys := t.IncludeClaimKeys
	if len(keys) == 0 {
		keys = []string{"repo", "context"}
	}
	return renderSubject(keys, func(key string) (string, error) {
		switch key {
		case "repo":
			return "repo:" + repoSegment(job, t.Immutable), nil
		case "context":
			return githubContext(job), nil
		}
		if value, ok := claims[key]; ok {
			return key + ":" + escapeColons(value), nil
		}
		if slices.Contains(claimNames(Job{}), key) {
			return "", fieldErrorf("include_claim_keys", "%q: this job has no %s claim", key, key)
		}
		return "", fieldErrorf("include_claim_keys", "%q is not a claim GitHub issues", key)
	})
}

// repoSegment is the repository as the sub shows it. In the immutable form the ids follow
// the names after '@', which GitHub names cannot contain.
//
// UNCONFIRMED: with a custom template, GitHub says the ids are "always included in the
// repo segment"; we add them to the repo key only, not to repository_owner or repository.
func repoSegment(job Job, immutable bool) string {
	if !immutable {
		return job.Repository
	}
	_, name, _ := strings.Cut(job.Repository, "/")
	return job.RepositoryOwner + "@" + job.RepositoryOwnerID + "/" + name + "@" + job.RepositoryID
}

// githubContext is the default suffix of the sub, by GitHub's precedence. Only the
// pull_request event gives the pull_request context; pull_request_target runs on the
// base branch and so gets its ref, as on GitHub.
func githubContext(job Job) string {
	switch {
	case job.Environment != "":
		return "environment:" + escapeColons(job.Environment)
	case job.EventName == "pull_request":
		return "pull_request"
	default:
		return "ref:" + escapeColons(job.Ref)
	}
}

func escapeColons(value string) string { return strings.ReplaceAll(value, ":", "%3A") }

// renderSubject joins the segments of a sub template, refusing malformed or repeated keys.
func renderSubject(keys []string, segment func(key string) (string, error)) (string, error) {
	parts := make([]string, 0, len(keys))
	for i, key := range keys {
		if !isClaimKey(key) {
			return "", fieldErrorf("include_claim_keys", "%q may hold only letters, digits and underscores", key)
		}
		if slices.Contains(keys[:i], key) {
			return "", fieldErrorf("include_claim_keys", "%q appears twice", key)
		}
		part, err := segment(key)
		if err != nil {
			return "", err
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ":"), nil
}

// claimNames lists the JSON names of a claims struct's fields, in declaration order:
// the one source for discovery documents and template key checks.
func claimNames(claims any) []string {
	t := reflect.TypeOf(claims)
	names := make([]string, 0, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" && name != "repo_properties" {
			names = append(names, name)
		}
	}
	return names
}
