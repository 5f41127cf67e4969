package iam

import (
	"context"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// CreateRoleInput is CreateRole's request (reference §3.4).
type CreateRoleInput struct {
	Name string
	// Path is "/" when empty.
	Path string
	// TrustPolicy is the AssumeRolePolicyDocument, kept exactly as given.
	TrustPolicy string
	Description string
	// MaxSessionDuration is in seconds, 3600 to 43200; zero means 3600.
	MaxSessionDuration int
	// PermissionsBoundary is a managed policy ARN, or "".
	PermissionsBoundary string
	Tags                []store.Tag
}

// UpdateRoleInput is UpdateRole's request: nil / zero fields are left as they are.
type UpdateRoleInput struct {
	Name               string
	Description        *string
	MaxSessionDuration int
}

const roleTagQuota = "TagsPerRole"

// pathPrefixPattern is List*'s PathPrefix: \u002F[\u0021-\u007F]*.
var pathPrefixPattern = regexp.MustCompile(`^/[\x21-\x7f]*$`)

func roleNotFound(name string) *Error {
	return errorf(KindNoSuchEntity, "The role with name %s cannot be found.", name)
}

// RoleARN returns the ARN of the role named name (case-insensitively), path included, as
// the configuration last loaded knows it; for a role it does not know, the ARN the role
// would have at path "/". Wire packages authorize IAM actions on it.
func (s *Service) RoleARN(name string) string {
	if r := s.snap.Load().roles[strings.ToLower(name)]; r != nil {
		return r.rec.ARN
	}
	return s.RoleARNAt("/", name)
}

// RoleARNAt is the ARN of a role named name at path: arn:aws:iam::<acct>:role<path><name>.
func (s *Service) RoleARNAt(path, name string) string {
	return "arn:aws:iam::" + s.opt.Account + ":role" + defaultPath(path) + name
}

// CreateRole creates a role and returns it as stored. The trust policy is parsed as a
// resource policy, held to 2,048 characters (whitespace not counted) and passed through
// the trust-policy linter. Errors: KindValidation / KindInvalidInput for parameters,
// KindMalformedPolicy for the trust policy (or a linter refusal), KindLimitExceeded for
// its size or the account's 1,000 roles, KindNoSuchEntity for a missing permissions
// boundary, KindEntityAlreadyExists when the name is taken (case-insensitively).
func (s *Service) CreateRole(ctx context.Context, in *CreateRoleInput) (store.Role, error) {
	if err := checkRoleInput(in); err != nil {
		return store.Role{}, err
	}
	if err := s.checkTrustPolicy(in.Name, in.TrustPolicy, "assumeRolePolicyDocument"); err != nil {
		return store.Role{}, err
	}
	id, err := s.newID("AROA")
	if err != nil {
		return store.Role{}, err
	}
	maxSession := in.MaxSessionDuration
	if maxSession == 0 {
		maxSession = minRoleSession
	}
	r := store.Role{ID: id, Name: in.Name, Path: defaultPath(in.Path), ARN: s.RoleARNAt(in.Path, in.Name),
		TrustPolicy: in.TrustPolicy, Description: in.Description, MaxSessionDuration: maxSession,
		PermissionsBoundary: in.PermissionsBoundary, Tags: store.SortedTags(in.Tags), CreateDate: s.opt.Now().UTC()}
	err = s.write(ctx, func() error {
		all, err := s.opt.Store.ListRoles(ctx)
		if err := underQuota(len(all), err, "RolesPerAccount", maxRoles); err != nil {
			return err
		}
		if err := s.boundaryExists(ctx, in.PermissionsBoundary); err != nil {
			return err
		}
		exists := errorf(KindEntityAlreadyExists, "Role with name %s already exists.", in.Name)
		return storeError(s.opt.Store.CreateRole(ctx, r), nil, exists, nil)
	})
	if err != nil {
		return store.Role{}, err
	}
	return s.GetRole(ctx, in.Name)
}

func checkRoleInput(in *CreateRoleInput) *Error {
	if err := checkName(in.Name, "roleName", maxNameLen); err != nil {
		return err
	}
	if err := checkPath(in.Path); err != nil {
		return err
	}
	if err := checkDescription(in.Description); err != nil {
		return err
	}
	if in.MaxSessionDuration != 0 {
		if err := checkMaxSession(in.MaxSessionDuration); err != nil {
			return err
		}
	}
	if in.PermissionsBoundary != "" {
		if err := checkARN(in.PermissionsBoundary, "permissionsBoundary"); err != nil {
			return err
		}
	}
	return checkTags(in.Tags)
}

func checkMaxSession(secs int) *Error {
	v := strconv.Itoa(secs)
	switch {
	case secs < minRoleSession:
		return validation(v, "maxSessionDuration", "Member must have value greater than or equal to 3600")
	case secs > maxRoleSession:
		return validation(v, "maxSessionDuration", "Member must have value less than or equal to 43200")
	}
	return nil
}

// boundaryExists checks that a permissions boundary names one of the account's managed
// policies ("" is no boundary).
func (s *Service) boundaryExists(ctx context.Context, arn string) error {
	if arn == "" {
		return nil
	}
	_, err := s.opt.Store.GetManagedPolicy(ctx, arn)
	return storeError(err, errorf(KindNoSuchEntity, "Scope ARN: %s does not exist or is not attachable.", arn), nil, nil)
}

// GetRole returns the role named name (case-insensitively); KindNoSuchEntity if none.
func (s *Service) GetRole(ctx context.Context, name string) (store.Role, error) {
	if err := checkName(name, "roleName", maxNameLen); err != nil {
		return store.Role{}, err
	}
	r, err := s.opt.Store.GetRole(ctx, name)
	return r, storeError(err, roleNotFound(name), nil, nil)
}

// ListRoles returns the roles whose path starts with pathPrefix ("" or "/" for all),
// ordered by name case-insensitively.
func (s *Service) ListRoles(ctx context.Context, pathPrefix string) ([]store.Role, error) {
	if err := checkPathPrefix(pathPrefix); err != nil {
		return nil, err
	}
	all, err := s.opt.Store.ListRoles(ctx)
	if err != nil {
		return nil, serviceFailure(err)
	}
	return slices.DeleteFunc(all, func(r store.Role) bool { return !strings.HasPrefix(r.Path, pathPrefix) }), nil
}

func checkPathPrefix(prefix string) *Error {
	if prefix == "" {
		return nil
	}
	return checkPattern(prefix, "pathPrefix", 1, maxPathLen, pathPrefixPattern, `Member must satisfy regular expression pattern: \u002F[\u0021-\u007F]*`)
}

// DeleteRole deletes a role that has no inline and no attached policies; otherwise
// KindDeleteConflict in IAM's words. KindNoSuchEntity if there is no such role. Sessions of
// the deleted role stop working at their next request.
func (s *Service) DeleteRole(ctx context.Context, name string) error {
	if err := checkName(name, "roleName", maxNameLen); err != nil {
		return err
	}
	detachFirst := errorf(KindDeleteConflict, "Cannot delete entity, must detach all policies first.")
	return s.write(ctx, func() error {
		inline, err := s.opt.Store.ListRolePolicies(ctx, name)
		if err != nil {
			return storeError(err, roleNotFound(name), nil, nil)
		}
		if len(inline) > 0 {
			return errorf(KindDeleteConflict, "Cannot delete entity, must delete policies first.")
		}
		attached, err := s.opt.Store.ListAttachedRolePolicies(ctx, name)
		if err != nil {
			return storeError(err, roleNotFound(name), nil, nil)
		}
		if len(attached) > 0 {
			return detachFirst
		}
		return storeError(s.opt.Store.DeleteRole(ctx, name, store.Restrict), roleNotFound(name), nil, detachFirst)
	})
}

// updateRole runs fn on the stored role in one transaction and reloads.
func (s *Service) updateRole(ctx context.Context, name string, fn func(*store.Role) *Error) error {
	if err := checkName(name, "roleName", maxNameLen); err != nil {
		return err
	}
	return s.write(ctx, func() error {
		err := s.opt.Store.UpdateRole(ctx, name, func(r *store.Role) error {
			if e := fn(r); e != nil {
				return e
			}
			return nil
		})
		return storeError(err, roleNotFound(name), nil, nil)
	})
}

// UpdateRole changes a role's description and maximum session duration (3600–43200 s).
// Sessions already issued keep their expiry.
func (s *Service) UpdateRole(ctx context.Context, in *UpdateRoleInput) error {
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return err
		}
	}
	if in.MaxSessionDuration != 0 {
		if err := checkMaxSession(in.MaxSessionDuration); err != nil {
			return err
		}
	}
	return s.updateRole(ctx, in.Name, func(r *store.Role) *Error {
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.MaxSessionDuration != 0 {
			r.MaxSessionDuration = in.MaxSessionDuration
		}
		return nil
	})
}

