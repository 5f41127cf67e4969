package condition

import (
	"errors"
	"fmt"
	"strings"
)

// Clause is one condition: an operator applied to one key with its policy values, as in
// "StringLike": {"token.actions.githubusercontent.com:sub": ["repo:acme/app:*"]}. It is
// compiled once by Compile and is then immutable and safe for concurrent use.
//
// Semantics (IAM User Guide, condition operators and multivalued keys):
//   - several policy values are OR-ed: the request value must match one of them; for a
//     negated operator it must match none of them;
//   - a key absent from the request (or present without values) fails a positive operator
//     and satisfies a negated one; IfExists makes an absent key satisfy any operator;
//     ForAllValues is true and ForAnyValue false on an absent key; Null tests presence;
//   - without a set operator and with several request values, the clause holds when any
//     request value matches (decision: AWS asks for a set operator there and does not say
//     what happens without one; for a negated operator no request value may match);
//   - a request value of the wrong type (not a number for Numeric…) matches no policy value;
//   - a policy value whose variable has no value matches nothing.
type Clause struct {
	op     Operator
	key    string // as written
	lower  string // lower-cased, as the Context is asked
	values []compiled
}

// ValueError is a policy value Compile rejects; Index is its position in the value list.
type ValueError struct {
	Index int
	Err   error
}

// Error returns the cause's message.
func (e *ValueError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *ValueError) Unwrap() error { return e.Err }

// Compile parses the operator name and compiles the values for key. With variables (the
// 2012-10-17 policy language) the String, Arn and Bool operators substitute policy
// variables; otherwise "${…}" is plain text. Errors name what is wrong: an unknown operator
// (wrapping ErrOperator), an empty key or value list, or a value the operator cannot read
// (a *ValueError).
func Compile(operator, key string, values []string, variables bool) (*Clause, error) {
	op, err := ParseOperator(operator)
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, errors.New("empty condition key")
	}
	if len(values) == 0 {
		return nil, errors.New("no values")
	}
	c := &Clause{op: op, key: key, lower: strings.ToLower(key), values: make([]compiled, len(values))}
	for i, s := range values {
		v, err := compileValue(op.fam, s, variables && op.fam.variables())
		if err != nil {
			return nil, &ValueError{Index: i, Err: err}
		}
		c.values[i] = v
	}
	return c, nil
}

func compileValue(fam family, s string, variables bool) (compiled, error) {
	t := LiteralTemplate(s)
	if variables {
		var err error
		if t, err = ParseTemplate(s); err != nil {
			return compiled{}, err
		}
	}
	c, err := fam.compile(t)
	c.tmpl = t
	return c, err
}

// Operator returns the clause's operator.
func (c *Clause) Operator() Operator { return c.op }

// Key returns the condition key as written in the policy.
func (c *Clause) Key() string { return c.key }

// LowerKey returns the condition key lower-cased, as the Context is asked for it.
func (c *Clause) LowerKey() string { return c.lower }

// Values returns a copy of the policy values as written.
func (c *Clause) Values() []string {
	out := make([]string, len(c.values))
	for i := range c.values {
		out[i] = c.values[i].tmpl.String()
	}
	return out
}

// Templates returns a copy of the policy values as templates, to inspect their variables.
func (c *Clause) Templates() []Template {
	out := make([]Template, len(c.values))
	for i := range c.values {
		out[i] = c.values[i].tmpl
	}
	return out
}

// Eval reports whether the request satisfies the clause. It allocates nothing unless a
// policy value holds a variable.
func (c *Clause) Eval(ctx Context) bool {
	vals, _ := ctx.Values(c.lower)
	if _, null := c.op.fam.(nullFamily); null {
		return c.evalNull(len(vals) > 0)
	}
	if len(vals) == 0 {
		return c.absent()
	}
	neg := c.op.negated
	switch c.op.qualifier {
	case ForAnyValue:
		for _, v := range vals {
			if c.matchAny(v, ctx) != neg {
				return true
			}
		}
		return false
	case ForAllValues:
		for _, v := range vals {
			if c.matchAny(v, ctx) == neg {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.matchAny(v, ctx) {
			return !neg
		}
	}
	return neg
}

// absent is the clause's result when the key has no value.
func (c *Clause) absent() bool {
	switch {
	case c.op.ifExists:
		return true
	case c.op.qualifier == ForAllValues:
		return true
	case c.op.qualifier == ForAnyValue:
		return false
	}
	return c.op.negated
}

func (c *Clause) evalNull(present bool) bool {
	for i := range c.values {
		if c.values[i].b != present {
			return true
		}
	}
	return false
}

// matchAny reports whether request value v matches one of the policy values under the
// operator's positive test.
func (c *Clause) matchAny(v string, ctx Context) bool {
	for i := range c.values {
		if c.matchOne(i, v, ctx) {
			return true
		}
	}
	return false
}

func (c *Clause) matchOne(i int, v string, ctx Context) bool {
	return c.op.fam.match(&c.values[i], v, ctx)
}

// String renders the clause as policy JSON would, e.g. StringLike {"k": ["v"]}.
func (c *Clause) String() string {
	return fmt.Sprintf("%s {%q: %s}", c.op, c.key, quoteList(c.Values()))
}
