package policy

import (
	"strings"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// actionPattern is one Action or NotAction value: "*" or "service:pattern", matched
// case-insensitively with '*' and '?' wildcards.
type actionPattern struct {
	src   string
	exact bool // no wildcard: compare with EqualFold
	pat   condition.Pattern
}

// newActionPattern validates and compiles an action; it returns a reason when invalid.
func newActionPattern(s string) (actionPattern, string) {
	a := actionPattern{src: s, pat: condition.CompilePattern(s, true)}
	a.exact = !a.pat.HasWildcard()
	if s == "*" {
		return a, ""
	}
	service, name, ok := strings.Cut(s, ":")
	switch {
	case !ok || service == "" || name == "":
		return a, "an action must be \"*\" or \"service:action\""
	case strings.ContainsAny(service, "*?"):
		return a, "an action's service prefix cannot hold a wildcard"
	case !isServicePrefix(service):
		return a, "an action's service prefix holds only letters, digits and '-'"
	}
	return a, ""
}

func isServicePrefix(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func (a *actionPattern) match(action string) bool {
	if a.exact {
		return strings.EqualFold(a.src, action)
	}
	return a.pat.Match(action)
}

// resourcePattern is one Resource or NotResource value: "*" or an ARN whose six parts may
// hold wildcards and, after the fifth colon, policy variables.
type resourcePattern struct {
	tmpl condition.Template
	arn  condition.ARNPattern
}

// newResourcePattern validates and compiles a resource; it returns a reason when invalid.
func newResourcePattern(s string, variables bool) (resourcePattern, string) {
	r := resourcePattern{tmpl: condition.LiteralTemplate(s)}
	if s == "*" {
		r.arn = r.tmpl.ARNPattern()
		return r, ""
	}
	parts := strings.SplitN(s, ":", 6)
	switch {
	case len(parts) < 6 || parts[0] != "arn":
		return r, "a resource must be \"*\" or an ARN arn:partition:service:region:account:resource"
	case parts[2] == "" || strings.ContainsAny(parts[2], "*?"):
		return r, "a resource ARN needs a service without wildcards"
	case parts[5] == "":
		return r, "a resource ARN needs a resource part"
	}
	if variables {
		if strings.Contains(strings.Join(parts[:5], ":"), "${") {
			return r, "policy variables are allowed only in the resource part of an ARN (after the fifth colon)"
		}
		t, err := condition.ParseTemplate(s)
		if err != nil {
			return r, err.Error()
		}
		r.tmpl = t
	}
	r.arn = r.tmpl.ARNPattern()
	return r, ""
}

// match reports whether the request's resource matches; a variable without value matches
// nothing.
func (r *resourcePattern) match(resource string, ctx Context) bool {
	return r.arn.MatchContext(resource, ctx)
}
