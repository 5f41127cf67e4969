package explain

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// writer collects the first write error, so that renderers stay linear.
type writer struct {
	w   io.Writer
	err error
}

func (w *writer) printf(format string, a ...any) {
	if w.err == nil {
		_, w.err = fmt.Fprintf(w.w, format, a...)
	}
}

// field prints one "name  value" line at the given indentation.
func (w *writer) field(indent, name, value string) {
	w.printf("%s%-10s %s\n", indent, name, value)
}

// WriteTrace renders t as text: the decision, its verdict, the request, the failures that
// decided (see Failures) with expected and presented values, then every statement of every
// policy with every element and condition.
func WriteTrace(out io.Writer, t *Trace) error {
	w := &writer{w: out}
	writeHeader(w, t)
	writeFailures(w, t)
	writeStatements(w, t)
	return w.err
}

func writeHeader(w *writer, t *Trace) {
	w.field("", "decision", t.Decision.Effect+decidedBy(t))
	w.field("", "verdict", t.Verdict())
	w.field("", "request", t.Request.Action+" on "+t.Request.Resource)
	p := t.Request.Principal
	if len(p.IDs) > 0 {
		w.field("", "principal", p.Type+" "+strings.Join(p.IDs, ", "))
	}
}

// decidedBy names the policy that decided, e.g. " (trust policy, Statement[0])".
func decidedBy(t *Trace) string {
	d := t.Decision
	kind := ""
	for i := range t.Policies {
		if t.Policies[i].Source == d.Source {
			kind = t.Policies[i].Kind
			break
		}
	}
	if kind == "" && d.Source != "boundary" {
		return ""
	}
	label := policyLabel(&PolicyTrace{Source: d.Source, Kind: kind, Name: d.Policy})
	if d.Statement >= 0 {
		label += ", Statement[" + strconv.Itoa(d.Statement) + "]"
	}
	return " (" + label + ")"
}

func writeFailures(w *writer, t *Trace) {
	fs := t.Failures()
	title := "failing condition"
	if t.Decision.Effect == "ExplicitDeny" {
		title = "matching condition"
	}
	for _, f := range fs {
		w.printf("\n%s in %s of the %s\n", title, f.Statement, f.Policy)
		writeCondition(w, "  ", &f.Condition)
	}
}

// writeCondition prints the operator and key, then what the policy expects and what the
// request presented.
func writeCondition(w *writer, indent string, c *condition.Result) {
	w.printf("%s%s %s\n", indent, c.Operator, c.Key)
	w.field(indent, "expected", Expected(c))
	w.field(indent, "presented", Presented(c))
}

// Expected says in words what a condition asks of the request's values, e.g.
// `one of ["repo:acme/app:*"]`, `none of ["x"]`, `absent`.
func Expected(c *condition.Result) string {
	op, err := condition.ParseOperator(c.Operator)
	values := quoteList(c.PolicyValues)
	if len(c.Unresolved) > 0 {
		values += " (no value for " + strings.Join(c.Unresolved, ", ") + ")"
	}
	if err != nil {
		return values
	}
	if op.Base() == "Null" {
		return nullExpectation(c.PolicyValues)
	}
	var s string
	switch {
	case op.Negated() && op.Qualifier() == condition.ForAnyValue:
		s = "at least one value matching none of " + values
	case op.Negated():
		s = "none of " + values
	case op.Qualifier() == condition.ForAllValues:
		s = "every value one of " + values
	case op.Qualifier() == condition.ForAnyValue:
		s = "at least one value one of " + values
	default:
		s = "one of " + values
	}
	if op.IfExists() {
		s += ", or absent"
	}
	return s
}

func nullExpectation(values []string) string {
	want := map[string]bool{}
	for _, v := range values {
		want[strings.ToLower(v)] = true
	}
	switch {
	case want["true"] && want["false"]:
		return "absent or present"
	case want["true"]:
		return "absent"
	}
	return "present"
}

// Presented renders the request's values for a condition's key: `(absent)`, one quoted
// value, or a list.
func Presented(c *condition.Result) string {
	switch len(c.RequestValues) {
	case 0:
		return "(absent)"
	case 1:
		return strconv.Quote(c.RequestValues[0])
	}
	return quoteList(c.RequestValues)
}

func quoteList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func writeStatements(w *writer, t *Trace) {
	for i := range t.Policies {
		pt := &t.Policies[i]
		w.printf("\n%s\n", policyLabel(pt))
		for j := range pt.Statements {
			writeStatement(w, &pt.Statements[j])
		}
	}
}

func writeStatement(w *writer, st *policy.StatementTrace) {
	applies := "applies"
	if !st.Applies {
		applies = "does not apply"
	}
	w.printf("  %s %s: %s\n", statementLabel(st), st.Effect, applies)
	if st.Principal != nil {
		w.field("    ", "principal", matched(*st.Principal)+parenthesised(st.PrincipalMatch))
	}
	w.field("    ", "action", matched(st.Action))
	w.field("    ", "resource", matched(st.Resource))
	for i := range st.Conditions {
		c := &st.Conditions[i]
		result := "holds"
		if !c.Satisfied {
			result = "FAILS"
		}
		w.printf("    %-10s %s: %s %s\n", "condition", result, c.Operator, c.Key)
		w.field("               ", "expected", Expected(c))
		w.field("               ", "presented", Presented(c))
	}
}

func matched(ok bool) string {
	if ok {
		return "matches"
	}
	return "DOES NOT MATCH"
}

func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// WriteResult renders a simulation as text: its trace as WriteTrace does or, for a token
// refused before any policy was read, its verdict; then the token's claims.
func WriteResult(out io.Writer, r *Result) error {
	w := &writer{w: out}
	if r.Trace != nil {
		w.err = WriteTrace(out, r.Trace)
	} else {
		w.field("", "decision", "refused before any policy was read")
		w.field("", "verdict", r.Verdict)
	}
	writeClaims(w, r.Claims)
	return w.err
}

// WriteJSON prints v as indented JSON: a Result, an Analysis, a Trace.
func WriteJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
