package condition

import (
	"strconv"
	"strings"
)

// Result is the trace of one clause evaluation. It marshals to JSON for audit records;
// condition values are not secret.
type Result struct {
	Operator string `json:"operator"`
	Key      string `json:"key"`
	// PolicyValues are the policy values after variable substitution (escapes shown as
	// written); a value whose variable has no value is shown as written.
	PolicyValues []string `json:"policyValues"`
	// Unresolved lists the policy values (as written) whose variable had no value.
	Unresolved []string `json:"unresolved,omitempty"`
	// RequestValues are the request's values for the key; empty when it is absent.
	RequestValues []string `json:"requestValues"`
	// Hits pairs each request value with the policy values it matches under the operator's
	// positive test (for a negated operator, the pairs that make it fail).
	Hits []Hit `json:"hits,omitempty"`
	// Satisfied is the clause's result, as Eval computes it.
	Satisfied bool `json:"satisfied"`
}

// Hit is one request value matching one policy value.
type Hit struct {
	Request string `json:"request"`
	Policy  string `json:"policy"`
}

// Explain evaluates the clause like Eval and records every value involved.
func (c *Clause) Explain(ctx Context) Result {
	vals, _ := ctx.Values(c.lower)
	r := Result{Operator: c.op.String(), Key: c.key, RequestValues: append([]string{}, vals...),
		PolicyValues: make([]string, len(c.values)), Satisfied: c.Eval(ctx)}
	for i := range c.values {
		t := &c.values[i].tmpl
		r.PolicyValues[i] = t.Shown(ctx)
		if !t.Resolvable(ctx) {
			r.Unresolved = append(r.Unresolved, t.String())
		}
	}
	if _, null := c.op.fam.(nullFamily); null {
		return r
	}
	for _, v := range vals {
		for i := range c.values {
			if c.matchOne(i, v, ctx) {
				r.Hits = append(r.Hits, Hit{Request: v, Policy: r.PolicyValues[i]})
			}
		}
	}
	return r
}

// Sentence says in one sentence why the clause failed (or that it held), naming the place
// the caller passes in where, e.g.
//
//	k "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"] (StringLike, Statement[0])
//	k is absent; StringLike requires a value (Statement[0])
func (r *Result) Sentence(where string) string {
	op, tail := r.Operator, " ("+r.Operator+", "+where+")"
	present := len(r.RequestValues) > 0
	switch {
	case r.Satisfied:
		return r.Key + " satisfies " + op + " " + quoteList(r.PolicyValues) + tail
	case op == "Null":
		if present {
			return r.Key + ` is present; Null "true" requires it absent (` + where + ")"
		}
		return r.Key + ` is absent; Null "false" requires it (` + where + ")"
	case !present:
		return r.Key + " is absent; " + op + " requires a value (" + where + ")"
	}
	q, negated := r.qualifierAndNegation()
	switch {
	case q == ForAllValues && !negated:
		return r.Key + " value " + strconv.Quote(r.firstMiss()) + " matches none of " + r.policyList() + tail
	case q == ForAnyValue && negated:
		return "every value of " + r.Key + " matches one of " + r.policyList() + tail
	case negated && len(r.Hits) > 0:
		h := r.Hits[0]
		return r.Key + " " + strconv.Quote(h.Request) + " matches " + strconv.Quote(h.Policy) + tail
	}
	verb := " matches none of "
	if len(r.RequestValues) > 1 {
		verb = " match none of "
	}
	return r.Key + " " + quoteValues(r.RequestValues) + verb + r.policyList() + tail
}

func (r *Result) qualifierAndNegation() (Qualifier, bool) {
	op, err := ParseOperator(r.Operator)
	if err != nil {
		return Single, false
	}
	return op.qualifier, op.negated
}

// firstMiss is the first request value that matched no policy value.
// Held says why a clause that held holds, for the conditions of the Deny that decided:
//
//	s3:ExistingObjectTag/class "secret" satisfies StringEquals ["secret"]
//	k is absent, which ForAllValues:StringNotEquals accepts
func (r *Result) Held() string {
	if len(r.RequestValues) == 0 {
		return r.Key + " is absent, which " + r.Operator + " accepts"
	}
	return r.Key + " " + quoteValues(r.RequestValues) + " satisfies " + r.Operator + " " + r.policyList()
}

func (r *Result) firstMiss() string {
	for _, v := range r.RequestValues {
		hit := false
		for _, h := range r.Hits {
			hit = hit || h.Request == v
		}
		if !hit {
			return v
		}
	}
	return ""
}

func (r *Result) policyList() string {
	s := quoteList(r.PolicyValues)
	if len(r.Unresolved) > 0 {
		s += " (no value for " + strings.Join(r.Unresolved, ", ") + ")"
	}
	return s
}

func quoteValues(vs []string) string {
	if len(vs) == 1 {
		return strconv.Quote(vs[0])
	}
	return quoteList(vs)
}

func quoteList(vs []string) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Quote(v))
	}
	b.WriteByte(']')
	return b.String()
}
