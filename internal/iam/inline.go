package iam

import (
	"context"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

func rolePolicyNotFound(name string) *Error {
	return errorf(KindNoSuchEntity, "The role policy with name %s cannot be found.", name)
}

// PutRolePolicy adds an inline identity policy to a role, or replaces the role's policy of
// the same name (names are case-sensitive). The role's inline policies together may hold
// 10,240 characters without whitespace (reference §3.4); past that, KindLimitExceeded with
// IAM's "Maximum policy size of 10240 bytes exceeded for role <name>". The check and the
// write are one store transaction. KindMalformedPolicy for a document that does not parse
// as an identity policy; KindNoSuchEntity if the role does not exist.
func (s *Service) PutRolePolicy(ctx context.Context, roleName, policyName, doc string) error {
	if err := checkName(roleName, "roleName", maxNameLen); err != nil {
		return err
	}
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return err
	}
	p, perr := parseDocument(doc, "policyDocument", policy.Identity)
	if perr != nil {
		return perr
	}
	rec := store.RolePolicy{RoleName: roleName, Name: policyName, Document: doc}
	admit := func(others []store.RolePolicy) error {
		total := p.Size()
		for _, o := range others {
			total += storedSize(o.Document)
		}
		if total > maxInlineAggregate {
			return errorf(KindLimitExceeded, "Maximum policy size of %d bytes exceeded for role %s", maxInlineAggregate, roleName)
		}
		return nil
	}
	return s.write(ctx, func() error {
		return storeError(s.opt.Store.PutRolePolicy(ctx, rec, admit), roleNotFound(roleName), nil, nil)
	})
}

// storedSize is a stored document's size for quotas: its whitespace-free size when it
// parses, its length otherwise (a document written by another version, counted fully).
func storedSize(doc string) int {
	if p, err := policy.Parse([]byte(doc), policy.Identity); err == nil {
		return p.Size()
	}
	return len(doc)
}

// GetRolePolicy returns one inline policy, its document exactly as written.
// KindNoSuchEntity, worded for the role or for the policy, when either is missing.
func (s *Service) GetRolePolicy(ctx context.Context, roleName, policyName string) (store.RolePolicy, error) {
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return store.RolePolicy{}, err
	}
	if _, err := s.GetRole(ctx, roleName); err != nil {
		return store.RolePolicy{}, err
	}
	rp, err := s.opt.Store.GetRolePolicy(ctx, roleName, policyName)
	return rp, storeError(err, rolePolicyNotFound(policyName), nil, nil)
}

// ListRolePolicies returns the names of the role's inline policies, sorted;
// KindNoSuchEntity if the role does not exist.
func (s *Service) ListRolePolicies(ctx context.Context, roleName string) ([]string, error) {
	if err := checkName(roleName, "roleName", maxNameLen); err != nil {
		return nil, err
	}
	all, err := s.opt.Store.ListRolePolicies(ctx, roleName)
	if err != nil {
		return nil, storeError(err, roleNotFound(roleName), nil, nil)
	}
	names := make([]string, len(all))
	for i, p := range all {
		names[i] = p.Name
	}
	return names, nil
}

// DeleteRolePolicy removes one inline policy; KindNoSuchEntity, worded for the role or for
// the policy, when either is missing.
func (s *Service) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	if err := checkName(policyName, "policyName", maxPolicyNameLen); err != nil {
		return err
	}
	if _, err := s.GetRole(ctx, roleName); err != nil {
		return err
	}
	return s.write(ctx, func() error {
		return storeError(s.opt.Store.DeleteRolePolicy(ctx, roleName, policyName), rolePolicyNotFound(policyName), nil, nil)
	})
}
