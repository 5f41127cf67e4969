package policy

import (
	"strings"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// scope is how tightly a value of a scoping claim pins the subject, loosest first.
type scope int

const (
	// scopeNone: the value matches tokens of any tenant (any GitHub owner…).
	scopeNone scope = iota
	// scopeTenant: the tenant is pinned but any of its projects matches ("repo:acme/*").
	scopeTenant
	// scopeProject: the tenant and the project are pinned, or the value is exact.
	scopeProject
)

// valueScope measures one policy value of a claim under a wildcard operator (like) or an
// exact one. It returns the loosest field's name when the value is not fully scoped.
func valueScope(value string, claim ScopeClaim, like bool) (scope, string) {
	if !like || !hasWildcard(value) {
		return scopeProject, ""
	}
	if len(claim.Shapes) == 0 {
		return scopeNone, claim.Claim
	}
	for _, sh := range claim.Shapes {
		rest, ok := strings.CutPrefix(value, sh.Tenant.Prefix)
		if !ok {
			continue
		}
		field, rest, ended := cutField(rest, sh.Tenant.End)
		if hasWildcard(field) {
			return scopeNone, sh.Tenant.Name
		}
		if !ended || sh.Project.Name == "" {
			return scopeProject, ""
		}
		if rest, ok = strings.CutPrefix(rest, sh.Project.Prefix); !ok {
			return scopeTenant, sh.Project.Name
		}
		if field, _, _ = cutField(rest, sh.Project.End); hasWildcard(field) {
			return scopeTenant, sh.Project.Name
		}
		return scopeProject, ""
	}
	return scopeNone, claim.Shapes[0].Tenant.Name
}

// cutField cuts s at the first end character (0: the end of s) or the first '*', which
// can stand for the end character and what follows; ended says whether end was found
// literally before any '*'.
func cutField(s string, end byte) (field, rest string, ended bool) {
	star := strings.IndexByte(s, '*')
	if end == 0 {
		return s, "", true
	}
	i := strings.IndexByte(s, end)
	if i < 0 || (star >= 0 && star < i) {
		if star >= 0 {
			return s[:star+1], s[star+1:], false
		}
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// hasWildcard reports whether a StringLike value holds a wildcard, not counting the
// ${*} and ${?} escapes.
func hasWildcard(value string) bool {
	t, err := condition.ParseTemplate(value)
	if err != nil {
		return strings.ContainsAny(value, "*?")
	}
	p := t.Pattern(false)
	return p.HasWildcard()
}

// clauseScopes reports whether a clause can scope a subject at all: a positive String or
// Arn operator that the key must satisfy (no IfExists, no ForAllValues).
func clauseScopes(c *condition.Clause) bool {
	op := c.Operator()
	return !op.Negated() && !op.IfExists() && op.Qualifier() != condition.ForAllValues &&
		(op.IsString() || strings.HasPrefix(op.Base(), "Arn")) && op.Base() != "Null"
}
