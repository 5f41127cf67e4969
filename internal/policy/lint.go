package policy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/arn"
	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// Severity ranks a linter finding.
type Severity int

const (
	// Info is advice.
	Info Severity = iota
	// Warning is probably a mistake.
	Warning
	// Error is a policy that lets in callers its author cannot have meant to trust; inkan
	// refuses it on write unless configured to warn.
	Error
)

// String returns "info", "warning" or "error".
func (s Severity) String() string { return [...]string{"info", "warning", "error"}[s] }

// MarshalText renders the severity by name in JSON.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Finding is one problem the linter found.
type Finding struct {
	Severity Severity `json:"severity"`
	// Path is where in the document, e.g. "Statement[0].Condition.StringLike.token.actions.githubusercontent.com:sub".
	Path    string `json:"path"`
	Message string `json:"message"`
	Fix     string `json:"fix"`
}

// String renders the finding on one line: "error: Statement[0]…: message".
func (f Finding) String() string { return f.Severity.String() + ": " + f.Path + ": " + f.Message }

// LintOptions tunes Lint.
type LintOptions struct {
	// ClientIDs maps an OIDC provider (its URL, with or without https://, or the part of its
	// ARN after "oidc-provider/") to its client IDs; when a provider is listed, an aud
	// condition must name only those.
	ClientIDs map[string][]string
	// IncludeInfo adds Info findings (advice such as GitHub's immutable subjects).
	IncludeInfo bool
}

// HasError reports whether any finding is an Error.
func HasError(fs []Finding) bool {
	return slices.ContainsFunc(fs, func(f Finding) bool { return f.Severity == Error })
}

// Lint checks a policy, typically a trust policy, for the mistakes that let in tokens its
// author did not mean to trust. On every Allow statement:
//   - Error: it trusts a shared issuer (SharedIssuers) for AssumeRoleWithWebIdentity
//     without a condition pinning the subject's tenant: no condition on the issuer's
//     scoping claims, or only match-everything values ("*", "repo:*", "repo:*/*:*") in any
//     element of a value list, or only operators that do not restrict (negated, IfExists,
//     ForAllValues);
//   - Error: ForAllValues on a single-valued key (it is true when the key is absent);
//   - Error: a principal of "*" for AssumeRoleWithWebIdentity (every provider is trusted);
//   - Warning: StringEquals (or its variants) with a '*' or '?' (StringLike was meant);
//     StringLike without a wildcard; no aud condition for an OIDC provider, or an aud value
//     that is not one of its client IDs (when LintOptions.ClientIDs lists the provider); a
//     pattern pinning the tenant but not the project ("repo:acme/*");
//   - Info (with IncludeInfo): a GitHub subject naming the owner by name where the
//     immutable repo:OWNER@ID/REPO@ID form could be used.
//
// Scoping conditions are looked for in the Allow statement itself: a Deny elsewhere that
// narrows the subject is not credited. Findings come in document order.
func Lint(p *Policy, o LintOptions) []Finding {
	var out []Finding
	for _, st := range p.stmts {
		out = append(out, lintOperators(st)...)
		if st.deny {
			continue
		}
		out = append(out, lintForAllValues(st)...)
		out = append(out, lintAnyProvider(st)...)
		for _, issuer := range trustedIssuers(st) {
			out = append(out, lintIssuer(st, issuer, o)...)
		}
	}
	return out
}

// clausePath is where a clause sits: Statement[0].Condition.StringLike.key.
func clausePath(st *Statement, c *condition.Clause) string {
	return st.path + ".Condition." + c.Operator().String() + "." + c.Key()
}

// lintOperators warns of StringEquals holding wildcards and StringLike without any.
func lintOperators(st *Statement) []Finding {
	var out []Finding
	for _, c := range st.conditions {
		op := c.Operator()
		if !op.IsString() {
			continue
		}
		values := c.Values()
		for i, v := range values {
			path := itemPath(clausePath(st, c), i, len(values))
			switch {
			case !op.Wildcards() && strings.ContainsAny(literalText(v), "*?"):
				like := strings.Replace(op.Base(), "Equals", "Like", 1)
				out = append(out, Finding{Warning, path,
					fmt.Sprintf("%s compares %q literally: its '*' or '?' is no wildcard", op.Base(), v),
					fmt.Sprintf("use %s if the wildcard is meant, or ${*} / ${?} for a literal character", like)})
			case op.Wildcards() && !hasWildcard(v):
				out = append(out, Finding{Warning, path,
					fmt.Sprintf("%s value %q has no wildcard", op.Base(), v),
					"use " + strings.Replace(op.Base(), "Like", "Equals", 1) + " for an exact match"})
			}
		}
	}
	return out
}

