package policy

import (
	"slices"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// Trace records one evaluation: every statement of every policy, whether each of its
// elements matched, and every condition with its values. It marshals to JSON for audit
// records (condition values and principal names are not secret).
type Trace struct {
	Decision Decision      `json:"decision"`
	Request  TraceRequest  `json:"request"`
	Policies []PolicyTrace `json:"policies"`
	// Why is the one-sentence reason, the same as Reason().
	Why string `json:"reason"`
}

// TraceRequest is the request as the trace records it.
type TraceRequest struct {
	Principal Principal `json:"principal"`
	Action    string    `json:"action"`
	Resource  string    `json:"resource"`
}

// PolicyTrace is one policy of the Set.
type PolicyTrace struct {
	Source     Source           `json:"source"`
	Kind       string           `json:"kind"`
	Name       string           `json:"name,omitempty"`
	Statements []StatementTrace `json:"statements"`

	policy *Policy
}

// StatementTrace is one statement. Principal, Action and Resource say whether the element
// admits the request (a NotAction admits the actions it does not list); Principal is absent
// for policies without Principal elements and Resource is true for trust policies.
type StatementTrace struct {
	Index     int    `json:"index"`
	Sid       string `json:"sid,omitempty"`
	Effect    string `json:"effect"`
	Principal *bool  `json:"principal,omitempty"`
	// PrincipalMatch says how the Principal matched: "session", "named", "account".
	PrincipalMatch string             `json:"principalMatch,omitempty"`
	Action         bool               `json:"action"`
	Resource       bool               `json:"resource"`
	Conditions     []condition.Result `json:"conditions,omitempty"`
	// Applies is true when every element and condition matched.
	Applies bool `json:"applies"`

	stmt *Statement
}

// Reason returns one sentence naming the element that decided, e.g.
// `explicitly denied by Statement[1] "DenyProd" (identity policy "x")` or
// `token.actions.githubusercontent.com:sub "repo:evil/app:ref:refs/heads/main" matches none
// of ["repo:acme/app:*"] (StringLike, Statement[0])`.
func (t *Trace) Reason() string { return t.Why }

func newTrace(r *Request) *Trace {
	return &Trace{Request: TraceRequest{Principal: r.Principal, Action: r.Action, Resource: r.Resource}}
}

func (t *Trace) addPolicy(src Source, p *Policy) *PolicyTrace {
	t.Policies = append(t.Policies, PolicyTrace{Source: src, Kind: kindName(p.kind), Name: p.name, policy: p})
	return &t.Policies[len(t.Policies)-1]
}

func kindName(k Kind) string {
	return [...]string{"identity", "resource", "session", "trust"}[k]
}

func (pt *PolicyTrace) addStatement(st *Statement) *StatementTrace {
	pt.Statements = append(pt.Statements, StatementTrace{Index: st.index, Sid: st.sid, Effect: st.Effect(), stmt: st})
	return &pt.Statements[len(pt.Statements)-1]
}

// record notes how the Principal element matched.
func (t *StatementTrace) record(st *Statement, g grant) {
	if st.principal == nil {
		return
	}
	ok := g != grantNone
	t.Principal = &ok
	t.PrincipalMatch = [...]string{"", "account", "named", "session"}[g]
}

// finish writes the decision and its reason into the trace.
func (t *Trace) finish(d Decision, e *evaluator) {
	t.Decision = d
	t.Why = t.reason(d, e)
}

func (t *Trace) reason(d Decision, e *evaluator) string {
	switch d.Effect {
	case ExplicitDeny:
		f := e.groups[d.Source].deny
		return "explicitly denied by " + f.stmt.String() + " (" + policyLabel(d.Source, f.policy) + ")" + t.because(d.Source, f.stmt)
	case Allow:
		f := e.groups[d.Source].allow
		return "allowed by " + f.stmt.String() + " (" + policyLabel(d.Source, f.policy) + ")"
	}
	what := t.Request.Action + " on " + t.Request.Resource
	who := principalName(&t.Request.Principal)
	switch d.Source {
	case SourceNone:
		return "no policy applies, so nothing allows " + what
	case SourceSession:
		return t.missing("the session policy does not allow "+what, SourceSession)
	case SourceBoundary:
		return t.missing("the permissions boundary does not allow "+what, SourceBoundary)
	case SourceResource:
		if !t.principalMatched(SourceResource) {
			return "principal " + who + " is not trusted by any statement"
		}
		return t.missing("no statement of the trust policy allows "+t.Request.Action+" for "+who, SourceResource)
	}
	return t.missing("no statement allows "+what+" (identity policies)", SourceIdentity, SourceResource)
}

// because names the conditions of the Deny statement st of src that held, so that a denial
// by a tag or a claim says which one: "" for a statement without conditions.
func (t *Trace) because(src Source, st *Statement) string {
	for i := range t.Policies {
		if t.Policies[i].Source != src {
			continue
		}
		for _, s := range t.Policies[i].Statements {
			if s.stmt != st || len(s.Conditions) == 0 {
				continue
			}
			held := make([]string, len(s.Conditions))
			for j := range s.Conditions {
				held[j] = s.Conditions[j].Held()
			}
			return " because " + strings.Join(held, " and ")
		}
	}
	return ""
}

// missing explains an absent Allow in the policies of srcs: the failed condition of the
// Allow statement that got furthest (principal, action and resource matched), else generic.
func (t *Trace) missing(generic string, srcs ...Source) string {
	var best *StatementTrace
	var bestPolicy *PolicyTrace
	for i := range t.Policies {
		pt := &t.Policies[i]
		if !slices.Contains(srcs, pt.Source) {
			continue
		}
		for j := range pt.Statements {
			st := &pt.Statements[j]
			if st.Effect == "Allow" && st.reachedConditions() && best == nil {
				best, bestPolicy = st, pt
			}
		}
	}
	if best == nil {
		return generic
	}
	for i := range best.Conditions {
		if c := &best.Conditions[i]; !c.Satisfied {
			sentence := c.Sentence(conditionPlace(bestPolicy, best))
			if bestPolicy.Source == SourceSession || bestPolicy.Source == SourceBoundary {
				return generic + ": " + sentence
			}
			return sentence
		}
	}
	return generic
}

// reachedConditions reports whether the statement's principal, action and resource all
// matched, so that only its conditions can have failed.
func (t *StatementTrace) reachedConditions() bool {
	return (t.Principal == nil || *t.Principal) && t.Action && t.Resource
}

// principalMatched reports whether any Allow statement of src matched the principal.
func (t *Trace) principalMatched(src Source) bool {
	for i := range t.Policies {
		if t.Policies[i].Source != src {
			continue
		}
		for _, st := range t.Policies[i].Statements {
			if st.Effect == "Allow" && (st.Principal == nil || *st.Principal) {
				return true
			}
		}
	}
	return false
}

// conditionPlace names a statement for a condition sentence: the statement alone in an
// unnamed trust or resource policy, with its policy elsewhere.
func conditionPlace(pt *PolicyTrace, st *StatementTrace) string {
	where := st.stmt.String()
	if pt.Source == SourceResource && pt.policy.name == "" {
		return where
	}
	return where + ", " + policyLabel(pt.Source, pt.policy)
}

// policyLabel names a policy in a sentence: identity policy "x", trust policy, permissions
// boundary.
func policyLabel(src Source, p *Policy) string {
	label := p.kind.String()
	if src == SourceBoundary {
		label = "permissions boundary"
	}
	if p.name != "" {
		label += " " + strconv.Quote(p.name)
	}
	return label
}

func principalName(p *Principal) string {
	if len(p.IDs) > 0 {
		return p.IDs[0]
	}
	return "the caller"
}
