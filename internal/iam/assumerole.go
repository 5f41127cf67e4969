package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/session"
)

// AssumeRoleInput is AssumeRole's request.
type AssumeRoleInput struct {
	SessionInput
	Tags              []session.Tag
	TransitiveTagKeys []string
	SourceIdentity    string
	ExternalID        string
}

const actionAssumeRole = "sts:AssumeRole"

// AssumeRole issues a session of a role to a signed caller: root, or a role session (role
// chaining). The target's trust policy must allow the caller, and a session caller's own
// policies must allow sts:AssumeRole on the target unless the trust policy names it directly
// (reference §5.4). A chained session lasts at most one hour and keeps the caller's source
// identity and transitive tags.
func (s *Service) AssumeRole(ctx context.Context, caller *Principal, in *AssumeRoleInput) (*AssumedRole, error) {
	out, err := s.assumeRole(ctx, caller, in)
	s.observe(actionAssumeRole, outcome(err))
	return out, err
}

func (s *Service) assumeRole(_ context.Context, caller *Principal, in *AssumeRoleInput) (*AssumedRole, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	chained := caller.Session != nil
	if chained && in.Duration > MaxChainedDuration {
		return nil, errorf(KindValidation, "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
	}
	if len(in.Tags) > maxSessionTags {
		return nil, errorf(KindValidation, "The number of session tags (%d) exceeds the limit of %d.", len(in.Tags), maxSessionTags)
	}
	if in.SourceIdentity != "" && (len(in.SourceIdentity) < 2 || len(in.SourceIdentity) > 64 || !sessionNamePattern.MatchString(in.SourceIdentity)) {
		return nil, validation(in.SourceIdentity, "sourceIdentity", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	snap := s.snap.Load()
	r, ok := snap.roleByARN(s.opt.Account, in.RoleARN)
	if !ok {
		return nil, s.callerDenied(caller, actionAssumeRole, in.RoleARN, "role "+in.RoleARN+" does not exist in account "+s.opt.Account, nil)
	}
	if r.broken != "" {
		return nil, s.callerDenied(caller, actionAssumeRole, in.RoleARN, "role "+r.rec.Name+" is unusable: "+r.broken, nil)
	}
	set, keys, derr := s.callerSet(snap, caller)
	if derr != nil {
		return nil, derr
	}
	set.Resource = r.trust
	requestKeys(keys, &in.SessionInput, s.opt.Now())
	if in.ExternalID != "" {
		keys["sts:externalid"] = []string{in.ExternalID}
	}
	sourceID := in.SourceIdentity
	if chained && caller.Session.SourceIdentity != "" {
		if sourceID != "" && sourceID != caller.Session.SourceIdentity {
			return nil, s.callerDenied(caller, actionAssumeRole, r.rec.ARN, "the source identity of a session cannot change when chaining roles", nil)
		}
		sourceID = caller.Session.SourceIdentity
	}
	req := &policy.Request{Principal: callerPolicyPrincipal(caller), Action: actionAssumeRole, Resource: r.rec.ARN, Context: keys}
	if ok, reason, tr := evaluate(req, set); !ok {
		return nil, s.callerDenied(caller, actionAssumeRole, r.rec.ARN, reason, tr)
	}
	tags, transitive := chainTags(caller, in)
	for _, extra := range []struct {
		action string
		needed bool
	}{{actionTagSession, len(in.Tags) > 0}, {actionSetSourceID, in.SourceIdentity != ""}} {
		if !extra.needed {
			continue
		}
		extraReq := *req
		extraReq.Action = extra.action
		if ok, reason, tr := evaluate(&extraReq, set); !ok {
			return nil, s.callerDenied(caller, extra.action, r.rec.ARN, reason, tr)
		}
	}
	d, verr := duration(&in.SessionInput, r)
	if verr != nil {
		return nil, verr
	}
	if _, perr := s.sessionPolicies(snap, &in.SessionInput); perr != nil {
		return nil, perr
	}
	packed := packedSize(&in.SessionInput, in.Tags)
	if packed > 100 {
		return nil, errorf(KindPackedPolicyTooLarge, "Packed size of session policies and tags is %d%% of the limit", packed)
	}
	now := s.opt.Now().UTC()
	c := &session.Claims{RoleARN: r.rec.ARN, RoleID: r.rec.ID, SessionName: in.SessionName, SourceIdentity: sourceID,
		Issued: now, Expires: now.Add(d), Policy: in.Policy, PolicyARNs: in.PolicyARNs, Tags: tags, Transitive: transitive, Chained: chained}
	if chained {
		c.Provider, c.Federated = caller.Session.Provider, caller.Session.Federated
	}
	creds, err := s.issue(c)
	if err != nil {
		return nil, err
	}
	return &AssumedRole{Credentials: creds, ARN: assumedRoleARN(s.opt.Account, r.rec.ARN, in.SessionName),
		ID: r.rec.ID + ":" + in.SessionName, SourceIdentity: sourceID, PackedPolicySize: packed}, nil
}

// chainTags merges the caller's transitive tags with the requested ones (requested win).
func chainTags(caller *Principal, in *AssumeRoleInput) ([]session.Tag, []string) {
	byKey := map[string]session.Tag{}
	var transitive []string
	if caller.Session != nil {
		trans := map[string]bool{}
		for _, k := range caller.Session.Transitive {
			trans[strings.ToLower(k)] = true
		}
		for _, t := range caller.Session.Tags {
			if trans[strings.ToLower(t.Key)] {
				byKey[strings.ToLower(t.Key)] = t
			}
		}
		transitive = append(transitive, caller.Session.Transitive...)
	}
	for _, t := range in.Tags {
		byKey[strings.ToLower(t.Key)] = t
	}
	transitive = append(transitive, in.TransitiveTagKeys...)
	tags := make([]session.Tag, 0, len(byKey))
	for _, t := range byKey {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags, transitive
}

// callerPolicyPrincipal is how resource policies see a caller: a session is known by its
// session ARN and its role's ARN; root by the account's root ARN.
func callerPolicyPrincipal(p *Principal) policy.Principal {
	if p.Root {
		return policy.Principal{Type: "AWS", IDs: []string{p.ARN}, Account: p.Account}
	}
	return policy.Principal{Type: "AWS", IDs: []string{p.ARN, p.Session.RoleARN}, Account: p.Account}
}

// callerDenied is the AccessDenied of a signed caller, in AWS's words.
func (s *Service) callerDenied(p *Principal, action, resource, reason string, tr *policy.Trace) *Error {
	return &Error{Kind: KindAccessDenied,
		Message: "User: " + p.ARN + " is not authorized to perform: " + action + " on resource: " + resource,
		Reason:  reason, Trace: tr}
}