// literalText removes the ${…} variables and escapes from a value.
func literalText(v string) string {
	var b strings.Builder
	for {
		i := strings.Index(v, "${")
		if i < 0 {
			return b.String() + v
		}
		b.WriteString(v[:i])
		j := strings.IndexByte(v[i:], '}')
		if j < 0 {
			return b.String() + v[i:]
		}
		v = v[i+j+1:]
	}
}

// multiValuedKey reports whether a condition key can carry several values.
func multiValuedKey(key string) bool {
	switch key {
	case "aws:tagkeys", "aws:principalorgpaths", "aws:principalservicenameslist", "aws:calledvia":
		return true
	}
	return strings.HasSuffix(key, ":amr")
}

// lintForAllValues flags ForAllValues in an Allow statement.
func lintForAllValues(st *Statement) []Finding {
	var out []Finding
	for _, c := range st.conditions {
		op := c.Operator()
		if op.Qualifier() != condition.ForAllValues {
			continue
		}
		fix := fmt.Sprintf("use %s on a single-valued key, or add \"Null\": {%q: \"false\"}", op.Base(), c.Key())
		if multiValuedKey(c.LowerKey()) {
			out = append(out, Finding{Warning, clausePath(st, c),
				"ForAllValues in an Allow is true when " + c.Key() + " is absent or empty", fix})
			continue
		}
		out = append(out, Finding{Error, clausePath(st, c),
			"ForAllValues on the single-valued key " + c.Key() + " allows every request that lacks the key", fix})
	}
	return out
}

// lintAnyProvider flags a web identity Allow whose principal is "*": it trusts every
// provider of the account, shared issuers included, and no subject check can be tied to one.
func lintAnyProvider(st *Statement) []Finding {
	if st.principal == nil || st.notPrincipal || !st.matchAction("sts:AssumeRoleWithWebIdentity") {
		return nil
	}
	for _, e := range st.principal.entries {
		if e.any && (e.typ == "Federated" || e.typ == "AWS") {
			return []Finding{{Error, st.path + ".Principal." + e.typ, "trusts every identity provider for AssumeRoleWithWebIdentity",
				`name the provider: "Principal": {"Federated": "arn:aws:iam::ACCOUNT:oidc-provider/ISSUER"}`}}
		}
	}
	if st.principal.star {
		return []Finding{{Error, st.path + ".Principal", "trusts every identity provider for AssumeRoleWithWebIdentity",
			`name the provider: "Principal": {"Federated": "arn:aws:iam::ACCOUNT:oidc-provider/ISSUER"}`}}
	}
	return nil
}

// trustedIssuer is an OIDC provider a statement trusts.
type trustedIssuer struct {
	path   string // the provider ARN after "oidc-provider/": host and path, the key prefix
	place  string // where the statement names it
	shared *Issuer
}

// trustedIssuers lists the OIDC providers an Allow statement lets assume a role with
// AssumeRoleWithWebIdentity.
func trustedIssuers(st *Statement) []trustedIssuer {
	if st.principal == nil || st.notPrincipal || !st.matchAction("sts:AssumeRoleWithWebIdentity") {
		return nil
	}
	var out []trustedIssuer
	for _, e := range st.principal.entries {
		if e.typ != "Federated" {
			continue
		}
		a, err := arn.Parse(e.value)
		path, ok := strings.CutPrefix(a.Resource, "oidc-provider/")
		if err != nil || !ok {
			continue
		}
		ti := trustedIssuer{path: path, place: st.path + ".Principal.Federated"}
		if is, ok := SharedIssuer(path); ok {
			ti.shared = &is
		}
		out = append(out, ti)
	}
	return out
}

// lintIssuer checks one trusted provider: subject scoping, audience, immutable subjects.
func lintIssuer(st *Statement, ti trustedIssuer, o LintOptions) []Finding {
	out := lintAudience(st, ti, o)
	if ti.shared == nil {
		return out
	}
	return append(out, lintSubject(st, ti, o)...)
}

// lintSubject requires a condition that pins the tenant of a shared issuer's tokens.
func lintSubject(st *Statement, ti trustedIssuer, o LintOptions) []Finding {
	is := ti.shared
	subKey := ti.path + ":" + is.Claims[0].Claim
	var loose []Finding
	scoped := false
	for _, c := range st.conditions {
		claim, ok := scopeClaimOf(c, ti)
		if !ok {
			continue
		}
		if !clauseScopes(c) {
			loose = append(loose, Finding{Error, clausePath(st, c),
				fmt.Sprintf("%s does not restrict %s to a repository or project: it lets in tokens that do not match", c.Operator(), c.Key()),
				fmt.Sprintf(`use "StringLike": {%q: %q}`, subKey, is.Example)})
			continue
		}
		fs, ok := lintScopeValues(st, c, claim, is, o)
		loose = append(loose, fs...)
		scoped = scoped || ok
	}
	if scoped {
		return onlyBelow(loose, Error)
	}
	if len(loose) > 0 {
		return loose
	}
	return []Finding{{Error, ti.place,
		fmt.Sprintf("trusts %s (%s, shared by all its users) without a condition on %s: any of its users can assume the role", ti.path, is.Name, subKey),
		fmt.Sprintf(`add "Condition": {"StringLike": {%q: %q}}`, subKey, is.Example)}}
}

