package explain

import (
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// probeSubjects are GitHub subjects of an owner nobody names in a policy, one per subject
// context. A pattern that matches one of them lets in any owner's repositories.
var probeSubjects = [...]string{
	"repo:zz-inkan-probe/zz-inkan-probe:ref:refs/heads/zz-inkan-probe",
	"repo:zz-inkan-probe/zz-inkan-probe:environment:zz-inkan-probe",
	"repo:zz-inkan-probe/zz-inkan-probe:pull_request",
	"repo:zz-inkan-probe@1/zz-inkan-probe@2:ref:refs/heads/zz-inkan-probe",
}

// DescribeSubject says in plain words which GitHub Actions jobs a sub condition value admits,
// e.g. "any workflow of repository acme/app, on any ref" for StringLike "repo:acme/app:*".
// like is true for the *Like operators, whose '*' and '?' are wildcards. unscoped is true when
// the value admits repositories of any owner: an owner written with a wildcard, or a value
// that the production matcher finds matching a subject of an owner nobody names.
func DescribeSubject(value string, like bool) (words string, unscoped bool) {
	if like {
		p := condition.CompilePattern(value, false)
		for _, s := range probeSubjects {
			unscoped = unscoped || p.Match(s)
		}
	}
	if !like && strings.ContainsAny(value, "*?") {
		return "only the literal subject " + strconv.Quote(value) + " ('*' and '?' are no wildcards here)", false
	}
	rest, ok := strings.CutPrefix(value, "repo:")
	if !ok {
		if unscoped {
			return "any repository of any owner — unscoped!", true
		}
		return "subjects " + matching(like, value), false
	}
	s := parseSubject(rest, like)
	unscoped = unscoped || s.anyOwner
	return s.words(unscoped), unscoped
}

// matching is `matching "v"` for patterns and `equal to "v"` for literals.
func matching(like bool, v string) string {
	if like && hasWildcard(v) {
		return "matching " + strconv.Quote(v)
	}
	return "equal to " + strconv.Quote(v)
}

func hasWildcard(s string) bool { return strings.ContainsAny(s, "*?") }

// subject is a GitHub subject pattern cut into its parts: repo:OWNER/NAME:CONTEXT.
type subject struct {
	like            bool
	owner, name     string // "" when a wildcard spans them
	ownerID, repoID string
	anyOwner        bool
	anyName         bool
	context         string
	anyContext      bool
}

// parseSubject cuts what follows "repo:". Owner and repository names hold no ':' or '/', so
// the first '/' and the first ':' end them; a '*' before either may span the rest.
func parseSubject(rest string, like bool) subject {
	s := subject{like: like}
	repo, ctx, hasCtx := strings.Cut(rest, ":")
	owner, name, hasName := strings.Cut(repo, "/")
	s.owner, s.ownerID = cutID(owner)
	s.name, s.repoID = cutID(name)
	s.anyOwner = like && hasWildcard(owner)
	s.anyName = like && (!hasName && strings.HasSuffix(owner, "*") || name == "*")
	s.context = ctx
	s.anyContext = like && (ctx == "*" || !hasCtx && strings.HasSuffix(repo, "*"))
	return s
}

// cutID splits GitHub's immutable form "name@ID".
func cutID(part string) (name, id string) {
	if i := strings.LastIndexByte(part, '@'); i > 0 {
		return part[:i], part[i+1:]
	}
	return part, ""
}

func (s subject) words(unscoped bool) string {
	scope := s.scope()
	var out string
	if s.anyContext {
		out = "any workflow of " + scope + ", on any ref"
		if s.anyOwner && s.owner == "*" && s.anyName {
			out = "any repository of any owner"
		}
	} else {
		out = "workflows of " + scope + " " + s.contextWords()
	}
	switch {
	case unscoped:
		out += " — unscoped!"
	case s.anyName:
		out += " — owner-wide"
	}
	return out
}

// scope names the repositories: "repository acme/app", "any repository of owner acme" …
func (s subject) scope() string {
	owner := "owner " + s.owner + s.idNote(s.ownerID)
	switch {
	case s.anyOwner && s.owner == "*":
		owner = "any owner"
	case s.anyOwner:
		owner = "owners matching " + strconv.Quote(s.owner)
	}
	switch {
	case s.anyName:
		return "any repository of " + owner
	case s.like && hasWildcard(s.name):
		return "repositories matching " + strconv.Quote(s.name) + " of " + owner
	case s.anyOwner:
		return "repository " + strconv.Quote(s.name) + " of " + owner
	}
	return "repository " + s.owner + "/" + s.name + s.idNote(s.ownerID, s.repoID)
}

func (s subject) idNote(ids ...string) string {
	var parts []string
	for _, id := range ids {
		if id != "" {
			parts = append(parts, id)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (immutable ids " + strings.Join(parts, "/") + ")"
}

// contextWords says which runs of those repositories: "on branch main", "in environment
// prod", "for pull requests" …
func (s subject) contextWords() string {
	kind, value, _ := strings.Cut(s.context, ":")
	switch {
	case s.context == "pull_request":
		return "for pull requests"
	case kind == "environment":
		return s.named("in", "environment", "environments", value)
	case kind == "ref" && strings.HasPrefix(value, "refs/heads/"):
		return s.named("on", "branch", "branches", strings.TrimPrefix(value, "refs/heads/"))
	case kind == "ref" && strings.HasPrefix(value, "refs/tags/"):
		return s.named("on", "tag", "tags", strings.TrimPrefix(value, "refs/tags/"))
	case kind == "ref" && s.like && value == "*":
		return "on any branch or tag"
	case kind == "ref":
		return "on ref " + strconv.Quote(value)
	}
	return "with subject context " + matching(s.like, s.context)
}

// named renders "on branch main", "on any branch", `on branches matching "release-*"`.
func (s subject) named(prep, one, many, value string) string {
	switch {
	case s.like && value == "*":
		return prep + " any " + one
	case s.like && hasWildcard(value):
		return prep + " " + many + " matching " + strconv.Quote(value)
	}
	return prep + " " + one + " " + value
}
