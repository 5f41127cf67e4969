package explain

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// Trace is a decision trace in the JSON form inkan records in its audit log: what
// policy.Trace marshals to. Live traces become one with FromPolicy, recorded ones with
// ParseTrace, so that a decision renders the same whether it was just simulated or read back
// from the audit log.
type Trace struct {
	Decision Decision            `json:"decision"`
	Request  policy.TraceRequest `json:"request"`
	Policies []PolicyTrace       `json:"policies"`
	// Reason is the evaluator's one-sentence reason (policy.Trace.Reason).
	Reason string `json:"reason"`
}

// Decision is policy.Decision with its effect and source by name.
type Decision struct {
	Effect    string `json:"effect"` // Allow, ExplicitDeny or ImplicitDeny
	Source    string `json:"source"` // none, identity, session, boundary or resource
	Policy    string `json:"policy,omitempty"`
	Statement int    `json:"statement"`
	Sid       string `json:"sid,omitempty"`
}

// PolicyTrace is one policy of the evaluated set.
type PolicyTrace struct {
	Source     string                  `json:"source"`
	Kind       string                  `json:"kind"` // identity, resource, session or trust
	Name       string                  `json:"name,omitempty"`
	Statements []policy.StatementTrace `json:"statements"`
}

// FromPolicy converts a live trace to its recorded form (through JSON, the one format both
// share). It fails only if t does not marshal, which would be a bug in internal/policy.
func FromPolicy(t *policy.Trace) (*Trace, error) {
	raw, err := json.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("explain: marshalling a trace: %w", err)
	}
	return ParseTrace(raw)
}

// ParseTrace reads a trace as recorded in an audit record. It requires a decision effect, so
// that a record holding something else is not rendered as an empty decision.
func ParseTrace(raw []byte) (*Trace, error) {
	var t Trace
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("explain: reading a recorded trace: %w", err)
	}
	switch t.Decision.Effect {
	case "Allow", "ExplicitDeny", "ImplicitDeny":
		return &t, nil
	}
	return nil, fmt.Errorf("explain: the recorded trace has no decision effect (got %q)", t.Decision.Effect)
}

// Allowed reports whether the decision is Allow.
func (t *Trace) Allowed() bool { return t.Decision.Effect == "Allow" }

// Verdict is the one-sentence verdict: "allowed: " or "denied: " and the evaluator's reason.
func (t *Trace) Verdict() string { return verdict(t.Allowed(), t.Reason) }

func verdict(allowed bool, reason string) string {
	if allowed {
		return "allowed: " + reason
	}
	return "denied: " + reason
}

// Failure is a condition that failed in a statement whose principal, action and resource all
// matched: what stood between the request and that statement.
type Failure struct {
	Policy    string // the policy, in words: "trust policy", `identity policy "x"`
	Statement string // "Statement[0]", with its Sid when it has one
	Condition condition.Result
}

// Failures lists the failed conditions that matter for the decision. For a denial, those of
// every Allow statement that matched the principal, action and resource and failed only in
// its conditions; for an explicit deny, the satisfied conditions of the deciding Deny
// statement (they are why it applied). An allowed decision has none.
func (t *Trace) Failures() []Failure {
	var out []Failure
	for i := range t.Policies {
		pt := &t.Policies[i]
		for j := range pt.Statements {
			st := &pt.Statements[j]
			for _, c := range st.Conditions {
				if t.decisive(pt, st, &c) {
					out = append(out, Failure{Policy: policyLabel(pt), Statement: statementLabel(st), Condition: c})
				}
			}
		}
	}
	return out
}

// decisive reports whether condition c of statement st belongs in Failures.
func (t *Trace) decisive(pt *PolicyTrace, st *policy.StatementTrace, c *condition.Result) bool {
	switch t.Decision.Effect {
	case "ExplicitDeny":
		return st.Effect == "Deny" && st.Applies && pt.Source == t.Decision.Source &&
			pt.Name == t.Decision.Policy && st.Index == t.Decision.Statement && c.Satisfied
	case "ImplicitDeny":
		return st.Effect == "Allow" && !c.Satisfied && reachedConditions(st)
	}
	return false
}

// reachedConditions reports whether only the statement's conditions can have failed.
func reachedConditions(st *policy.StatementTrace) bool {
	return (st.Principal == nil || *st.Principal) && st.Action && st.Resource
}

// policyLabel names a policy of a trace in words.
func policyLabel(pt *PolicyTrace) string {
	label := map[string]string{"identity": "identity policy", "session": "session policy",
		"trust": "trust policy", "resource": "resource policy"}[pt.Kind]
	if pt.Source == "boundary" {
		label = "permissions boundary"
	}
	if label == "" {
		label = pt.Kind + " policy"
	}
	if pt.Name != "" {
		label += " " + strconv.Quote(pt.Name)
	}
	return label
}

// statementLabel names a statement: Statement[i], with its Sid when it has one.
func statementLabel(st *policy.StatementTrace) string {
	s := "Statement[" + strconv.Itoa(st.Index) + "]"
	if st.Sid != "" {
		s += " " + strconv.Quote(st.Sid)
	}
	return s
}
