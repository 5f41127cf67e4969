package explain

import (
	"io"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// Analysis says who can assume a role, read from its trust policy: each statement's trusted
// principals and conditions in plain words, and the linter's findings.
type Analysis struct {
	Grants   []Grant          `json:"grants"`
	Denies   []Grant          `json:"denies,omitempty"`
	Findings []policy.Finding `json:"findings"`
}

// Grant is one statement of a trust policy.
type Grant struct {
	Statement  string    `json:"statement"`
	Actions    string    `json:"actions"`
	Principals []Trusted `json:"principals"`
	// Who says, for each subject value of each trusted OIDC provider, which callers pass, e.g.
	// "any workflow of repository acme/app, on any ref".
	Who []string `json:"who"`
	// Conditions are every condition of the statement, in words.
	Conditions []string `json:"conditions"`
	// Unscoped is true when a subject value admits any owner's repositories, or when the
	// linter found an error in the statement.
	Unscoped bool `json:"unscoped"`
}

// Trusted is one principal a statement names.
type Trusted struct {
	Type  string `json:"type"` // Federated, AWS, Service, CanonicalUser or "*"
	Value string `json:"value"`
	// Issuer is the OIDC issuer of a provider ARN, without scheme; Shared names the CI
	// system when the issuer is a shared multi-tenant one (policy.SharedIssuers).
	Issuer string `json:"issuer,omitempty"`
	Shared string `json:"shared,omitempty"`
}

// WhoCanAssume analyses a trust policy. The linter runs with o (IncludeInfo is set), so that
// its findings come with the words.
func WhoCanAssume(p *policy.Policy, o policy.LintOptions) *Analysis {
	o.IncludeInfo = true
	a := &Analysis{Grants: []Grant{}, Findings: policy.Lint(p, o)}
	if a.Findings == nil {
		a.Findings = []policy.Finding{}
	}
	for _, st := range p.Statements() {
		if st.Deny() {
			a.Denies = append(a.Denies, grantOf(st, false))
			continue
		}
		lintError := false
		for _, f := range a.Findings {
			inside := strings.HasPrefix(f.Path, st.Path()+".") || strings.HasPrefix(f.Path, st.Path()+"[")
			lintError = lintError || f.Severity == policy.Error && (f.Path == st.Path() || inside)
		}
		g := grantOf(st, lintError)
		for _, t := range g.Principals {
			if t.Issuer != "" {
				who, unscoped := subjectsOf(st, t, lintError)
				g.Who = append(g.Who, who...)
				g.Unscoped = g.Unscoped || unscoped
			}
		}
		a.Grants = append(a.Grants, g)
	}
	return a
}

// grantOf describes a statement's actions, principals and conditions; lintError marks an
// Allow in which the linter found an error.
func grantOf(st *policy.Statement, lintError bool) Grant {
	g := Grant{Statement: st.Path(), Principals: trustedOf(st), Who: []string{}, Conditions: []string{}, Unscoped: lintError}
	if st.Sid() != "" {
		g.Statement += " " + strconv.Quote(st.Sid())
	}
	actions, not := st.Actions()
	g.Actions = strings.Join(actions, ", ")
	if not {
		g.Actions = "every action but " + g.Actions
	}
	for _, c := range st.Conditions() {
		g.Conditions = append(g.Conditions, ConditionWords(c))
	}
	return g
}

// trustedOf lists the statement's principals, types in a stable order.
func trustedOf(st *policy.Statement) []Trusted {
	e, ok := st.Principal()
	if !ok {
		return nil
	}
	if e.Any {
		return []Trusted{{Type: "*", Value: "*"}}
	}
	var out []Trusted
	for _, typ := range []string{"Federated", "AWS", "Service", "CanonicalUser"} {
		for _, v := range e.Values[typ] {
			t := Trusted{Type: typ, Value: v}
			if _, rest, ok := strings.Cut(v, ":oidc-provider/"); ok && typ == "Federated" {
				t.Issuer = rest
				if is, shared := policy.SharedIssuer(rest); shared {
					t.Shared = is.Name
				}
			}
			out = append(out, t)
		}
	}
	return out
}

// subjectsOf describes the sub values an Allow accepts from one provider: in GitHub's words
// for GitHub's issuers and for any value of GitHub's shape (GitHub Enterprise Server, the
// test identity provider), as a pattern otherwise. Without a sub
// condition any subject passes the statement's other conditions: unscoped when the linter
// found an error in the statement (no other condition pins the tenant).
func subjectsOf(st *policy.Statement, t Trusted, lintError bool) ([]string, bool) {
	key := KeyPrefix(t.Issuer) + ":sub"
	var who []string
	unscoped := false
	github := t.Shared == "GitHub Actions"
	for _, c := range st.Conditions() {
		op := c.Operator()
		if c.LowerKey() != key || !op.IsString() || op.Negated() || op.Qualifier() != condition.Single {
			continue
		}
		for _, v := range c.Values() {
			words, any := DescribeSubject(v, op.Wildcards())
			if !github && !strings.HasPrefix(v, "repo:") {
				words, any = "subjects "+matching(op.Wildcards(), v), false
			}
			who = append(who, words)
			unscoped = unscoped || any
		}
	}
	if len(who) > 0 {
		return who, unscoped
	}
	switch {
	case lintError && github:
		return []string{"any repository of any owner — unscoped!"}, true
	case lintError:
		return []string{"any subject of " + t.Issuer + " — unscoped!"}, true
	}
	return []string{"any subject of " + t.Issuer + " that meets the conditions"}, false
}

// ConditionWords says what a condition clause requires, with a provider key shortened to its
// claim name: `aud is "sts.amazonaws.com"`, `sub matches "repo:acme/app:*"`.
func ConditionWords(c *condition.Clause) string {
	op := c.Operator()
	key := c.Key()
	if i := strings.LastIndexByte(key, ':'); i >= 0 && !strings.HasPrefix(strings.ToLower(key), "aws:") {
		key = key[i+1:]
	}
	values := c.Values()
	if op.Base() == "Null" {
		return key + " is " + nullExpectation(values)
	}
	s := key + " " + verbOf(op, len(values)) + " " + valueWords(values)
	switch op.Qualifier() {
	case condition.ForAllValues:
		s = "every value of " + s
	case condition.ForAnyValue:
		s = "some value of " + s
	}
	if strings.Contains(op.Base(), "IgnoreCase") {
		s += " (ignoring case)"
	}
	if op.IfExists() {
		s += ", when present"
	}
	return s
}

func verbOf(op condition.Operator, n int) string {
	base := strings.TrimSuffix(op.Base(), "IgnoreCase")
	if !op.IsString() {
		return op.Base()
	}
	verb := map[string]string{"StringEquals": "is", "StringNotEquals": "is not",
		"StringLike": "matches", "StringNotLike": "does not match"}[base]
	if verb == "" {
		verb = op.Base()
	}
	if n > 1 {
		verb = map[string]string{"is": "is one of", "is not": "is none of", "matches": "matches one of",
			"does not match": "matches none of"}[verb]
	}
	return verb
}

func valueWords(vs []string) string {
	if len(vs) == 1 {
		return strconv.Quote(vs[0])
	}
	return quoteList(vs)
}

// WriteAnalysis renders an analysis as text: per statement what it allows or denies, whom it
// trusts, who passes and under which conditions; then the linter's findings.
func WriteAnalysis(out io.Writer, a *Analysis) error {
	w := &writer{w: out}
	for _, g := range a.Grants {
		writeGrant(w, "allows", &g)
	}
	for _, g := range a.Denies {
		writeGrant(w, "denies", &g)
	}
	w.printf("findings\n")
	if len(a.Findings) == 0 {
		w.printf("  none\n")
	}
	for _, f := range a.Findings {
		w.printf("  %s: %s\n", f.Severity, pathAndMessage(f))
		if f.Fix != "" {
			w.printf("    fix: %s\n", f.Fix)
		}
	}
	return w.err
}

func writeGrant(w *writer, verb string, g *Grant) {
	w.printf("%s %s %s\n", g.Statement, verb, g.Actions)
	for _, t := range g.Principals {
		w.field("  ", "trusts", trustedWords(t))
	}
	list(w, "who", g.Who)
	list(w, "when", g.Conditions)
	w.printf("\n")
}

func trustedWords(t Trusted) string {
	switch {
	case t.Type == "*":
		return "any principal (\"*\")"
	case t.Issuer != "" && t.Shared != "":
		return "OIDC provider " + t.Issuer + " (" + t.Shared + ", shared by every tenant)"
	case t.Issuer != "":
		return "OIDC provider " + t.Issuer
	}
	return t.Type + " " + t.Value
}

// list prints values under one label, the label on the first line only.
func list(w *writer, label string, values []string) {
	for i, v := range values {
		if i > 0 {
			label = ""
		}
		w.field("  ", label, v)
	}
}

// FirstProvider is the ARN of the first Federated OIDC provider a trust policy names, or "".
func FirstProvider(trust *policy.Policy) string {
	for _, st := range trust.Statements() {
		e, _ := st.Principal()
		for _, v := range e.Values["Federated"] {
			if strings.Contains(v, ":oidc-provider/") {
				return v
			}
		}
	}
	return ""
}
