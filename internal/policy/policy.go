package policy

import (
	"fmt"
	"slices"

	"github.com/inkan-dev/inkan/internal/policy/condition"
)

// Kind is the kind of document Parse expects; it decides which elements are required.
type Kind int

const (
	// Identity is an identity-based policy (role inline or managed policy, permissions
	// boundary): Principal and NotPrincipal are forbidden, Resource or NotResource required.
	Identity Kind = iota
	// Resource is a resource-based policy such as a bucket policy: Principal or NotPrincipal
	// and Resource or NotResource are required.
	Resource
	// Session is an inline or managed session policy: the rules of Identity.
	Session
	// Trust is a role trust policy: Principal or NotPrincipal required, Resource and
	// NotResource forbidden (the role is the resource). As Set.Resource, a trust policy must
	// itself allow the principal: an identity policy alone never lets anyone assume a role.
	Trust
)

// String names the kind in a sentence: "trust policy".
func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity policy"
	case Resource:
		return "resource policy"
	case Session:
		return "session policy"
	case Trust:
		return "trust policy"
	}
	return "unknown policy kind"
}

// Versions of the policy language. VersionNone (no Version element) and Version2008 do not
// substitute policy variables.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
	VersionNone = ""
)

// Policy is a compiled policy document. It is immutable and safe for concurrent use; its
// inspection methods return copies.
type Policy struct {
	kind    Kind
	name    string
	version string
	id      string
	size    int
	stmts   []*Statement
	refs    []string // see References
}

// Kind returns the kind the policy was parsed as.
func (p *Policy) Kind() Kind { return p.kind }

// Version returns the Version element ("" when absent).
func (p *Policy) Version() string { return p.version }

// ID returns the Id element ("" when absent).
func (p *Policy) ID() string { return p.id }

// Size returns the document's length in characters without insignificant whitespace, to
// compare with AWS's limits: trust 2048, inline role policies 10240 in aggregate, managed
// 6144, session 2048.
func (p *Policy) Size() int { return p.size }

// Name returns the name given with Named, "" by default. Traces and reasons use it.
func (p *Policy) Name() string { return p.name }

// Named returns a copy of the policy that traces and reasons call name (e.g. the inline
// policy's name or the managed policy's ARN). The compiled statements are shared.
func (p *Policy) Named(name string) *Policy {
	c := *p
	c.name = name
	return &c
}

// Statements returns the statements in document order.
func (p *Policy) Statements() []*Statement { return slices.Clone(p.stmts) }

// Statement is one compiled statement. It is immutable; its methods return copies.
type Statement struct {
	index int
	path  string // "Statement[0]", or "Statement" when the document has a single object
	sid   string
	deny  bool

	principal    *principalSet // nil: no Principal/NotPrincipal element
	notPrincipal bool

	actions   []actionPattern
	notAction bool

	resources   []resourcePattern // empty with hasResource false in trust policies
	notResource bool
	hasResource bool

	conditions []*condition.Clause
}

// Index returns the statement's position in the policy (0-based).
func (s *Statement) Index() int { return s.index }

// Path returns where the statement sits in the document: "Statement[i]", or "Statement" when
// the Statement element is a single object.
func (s *Statement) Path() string { return s.path }

// Sid returns the Sid element ("" when absent).
func (s *Statement) Sid() string { return s.sid }

// Effect returns "Allow" or "Deny".
func (s *Statement) Effect() string {
	if s.deny {
		return "Deny"
	}
	return "Allow"
}

// Deny reports whether the statement's Effect is Deny.
func (s *Statement) Deny() bool { return s.deny }

// PrincipalElement is a Principal or NotPrincipal element as written.
type PrincipalElement struct {
	Not bool // NotPrincipal
	// Any is the "*" form ("Principal": "*").
	Any bool
	// Values maps each principal type (AWS, Federated, Service, CanonicalUser) to its values.
	Values map[string][]string
}

// Principal returns the Principal or NotPrincipal element; ok is false when the statement
// has neither (identity and session policies).
func (s *Statement) Principal() (e PrincipalElement, ok bool) {
	if s.principal == nil {
		return PrincipalElement{}, false
	}
	e = PrincipalElement{Not: s.notPrincipal, Any: s.principal.star, Values: map[string][]string{}}
	for _, en := range s.principal.entries {
		e.Values[en.typ] = append(e.Values[en.typ], en.value)
	}
	return e, true
}

// Actions returns the Action (not false) or NotAction (not true) values as written.
func (s *Statement) Actions() (values []string, not bool) {
	for _, a := range s.actions {
		values = append(values, a.src)
	}
	return values, s.notAction
}

// Resources returns the Resource (not false) or NotResource (not true) values as written;
// present is false when the statement has neither (trust policies).
func (s *Statement) Resources() (values []string, not, present bool) {
	for _, r := range s.resources {
		values = append(values, r.tmpl.String())
	}
	return values, s.notResource, s.hasResource
}

// Conditions returns the condition clauses in document order (operators, then keys, as
// written). Clauses are immutable.
func (s *Statement) Conditions() []*condition.Clause { return slices.Clone(s.conditions) }

// String renders a statement's place and Sid for messages: Statement[1] "DenyProd".
func (s *Statement) String() string {
	if s.sid == "" {
		return s.path
	}
	return fmt.Sprintf("%s %q", s.path, s.sid)
}