// UpdateAssumeRolePolicy replaces a role's trust policy, checked as in CreateRole.
func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, name, doc string) error {
	if err := s.checkTrustPolicy(name, doc, "policyDocument"); err != nil {
		return err
	}
	return s.updateRole(ctx, name, func(r *store.Role) *Error {
		r.TrustPolicy = doc
		return nil
	})
}

// TagRole adds or overwrites tags (keys compared case-insensitively); KindLimitExceeded
// when the role would have more than 50. Role tags are aws:PrincipalTag keys of its sessions.
func (s *Service) TagRole(ctx context.Context, name string, tags []store.Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.updateRole(ctx, name, func(r *store.Role) *Error {
		merged, err := mergeTags(r.Tags, tags, roleTagQuota)
		r.Tags = merged
		return err
	})
}

// UntagRole removes the tags with these keys; absent keys are ignored.
func (s *Service) UntagRole(ctx context.Context, name string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.updateRole(ctx, name, func(r *store.Role) *Error {
		r.Tags = removeTags(r.Tags, keys)
		return nil
	})
}

// ListRoleTags returns the role's tags sorted by key.
func (s *Service) ListRoleTags(ctx context.Context, name string) ([]store.Tag, error) {
	r, err := s.GetRole(ctx, name)
	return r.Tags, err
}

