package iam

import (
	"context"
	"slices"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// CreatePolicyInput is CreatePolicy's request: a customer managed policy with one version.
type CreatePolicyInput struct {
	Name string
	// Path is "/" when empty.
	Path        string
	Description string
	// Document is the identity policy, kept exactly as given as version v1.
	Document string
	Tags     []store.Tag
}

// DefaultVersionID is the version every managed policy has: inkan keeps the default
// version only, and it is the first.
const DefaultVersionID = "v1"

func policyNotFound(arn string) *Error {
	return errorf(KindNoSuchEntity, "Policy %s was not found.", arn)
}

func policyNotAttachable(arn string) *Error {
	return errorf(KindNoSuchEntity, "Policy %s does not exist or is not attachable.", arn)
}

// PolicyARN is the ARN of the managed policy name at path: arn:aws:iam::<acct>:policy<path><name>.
func (s *Service) PolicyARN(path, name string) string {
	return "arn:aws:iam::" + s.opt.Account + ":policy" + defaultPath(path) + name
}

// CreatePolicy creates a customer managed policy (default version v1) and returns it as
// stored. The document must parse as an identity policy and hold at most 6,144 characters
// without whitespace (KindLimitExceeded). KindEntityAlreadyExists when the name is taken
// (case-insensitively, across paths); KindLimitExceeded past 1,500 policies.
func (s *Service) CreatePolicy(ctx context.Context, in *CreatePolicyInput) (store.ManagedPolicy, error) {
	if err := checkPolicyInput(in); err != nil {
		return store.ManagedPolicy{}, err
	}
	p, perr := parseDocument(in.Document, "policyDocument", policy.Identity)
	if perr != nil {
		return store.ManagedPolicy{}, perr
	}
	if p.Size() > maxManagedSize {
		return store.ManagedPolicy{}, quotaExceeded("PolicySize", maxManagedSize)
	}
	id, err := s.newID("ANPA")
	if err != nil {
		return store.ManagedPolicy{}, err
	}
	now := s.opt.Now().UTC()
	rec := store.ManagedPolicy{ARN: s.PolicyARN(in.Path, in.Name), ID: id, Name: in.Name, Path: defaultPath(in.Path),
		Description: in.Description, Document: in.Document, DefaultVersionID: DefaultVersionID,
		CreateDate: now, UpdateDate: now, Tags: store.SortedTags(in.Tags)}
	err = s.write(ctx, func() error {
		all, err := s.opt.Store.ListManagedPolicies(ctx)
		if err := underQuota(len(all), err, "PoliciesPerAccount", maxManagedPolicies); err != nil {
			return err
		}
		exists := errorf(KindEntityAlreadyExists, "A policy called %s already exists. Duplicate names are not allowed.", in.Name)
		return storeError(s.opt.Store.CreateManagedPolicy(ctx, rec), nil, exists, nil)
	})
	if err != nil {
		return store.ManagedPolicy{}, err
	}
	return s.GetPolicy(ctx, rec.ARN)
}

func checkPolicyInput(in *CreatePolicyInput) *Error {
	if err := checkName(in.Name, "policyName", maxPolicyNameLen); err != nil {
		return err
	}
	if err := checkPath(in.Path); err != nil {
		return err
	}
	if err := checkLength(in.Description, "description", 0, maxDescriptionLen); err != nil {
		return err
	}
	return checkTags(in.Tags)
}

// GetPolicy returns the managed policy with this ARN, with its attachment count;
// KindNoSuchEntity if none.
func (s *Service) GetPolicy(ctx context.Context, arn string) (store.ManagedPolicy, error) {
	if err := checkARN(arn, "policyArn"); err != nil {
		return store.ManagedPolicy{}, err
	}
	p, err := s.opt.Store.GetManagedPolicy(ctx, arn)
	return p, storeError(err, policyNotFound(arn), nil, nil)
}

// GetPolicyVersion returns the managed policy when versionID is its default version (the
// only one inkan keeps); KindNoSuchEntity otherwise.
func (s *Service) GetPolicyVersion(ctx context.Context, arn, versionID string) (store.ManagedPolicy, error) {
	p, err := s.GetPolicy(ctx, arn)
	if err != nil {
		return store.ManagedPolicy{}, err
	}
	if versionID != p.DefaultVersionID {
		return store.ManagedPolicy{}, errorf(KindNoSuchEntity, "Policy %s version %s does not exist or is not attachable.", arn, versionID)
	}
	return p, nil
}

// ListPolicies returns the account's managed policies whose path starts with pathPrefix
// ("" for all), only those attached to a role when onlyAttached, ordered by name
// case-insensitively.
func (s *Service) ListPolicies(ctx context.Context, pathPrefix string, onlyAttached bool) ([]store.ManagedPolicy, error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return nil, err
	}
	all, err := s.opt.Store.ListManagedPolicies(ctx)
	if err != nil {
		return nil, serviceFailure(err)
	}
	return slices.DeleteFunc(all, func(p store.ManagedPolicy) bool {
		return !strings.HasPrefix(p.Path, pathPrefix) || (onlyAttached && p.AttachmentCount == 0)
	}), nil
}

