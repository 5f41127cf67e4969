package policy

// Effect is the outcome of an evaluation. The zero value is ImplicitDeny, so a Decision
// nobody filled in denies.
type Effect int

const (
	// ImplicitDeny: nothing allowed the request (or a required policy did not).
	ImplicitDeny Effect = iota
	// Allow: the request is allowed.
	Allow
	// ExplicitDeny: a Deny statement matched; nothing can override it.
	ExplicitDeny
)

// String returns "Allow", "ExplicitDeny" or "ImplicitDeny".
func (e Effect) String() string {
	switch e {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// MarshalText renders the effect by name in JSON.
func (e Effect) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// Source is the kind of policy in a Set that decided.
type Source int

const (
	// SourceNone: no policy at all applied (an empty Set).
	SourceNone Source = iota
	// SourceIdentity: the identity policies (Set.Identity).
	SourceIdentity
	// SourceSession: the session policies (Set.Session).
	SourceSession
	// SourceBoundary: the permissions boundary (Set.Boundary).
	SourceBoundary
	// SourceResource: the resource or trust policy (Set.Resource).
	SourceResource
)

// String returns "none", "identity", "session", "boundary" or "resource".
func (s Source) String() string {
	return [...]string{"none", "identity", "session", "boundary", "resource"}[s]
}

// MarshalText renders the source by name in JSON.
func (s Source) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Decision is the result of Evaluate. For Allow and ExplicitDeny it names the statement
// that decided; for ImplicitDeny the policy type whose allow was missing (Statement -1).
type Decision struct {
	Effect    Effect `json:"effect"`
	Source    Source `json:"source"`
	Policy    string `json:"policy,omitempty"` // the deciding policy's Name
	Statement int    `json:"statement"`        // index of the deciding statement, or -1
	Sid       string `json:"sid,omitempty"`
}

// Evaluate decides the request against the policy set
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
//
//  1. a matching Deny in any policy is an ExplicitDeny;
//  2. a resource policy statement naming the caller's session ARN allows on its own;
//  3. a trust policy (Kind Trust) must itself allow the principal;
//  4. an identity policy, or a resource policy statement naming the caller, must allow; a
//     resource statement that matches only through the caller's account ("123456789012",
//     "arn:aws:iam::123456789012:root", or NotPrincipal) needs the identity policies too;
//  5. a permissions boundary, when set, and the session policies, when present, must also
//     allow (they intersect; they never grant).
//
// Evaluate is pure and allocates nothing in the common case (a Bool condition holding a
// policy variable, or a variable inside a searched wildcard segment, allocates). r, s and
// the policies in s must not be nil; r.Context may be.
func Evaluate(r *Request, s *Set) Decision {
	e := evaluator{req: r, ctx: r.Context}
	if e.ctx == nil {
		e.ctx = Keys(nil)
	}
	return e.run(s)
}

// Explain decides like Evaluate and records everything that led there. It costs
// allocations: callers run it when they need the trace, typically after a denial.
func Explain(r *Request, s *Set) (Decision, *Trace) {
	tr := newTrace(r)
	e := evaluator{req: r, ctx: r.Context, tr: tr}
	if e.ctx == nil {
		e.ctx = Keys(nil)
	}
	d := e.run(s)
	tr.finish(d, &e)
	return d, tr
}

// evaluator runs one evaluation; tr is nil unless a trace was asked for.
type evaluator struct {
	req *Request
	ctx Context
	tr  *Trace
	// groups hold what each policy type decided, indexed by Source.
	groups [SourceResource + 1]outcome
}

// outcome is what the policies of one Source said.
type outcome struct {
	present bool
	deny    found // the first matching Deny
	allow   found // the strongest matching Allow
	grant   grant // how the allow matched (resource policies); grantNamed for others
}

type found struct {
	ok     bool
	policy *Policy
	stmt   *Statement
}

func (e *evaluator) run(s *Set) Decision {
	for _, p := range s.Identity {
		e.policy(SourceIdentity, p)
	}
	for _, p := range s.Session {
		e.policy(SourceSession, p)
	}
	e.groups[SourceSession].present = s.HasSession || len(s.Session) > 0
	if s.Boundary != nil {
		e.policy(SourceBoundary, s.Boundary)
	}
	if s.Resource != nil {
		e.policy(SourceResource, s.Resource)
	}
	return e.decide(s)
}

func (e *evaluator) decide(s *Set) Decision {
	for src := SourceIdentity; src <= SourceResource; src++ {
		if f := e.groups[src].deny; f.ok {
			return decision(ExplicitDeny, src, f)
		}
	}
	id, res := &e.groups[SourceIdentity], &e.groups[SourceResource]
	if res.allow.ok && res.grant == grantSession {
		return decision(Allow, SourceResource, res.allow)
	}
	if s.Resource != nil && s.Resource.kind == Trust && !res.allow.ok {
		return Decision{Effect: ImplicitDeny, Source: SourceResource, Policy: s.Resource.name, Statement: -1}
	}
	granted := id.allow
	grantedBy := SourceIdentity
	if !granted.ok && res.allow.ok && res.grant >= grantNamed {
		granted, grantedBy = res.allow, SourceResource
	}
	if !granted.ok {
		if len(s.Identity) == 0 && s.Resource == nil && !e.groups[SourceSession].present && s.Boundary == nil {
			return Decision{Effect: ImplicitDeny, Source: SourceNone, Statement: -1}
		}
		return Decision{Effect: ImplicitDeny, Source: SourceIdentity, Statement: -1}
	}
	for _, src := range [...]Source{SourceBoundary, SourceSession} {
		if g := &e.groups[src]; g.present && !g.allow.ok {
			return Decision{Effect: ImplicitDeny, Source: src, Policy: policyName(s, src), Statement: -1}
		}
	}
	return decision(Allow, grantedBy, granted)
}

func decision(effect Effect, src Source, f found) Decision {
	return Decision{Effect: effect, Source: src, Policy: f.policy.name, Statement: f.stmt.index, Sid: f.stmt.sid}
}

// policyName names the single policy of a Source, when there is one.
func policyName(s *Set, src Source) string {
	switch {
	case src == SourceBoundary && s.Boundary != nil:
		return s.Boundary.name
	case src == SourceSession && len(s.Session) == 1:
		return s.Session[0].name
	}
	return ""
}

// policy evaluates every statement of p that can still change the outcome of its Source:
// every Deny, and every Allow until one grants as strongly as possible.
func (e *evaluator) policy(src Source, p *Policy) {
	g := &e.groups[src]
	g.present = true
	var pt *PolicyTrace
	if e.tr != nil {
		pt = e.tr.addPolicy(src, p)
	}
	for _, st := range p.stmts {
		if pt == nil && !st.deny && g.allow.ok && (src != SourceResource || g.grant == grantSession) {
			continue
		}
		gr := e.statement(p, st, pt)
		switch {
		case gr == grantNone:
		case st.deny && !g.deny.ok:
			g.deny = found{true, p, st}
		case !st.deny && (!g.allow.ok || gr > g.grant):
			g.allow, g.grant = found{true, p, st}, gr
		}
	}
}

// statement returns how the statement applies to the request: grantNone when it does not.
// With a trace it evaluates and records every element; without, it stops at the first
// element that fails.
func (e *evaluator) statement(p *Policy, st *Statement, pt *PolicyTrace) grant {
	var t *StatementTrace
	if pt != nil {
		t = pt.addStatement(st)
	}
	gr := e.principal(st)
	ok := gr != grantNone
	if t != nil {
		t.record(st, gr)
	} else if !ok {
		return grantNone
	}
	action := st.matchAction(e.req.Action)
	resource := st.matchResource(e.req.Resource, e.ctx)
	ok = ok && action && resource
	if t != nil {
		t.Action, t.Resource = action, resource
	} else if !ok {
		return grantNone
	}
	for _, c := range st.conditions {
		if t != nil {
			r := c.Explain(e.ctx)
			t.Conditions = append(t.Conditions, r)
			ok = ok && r.Satisfied
		} else if !c.Eval(e.ctx) {
			return grantNone
		}
	}
	if t != nil {
		t.Applies = ok
	}
	if !ok {
		return grantNone
	}
	return gr
}

// principal returns how the statement's Principal or NotPrincipal matches the caller; a
// statement without one (identity and session policies) applies to the caller itself.
func (e *evaluator) principal(st *Statement) grant {
	switch {
	case st.principal == nil:
		return grantNamed
	case st.notPrincipal:
		if st.principal.excludes(&e.req.Principal) {
			return grantNone
		}
		return grantAccount
	}
	return st.principal.match(&e.req.Principal)
}

func (st *Statement) matchAction(action string) bool {
	for i := range st.actions {
		if st.actions[i].match(action) {
			return !st.notAction
		}
	}
	return st.notAction
}

func (st *Statement) matchResource(resource string, ctx Context) bool {
	if !st.hasResource {
		return true
	}
	for i := range st.resources {
		if st.resources[i].match(resource, ctx) {
			return !st.notResource
		}
	}
	return st.notResource
}