// PutRolePermissionsBoundary sets the managed policy that bounds the role's permissions;
// KindNoSuchEntity if the role or the policy does not exist.
func (s *Service) PutRolePermissionsBoundary(ctx context.Context, name, policyARN string) error {
	if err := checkARN(policyARN, "permissionsBoundary"); err != nil {
		return err
	}
	if err := checkName(name, "roleName", maxNameLen); err != nil {
		return err
	}
	return s.write(ctx, func() error {
		if err := s.boundaryExists(ctx, policyARN); err != nil {
			return err
		}
		err := s.opt.Store.UpdateRole(ctx, name, func(r *store.Role) error {
			r.PermissionsBoundary = policyARN
			return nil
		})
		return storeError(err, roleNotFound(name), nil, nil)
	})
}

// DeleteRolePermissionsBoundary removes the role's permissions boundary. A role without
// one is left as it is and the call succeeds (UNCONFIRMED: AWS's answer in that case).
func (s *Service) DeleteRolePermissionsBoundary(ctx context.Context, name string) error {
	return s.updateRole(ctx, name, func(r *store.Role) *Error {
		r.PermissionsBoundary = ""
		return nil
	})
}

// RevokeRoleSessions voids every session of the role issued before now (AWS's "revoke
// active sessions", which AWS implements with an AWSRevokeOlderSessions inline policy and
// inkan with the role's SessionsValidAfter marker, checked on every request). It returns
// the instant from which sessions are valid again.
func (s *Service) RevokeRoleSessions(ctx context.Context, name string) (time.Time, error) {
	// The store keeps microseconds: round up, so that no session issued before the call
	// survives it through truncation.
	now := s.opt.Now().UTC()
	if t := now.Truncate(time.Microsecond); !t.Equal(now) {
		now = t.Add(time.Microsecond)
	}
	err := s.updateRole(ctx, name, func(r *store.Role) *Error {
		r.SessionsValidAfter = now
		return nil
	})
	return now, err
}

// checkTrustPolicy parses a trust policy (a resource policy: Principal required), holds it
// to 2,048 characters without whitespace (reference §3.4) and runs the trust-policy linter
// with the registered providers' client IDs. An error-level finding refuses the document
// with KindMalformedPolicy carrying the finding and its fix, unless Options.LintWarnOnly,
// in which case it is logged as a warning and the document accepted.
func (s *Service) checkTrustPolicy(role, doc, field string) *Error {
	p, err := parseDocument(doc, field, policy.Trust)
	if err != nil {
		return err
	}
	if p.Size() > maxTrustPolicySize {
		return quotaExceeded("ACLSizePerRole", maxTrustPolicySize)
	}
	for _, f := range policy.Lint(p, s.TrustLintOptions()) {
		if f.Severity != policy.Error {
			continue
		}
		if s.opt.LintWarnOnly {
			s.opt.Logger.Warn("trust policy accepted despite a linter error (lint refusals are warnings)",
				"role", role, "path", f.Path, "finding", f.Message, "fix", f.Fix)
			continue
		}
		msg := f.Path + ": " + strings.TrimSuffix(f.Message, ".") + "."
		if f.Fix != "" {
			msg += " Fix: " + f.Fix
		}
		return &Error{Kind: KindMalformedPolicy, Message: msg, Reason: "refused by the trust-policy linter (an error finding at " + f.Path + ")"}
	}
	return nil
}

// providerClientIDs maps each registered provider, by its issuer URL and by its condition-key
// prefix (the URL without scheme), to its client IDs, for the linter's audience checks.
// TrustLintOptions are the options the domain lints trust policies with on write: the
// registered providers' client IDs. The console lints drafts with them.
func (s *Service) TrustLintOptions() policy.LintOptions {
	return policy.LintOptions{ClientIDs: s.providerClientIDs()}
}

func (s *Service) providerClientIDs() map[string][]string {
	snap := s.snap.Load()
	out := make(map[string][]string, 2*len(snap.providers))
	for url, p := range snap.providers {
		out[url] = p.rec.ClientIDs
		out[p.keyPrefix] = p.rec.ClientIDs
	}
	return out
}
