package condition

import "strings"

// stringFamily: StringEquals, StringEqualsIgnoreCase (Unicode simple case folding),
// StringLike ('*' and '?') and their negations. Values may hold policy variables.
type stringFamily struct {
	fold bool
	like bool
}

func (f stringFamily) compile(t *Template, ctx Context) (compiled, error) {
	if f.like {
		p, ok := t.Pattern(ctx, false)
		if !ok {
			return compiled{}, errNoValue
		}
		return compiled{pat: p}, nil
	}
	s, ok := t.Expand(ctx)
	if !ok {
		return compiled{}, errNoValue
	}
	return compiled{str: s}, nil
}

func (f stringFamily) match(pv *compiled, v string) bool {
	switch {
	case f.like:
		return pv.pat.Match(v)
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

func (arnFamily) compile(t *Template, ctx Context) (compiled, error) {
	p, ok := t.ARNPattern(ctx)
	if !ok {
		return compiled{}, errNoValue
	}
	return compiled{arn: p}, nil
}

func (arnFamily) match(pv *compiled, v string) bool { return pv.arn.Match(v) }
func (arnFamily) wildcards() bool                   { return true }
func (arnFamily) variables() bool                   { return true }
