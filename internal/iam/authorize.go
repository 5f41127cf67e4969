package iam

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/inkan-dev/inkan/internal/policy"
)

// AccessRequest is one request to authorize.
type AccessRequest struct {
	Action   string // e.g. s3:GetObject
	Resource string // ARN
	// Keys are the request's own condition keys (s3:prefix, aws:SourceIp, aws:SecureTransport
	// …), lower-cased; Authorize adds the principal's global keys to them.
	Keys policy.Keys
	// ResourcePolicy is the bucket policy, if any.
	ResourcePolicy *policy.Policy
}

// Authorize decides whether p may perform the request: root may do anything a resource
// policy does not explicitly deny it; a session is decided by its role's policies, its
// session policies, its role's permissions boundary and the resource policy (reference
// §5.4), after the revocation marker and the role's existence. A denial is a *Error of
// KindAccessDenied carrying the trace.
//
// Root and bucket policies: an explicit Deny in a bucket policy binds the account's root
// too, but for the management of the bucket policy itself (Get/Put/DeleteBucketPolicy),
// which S3 leaves open to root "to ensure that bucket owners don't inadvertently lock
// themselves out of their own buckets" (S3 API reference, PutBucketPolicy).
func (s *Service) Authorize(_ context.Context, p *Principal, req *AccessRequest) error {
	if p.Root && (req.ResourcePolicy == nil || RootKeepsAccess(req.Action)) {
		return nil
	}
	snap := s.snap.Load()
	set, keys, err := s.callerSet(snap, p)
	if err != nil {
		s.observe(req.Action, "deny")
		return err
	}
	for k, v := range req.Keys {
		keys[k] = v
	}
	timeKeys(keys, s.opt.Now())
	set.Resource = req.ResourcePolicy
	preq := &policy.Request{Principal: callerPolicyPrincipal(p), Action: req.Action, Resource: req.Resource, Context: keys}
	if ok, reason, tr := evaluate(preq, set); !ok {
		s.observe(req.Action, "deny")
		return s.callerDenied(p, req.Action, req.Resource, reason, tr)
	}
	s.observe(req.Action, "allow")
	return nil
}

// RootKeepsAccess reports whether action is one no bucket policy can deny the account's
// root: the management of the bucket policy itself.
func RootKeepsAccess(action string) bool {
	switch strings.ToLower(action) {
	case "s3:getbucketpolicy", "s3:putbucketpolicy", "s3:deletebucketpolicy":
		return true
	}
	return false
}

// allowAll is root's identity policy, and its policy when it assumes a role.
var allowAll = func() *policy.Policy {
	p, err := policy.Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`), policy.Identity)
	if err != nil {
		panic(err)
	}
	return p
}()

// callerSet gathers the policies that bound a caller and the caller's global condition keys.
func (s *Service) callerSet(snap *snapshot, p *Principal) (*policy.Set, policy.Keys, *Error) {
	if p.Root {
		keys := policy.Keys{"aws:principalarn": {p.ARN}, "aws:principalaccount": {p.Account},
			"aws:userid": {p.UserID}, "aws:principaltype": {"Account"}}
		return &policy.Set{Identity: []*policy.Policy{allowAll}}, keys, nil
	}
	set, r, err := s.sessionSet(snap, p)
	if err != nil {
		return nil, nil, err
	}
	return set, SessionKeys(p.Account, p.Session, r.rec.Tags), nil
}

// sessionSet is the policy set of a session principal and its role, without the condition
// keys callerSet adds: what a question about the policies alone (UsesConditionKey) needs.
func (s *Service) sessionSet(snap *snapshot, p *Principal) (*policy.Set, *role, *Error) {
	c := p.Session
	r := snap.roles[strings.ToLower(c.RoleARN[strings.LastIndexByte(c.RoleARN, '/')+1:])]
	if r == nil || r.rec.ID != c.RoleID {
		return nil, nil, s.callerDenied(p, "*", c.RoleARN, "role "+c.RoleARN+" of this session no longer exists", nil)
	}
	if r.broken != "" {
		return nil, nil, s.callerDenied(p, "*", c.RoleARN, "role "+r.rec.Name+" is unusable: "+r.broken, nil)
	}
	if va := r.rec.SessionsValidAfter; !va.IsZero() && c.Issued.Before(va) {
		return nil, nil, s.callerDenied(p, "*", c.RoleARN, "sessions of role "+r.rec.Name+" issued before "+
			va.UTC().Format(time.RFC3339)+" are revoked (this one was issued "+c.Issued.UTC().Format(time.RFC3339)+")", nil)
	}
	set := &policy.Set{Identity: r.identity, Boundary: r.boundary}
	if c.Policy != "" || len(c.PolicyARNs) > 0 {
		set.HasSession = true
		if c.Policy != "" {
			sp, err := s.sessions.get(c.Policy)
			if err != nil {
				return nil, nil, s.callerDenied(p, "*", c.RoleARN, "the session policy no longer compiles", nil)
			}
			set.Session = append(set.Session, sp)
		}
		for _, a := range c.PolicyARNs {
			// A managed session policy deleted since the session began grants nothing.
			if m := snap.managed[a]; m != nil && m.doc != nil {
				set.Session = append(set.Session, m.doc)
			}
		}
	}
	return set, r, nil
}

// policyCache keeps compiled session policies by text, so a session's policy is compiled once
// rather than on every request. Bounded: it is emptied when full.
type policyCache struct {
	mu  sync.Mutex
	max int
	m   map[string]*policy.Policy
}

func newPolicyCache(max int) *policyCache {
	return &policyCache{max: max, m: map[string]*policy.Policy{}}
}

func (c *policyCache) get(doc string) (*policy.Policy, error) {
	c.mu.Lock()
	p, ok := c.m[doc]
	c.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.Parse([]byte(doc), policy.Session)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		c.m = map[string]*policy.Policy{}
	}
	c.m[doc] = p
	c.mu.Unlock()
	return p, nil
}