// scopeClaimOf returns the scoping claim a clause tests for the issuer.
func scopeClaimOf(c *condition.Clause, ti trustedIssuer) (ScopeClaim, bool) {
	claim, ok := strings.CutPrefix(c.LowerKey(), strings.ToLower(ti.path)+":")
	if !ok {
		return ScopeClaim{}, false
	}
	for _, sc := range ti.shared.Claims {
		if strings.EqualFold(sc.Claim, claim) {
			return sc, true
		}
	}
	return ScopeClaim{}, false
}

// lintScopeValues measures every value of a scoping clause; ok is true when every value
// pins at least the tenant.
func lintScopeValues(st *Statement, c *condition.Clause, claim ScopeClaim, is *Issuer, o LintOptions) ([]Finding, bool) {
	var out []Finding
	values := c.Values()
	ok := true
	for i, v := range values {
		path := itemPath(clausePath(st, c), i, len(values))
		sc, field := valueScope(v, claim, c.Operator().Wildcards())
		switch sc {
		case scopeNone:
			ok = false
			out = append(out, Finding{Error, path,
				fmt.Sprintf("%q matches tokens of any %s", v, field),
				fmt.Sprintf("name the %s literally, e.g. %q", field, is.Example)})
		case scopeTenant:
			out = append(out, Finding{Warning, path,
				fmt.Sprintf("%q matches every %s of its owner, not one", v, field),
				fmt.Sprintf("name the %s, e.g. %q, unless every one of them may assume the role", field, is.Example)})
		}
		if o.IncludeInfo && is.Immutable && strings.EqualFold(claim.Claim, "sub") && nameBasedSubject(v) {
			out = append(out, Finding{Info, path,
				fmt.Sprintf("%q names the repository by name; renaming or recreating it changes who matches", v),
				"use the immutable subject repo:OWNER@OWNER_ID/REPO@REPO_ID:… (default for repositories created from 2026-07-15)"})
		}
	}
	return out, ok
}

// nameBasedSubject reports a GitHub subject in the repo:OWNER/REPO form without IDs.
func nameBasedSubject(v string) bool {
	rest, ok := strings.CutPrefix(v, "repo:")
	owner, _, _ := strings.Cut(rest, "/")
	return ok && owner != "" && !strings.Contains(owner, "@") && !hasWildcard(owner)
}

// onlyBelow drops the findings of severity s and above.
func onlyBelow(fs []Finding, s Severity) []Finding {
	return slices.DeleteFunc(fs, func(f Finding) bool { return f.Severity >= s })
}

// lintAudience wants an aud condition naming the provider's client IDs.
func lintAudience(st *Statement, ti trustedIssuer, o LintOptions) []Finding {
	audKey := ti.path + ":aud"
	clientIDs, known := clientIDsOf(o.ClientIDs, ti.path)
	var out []Finding
	found := false
	for _, c := range st.conditions {
		if c.LowerKey() != strings.ToLower(audKey) || !clauseScopes(c) {
			continue
		}
		found = true
		values := c.Values()
		for i, v := range values {
			if known && !audienceAllowed(v, c.Operator().Wildcards(), clientIDs) {
				out = append(out, Finding{Warning, itemPath(clausePath(st, c), i, len(values)),
					fmt.Sprintf("audience %q is not a client ID of the provider %s (%s)", v, ti.path, strings.Join(clientIDs, ", ")),
					"name one of the provider's client IDs, or add this one to the provider"})
			}
		}
	}
	if !found {
		fix := fmt.Sprintf(`add "StringEquals": {%q: "sts.amazonaws.com"}`, audKey)
		if known && len(clientIDs) > 0 {
			fix = fmt.Sprintf(`add "StringEquals": {%q: %s}`, audKey, strconv.Quote(clientIDs[0]))
		}
		out = append(out, Finding{Warning, ti.place,
			fmt.Sprintf("no condition on %s: a token issued for any audience of %s is accepted", audKey, ti.path), fix})
	}
	return out
}

func clientIDsOf(m map[string][]string, path string) ([]string, bool) {
	for k, ids := range m {
		if strings.TrimSuffix(strings.TrimPrefix(k, "https://"), "/") == path {
			return ids, true
		}
	}
	return nil, false
}

func audienceAllowed(v string, like bool, clientIDs []string) bool {
	p := condition.CompilePattern(v, false)
	for _, id := range clientIDs {
		if id == v || (like && p.Match(id)) {
			return true
		}
	}
	return false
}
