package condition

import (
	"errors"
	"net/netip"
	"time"
)

// family is the sealed interface behind which each operator family compiles its policy
// values and tests a request value against one of them. Only this package implements it.
type family interface {
	// compile compiles one policy value, substituting variables from ctx (nil at parse
	// time). It returns errNoValue when a variable has no value.
	compile(t *Template, ctx Context) (compiled, error)
	// match reports whether request value v satisfies the family's positive test against
	// the policy value pv. A request value of the wrong type satisfies nothing.
	match(pv *compiled, v string) bool
	wildcards() bool
	variables() bool
}

// errNoValue reports a policy variable without a value: the policy value matches nothing.
var errNoValue = errors.New("a policy variable has no value")

// compiled is one policy value, ready to compare; each family uses its own fields.
type compiled struct {
	str string
	pat Pattern
	arn ARNPattern
	num number
	t   time.Time
	ip  netip.Prefix
	bin []byte
	b   bool
}
