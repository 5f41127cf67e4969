package condition

import (
	"errors"
	"fmt"
	"strings"
)

// ErrOperator is wrapped by the error ParseOperator returns for a name it does not know.
var ErrOperator = errors.New("unknown condition operator")

// Qualifier is a condition set operator.
type Qualifier uint8

const (
	// Single is no set operator: the condition tests the key's value (any of its values
	// when the request carries several).
	Single Qualifier = iota
	// ForAllValues: every request value must satisfy the operator; true when the key is
	// absent or empty.
	ForAllValues
	// ForAnyValue: at least one request value must satisfy the operator; false when the key
	// is absent or empty.
	ForAnyValue
)

// String returns "ForAllValues", "ForAnyValue" or "" for Single.
func (q Qualifier) String() string {
	switch q {
	case ForAllValues:
		return "ForAllValues"
	case ForAnyValue:
		return "ForAnyValue"
	}
	return ""
}

// Operator is a parsed condition operator name such as "ForAnyValue:StringLikeIfExists".
// The zero value is not a valid operator.
type Operator struct {
	name      string // as written
	base      string // the operator without qualifier and IfExists, e.g. "StringNotLike"
	qualifier Qualifier
	ifExists  bool
	negated   bool
	fam       family
}

// operatorSpec describes a base operator: its family and whether it is the negation of the
// family's positive test.
type operatorSpec struct {
	fam     family
	negated bool
}

// baseOperator returns the spec of a base operator name; the table is built on each call so
// that the package holds no state.
func baseOperator(name string) (operatorSpec, bool) {
	switch name {
	case "StringEquals", "StringNotEquals":
		return operatorSpec{stringFamily{}, name == "StringNotEquals"}, true
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return operatorSpec{stringFamily{fold: true}, name == "StringNotEqualsIgnoreCase"}, true
	case "StringLike", "StringNotLike":
		return operatorSpec{stringFamily{like: true}, name == "StringNotLike"}, true
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		return operatorSpec{arnFamily{}, strings.HasPrefix(name, "ArnNot")}, true
	case "Bool":
		return operatorSpec{boolFamily{}, false}, true
	case "BinaryEquals":
		return operatorSpec{binaryFamily{}, false}, true
	case "IpAddress", "NotIpAddress":
		return operatorSpec{ipFamily{}, name == "NotIpAddress"}, true
	case "Null":
		return operatorSpec{nullFamily{}, false}, true
	}
	if cmp, ok := strings.CutPrefix(name, "Numeric"); ok {
		c, neg, ok := parseComparison(cmp)
		return operatorSpec{orderedFamily{cmp: c}, neg}, ok
	}
	if cmp, ok := strings.CutPrefix(name, "Date"); ok {
		c, neg, ok := parseComparison(cmp)
		return operatorSpec{orderedFamily{cmp: c, date: true}, neg}, ok
	}
	return operatorSpec{}, false
}

// comparison is the relation a Numeric or Date operator tests: policy value vs request
// value, written as "request value <relation> policy value".
type comparison uint8

const (
	cmpEquals comparison = iota
	cmpLessThan
	cmpLessThanEquals
	cmpGreaterThan
	cmpGreaterThanEquals
)

func parseComparison(s string) (c comparison, negated, ok bool) {
	switch s {
	case "Equals":
		return cmpEquals, false, true
	case "NotEquals":
		return cmpEquals, true, true
	case "LessThan":
		return cmpLessThan, false, true
	case "LessThanEquals":
		return cmpLessThanEquals, false, true
	case "GreaterThan":
		return cmpGreaterThan, false, true
	case "GreaterThanEquals":
		return cmpGreaterThanEquals, false, true
	}
	return 0, false, false
}

// holds reports whether "request <c> policy" is true given their order (-1, 0, +1).
func (c comparison) holds(order int) bool {
	switch c {
	case cmpLessThan:
		return order < 0
	case cmpLessThanEquals:
		return order <= 0
	case cmpGreaterThan:
		return order > 0
	case cmpGreaterThanEquals:
		return order >= 0
	}
	return order == 0
}

// ParseOperator parses an operator name. Names are case-sensitive as AWS writes them; the
// error for a near miss (other case, unknown suffix) says what was probably meant. Null takes
// neither a set operator nor IfExists.
func ParseOperator(name string) (Operator, error) {
	op := Operator{name: name}
	rest := name
	if q, r, ok := strings.Cut(rest, ":"); ok {
		switch q {
		case "ForAllValues":
			op.qualifier = ForAllValues
		case "ForAnyValue":
			op.qualifier = ForAnyValue
		default:
			return Operator{}, fmt.Errorf("%w %q: the set operator must be ForAllValues or ForAnyValue", ErrOperator, name)
		}
		rest = r
	}
	if b, ok := strings.CutSuffix(rest, "IfExists"); ok && b != "" {
		op.ifExists, rest = true, b
	}
	spec, ok := baseOperator(rest)
	if !ok {
		return Operator{}, unknownOperator(name, rest)
	}
	op.base, op.fam, op.negated = rest, spec.fam, spec.negated
	if _, isNull := spec.fam.(nullFamily); isNull && (op.ifExists || op.qualifier != Single) {
		return Operator{}, fmt.Errorf("%w %q: Null takes neither IfExists nor a set operator", ErrOperator, name)
	}
	return op, nil
}

// unknownOperator builds the error for an unknown base name, suggesting the right spelling
// when only the case differs.
func unknownOperator(name, base string) error {
	for _, known := range OperatorNames() {
		if strings.EqualFold(known, base) {
			return fmt.Errorf("%w %q: operator names are case-sensitive, did you mean %q?", ErrOperator, name, known)
		}
	}
	return fmt.Errorf("%w %q", ErrOperator, name)
}

// OperatorNames lists every base operator name the package accepts (without set operators
// or IfExists): every operator AWS documents.
func OperatorNames() []string {
	names := []string{"StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase",
		"StringLike", "StringNotLike", "Bool", "BinaryEquals", "IpAddress", "NotIpAddress",
		"ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null"}
	for _, fam := range []string{"Numeric", "Date"} {
		for _, c := range []string{"Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals"} {
			names = append(names, fam+c)
		}
	}
	return names
}

// String returns the operator as written, e.g. "ForAnyValue:StringLikeIfExists".
func (o Operator) String() string { return o.name }

// Base returns the operator without set operator and IfExists, e.g. "StringNotLike".
func (o Operator) Base() string { return o.base }

// Qualifier returns the set operator, Single when there is none.
func (o Operator) Qualifier() Qualifier { return o.qualifier }

// IfExists reports whether an absent key satisfies the condition.
func (o Operator) IfExists() bool { return o.ifExists }

// Negated reports whether the operator is a negation (StringNotEquals, NotIpAddress, …):
// an absent key satisfies it, and with several policy values the request must match none.
func (o Operator) Negated() bool { return o.negated }

// Wildcards reports whether '*' and '?' in the policy values act as wildcards (the *Like
// and Arn operators).
func (o Operator) Wildcards() bool { return o.fam.wildcards() }

// Variables reports whether the operator substitutes policy variables in its values (the
// String, Arn and Bool operators).
func (o Operator) Variables() bool { return o.fam.variables() }

// IsString reports whether the operator is one of the String operators.
func (o Operator) IsString() bool {
	_, ok := o.fam.(stringFamily)
	return ok
}
