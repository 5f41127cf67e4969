package condition

import "strings"

// stringFamily: StringEquals, StringEqualsIgnoreCase (Unicode simple case folding),
// StringLike ('*' and '?') and their negations. Values may hold policy variables.
type stringFamily struct {
	fold bool
	like bool
}

func (f stringFamily) compile(t Template) (compiled, error) {
	c := compiled{tmpl: t}
	switch {
	case f.like:
		c.pat = t.Pattern(false)
	case !t.HasVariables():
		c.str, _ = t.Expand(nil)
	}
	return c, nil
}

func (f stringFamily) match(pv *compiled, v string, ctx Context) bool {
	switch {
	case f.like:
		return pv.pat.MatchContext(v, ctx)
	case pv.tmpl.HasVariables():
		return pv.tmpl.Equal(v, ctx, f.fold)
	case f.fold:
		return strings.EqualFold(pv.str, v)
	}
	return pv.str == v
}

func (f stringFamily) wildcards() bool { return f.like }
func (stringFamily) variables() bool   { return true }

// arnFamily: ArnEquals and ArnLike (identical: wildcards per colon-separated part) and their
// negations. Values may hold policy variables (decision: AWS documents variables for string
// comparisons; an ARN is one).
type arnFamily struct{}

func (arnFamily) compile(t Template) (compiled, error) {
	return compiled{tmpl: t, arn: t.ARNPattern()}, nil
}

func (arnFamily) match(pv *compiled, v string, ctx Context) bool { return pv.arn.MatchContext(v, ctx) }
func (arnFamily) wildcards() bool                                { return true }
func (arnFamily) variables() bool                                { return true }
