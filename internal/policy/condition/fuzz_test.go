package condition

import (
	"errors"
	"testing"
)

// FuzzCompile feeds arbitrary operators, values and request values through Compile, Eval
// and Explain: nothing may panic, Explain must agree with Eval, and a rejected operator
// name must be reported as such.
func FuzzCompile(f *testing.F) {
	f.Add("StringLike", "repo:acme/*", "repo:acme/app")
	f.Add("ForAllValues:NumericLessThanIfExists", "10", "9.5")
	f.Add("DateGreaterThan", "2020-01-01T00:00:00Z", "1700000000")
	f.Add("NotIpAddress", "10.0.0.0/8", "::ffff:10.1.1.1")
	f.Add("ArnLike", "arn:aws:iam::${aws:principalaccount}:role/*", "arn:aws:iam::1:role/x")
	f.Add("Null", "true", "")
	f.Add("BinaryEquals", "QQ==", "QQ")
	f.Fuzz(func(t *testing.T, op, policyValue, requestValue string) {
		c, err := Compile(op, "k", []string{policyValue}, true)
		if err != nil {
			if _, perr := ParseOperator(op); perr != nil && !errors.Is(err, ErrOperator) && !errors.Is(perr, ErrOperator) {
				t.Fatalf("operator error %v does not wrap ErrOperator", err)
			}
			return
		}
		for _, ctx := range []keys{{}, {"k": {requestValue}}, {"k": {requestValue, policyValue}, "aws:principalaccount": {requestValue}}} {
			got := c.Eval(ctx)
			r := c.Explain(ctx)
			if r.Satisfied != got {
				t.Fatalf("Explain %v, Eval %v for %s %q against %q", r.Satisfied, got, op, policyValue, ctx)
			}
			_ = r.Sentence("Statement[0]")
		}
	})
}
