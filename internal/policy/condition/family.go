package condition

import (
	"net/netip"
	"time"
)

// family is the sealed interface behind which each operator family compiles its policy
// values and tests a request value against one of them. Only this package implements it.
type family interface {
	// compile compiles one policy value once; a value with variables is checked as far as
	// it can be before they are known.
	compile(t Template) (compiled, error)
	// match reports whether request value v satisfies the family's positive test against
	// the policy value pv, its variables resolved from ctx. A request value of the wrong
	// type, or a variable without value, satisfies nothing.
	match(pv *compiled, v string, ctx Context) bool
	wildcards() bool
	variables() bool
}

// compiled is one policy value, ready to compare; each family uses its own fields.
type compiled struct {
	tmpl Template
	str  string
	pat  Pattern
	arn  ARNPattern
	num  number
	t    time.Time
	ip   netip.Prefix
	bin  []byte
	b    bool
}