// DeletePolicy deletes a managed policy that is attached to no role and is no role's
// permissions boundary; otherwise KindDeleteConflict. KindNoSuchEntity if none.
// UNCONFIRMED: whether AWS refuses to delete a policy used only as a permissions boundary;
// inkan refuses, because the roles it bounds would otherwise become unusable.
func (s *Service) DeletePolicy(ctx context.Context, arn string) error {
	if err := checkARN(arn, "policyArn"); err != nil {
		return err
	}
	conflict := errorf(KindDeleteConflict, "Cannot delete a policy attached to entities.")
	return s.write(ctx, func() error {
		roles, err := s.opt.Store.ListRoles(ctx)
		if err != nil {
			return serviceFailure(err)
		}
		for _, r := range roles {
			if r.PermissionsBoundary == arn {
				return withCause(conflict, errorf(KindDeleteConflict, "the policy is the permissions boundary of role %s", r.Name))
			}
		}
		return storeError(s.opt.Store.DeleteManagedPolicy(ctx, arn), policyNotFound(arn), nil, conflict)
	})
}

// AttachRolePolicy attaches a managed policy to a role; attaching it again succeeds.
// KindNoSuchEntity if the role or the policy does not exist; KindLimitExceeded past 10
// attached policies per role.
func (s *Service) AttachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	if err := checkName(roleName, "roleName", maxNameLen); err != nil {
		return err
	}
	if err := checkARN(policyARN, "policyArn"); err != nil {
		return err
	}
	admit := func(attached []string) error {
		return underQuota(len(attached), nil, "PoliciesPerRole", maxAttachedPerRole)
	}
	return s.write(ctx, func() error {
		if _, err := s.opt.Store.GetManagedPolicy(ctx, policyARN); err != nil {
			return storeError(err, policyNotAttachable(policyARN), nil, nil)
		}
		return storeError(s.opt.Store.AttachRolePolicy(ctx, roleName, policyARN, admit), roleNotFound(roleName), nil, nil)
	})
}

// DetachRolePolicy detaches a managed policy from a role. KindNoSuchEntity if the role does
// not exist, or the policy does not exist or is not attached to it.
func (s *Service) DetachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	if err := checkARN(policyARN, "policyArn"); err != nil {
		return err
	}
	if _, err := s.GetRole(ctx, roleName); err != nil {
		return err
	}
	return s.write(ctx, func() error {
		return storeError(s.opt.Store.DetachRolePolicy(ctx, roleName, policyARN), policyNotFound(policyARN), nil, nil)
	})
}

// ListAttachedRolePolicies returns the managed policies attached to the role whose path
// starts with pathPrefix ("" for all), ordered by name case-insensitively; KindNoSuchEntity
// if the role does not exist.
func (s *Service) ListAttachedRolePolicies(ctx context.Context, roleName, pathPrefix string) ([]store.ManagedPolicy, error) {
	if err := checkName(roleName, "roleName", maxNameLen); err != nil {
		return nil, err
	}
	if err := checkPathPrefix(pathPrefix); err != nil {
		return nil, err
	}
	all, err := s.opt.Store.ListAttachedRolePolicies(ctx, roleName)
	if err != nil {
		return nil, storeError(err, roleNotFound(roleName), nil, nil)
	}
	return slices.DeleteFunc(all, func(p store.ManagedPolicy) bool { return !strings.HasPrefix(p.Path, pathPrefix) }), nil
}

// BoundaryUsage counts the roles whose permissions boundary is the policy arn, in the
// configuration last loaded (IAM's PermissionsBoundaryUsageCount).
func (s *Service) BoundaryUsage(arn string) int {
	n := 0
	for _, r := range s.snap.Load().roles {
		if r.rec.PermissionsBoundary == arn {
			n++
		}
	}
	return n
}
