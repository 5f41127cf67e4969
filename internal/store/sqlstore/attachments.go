package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/inkan-dev/inkan/internal/store"
)

// AttachRolePolicy attaches a managed policy to a role; see
// store.ManagedPolicies.
func (s *Store) AttachRolePolicy(ctx context.Context, roleName, policyARN string, admit func(attached []string) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ref, err := lookupRoleAndPolicy(ctx, tx, roleName, policyARN)
		if err != nil {
			return err
		}
		attached, err := queryAll(ctx, tx, scanString, `SELECT policy_arn FROM role_policy_attachments WHERE role_id = $1 ORDER BY policy_arn`, ref.id)
		if err != nil {
			return wrap(err, "attach policy", policyARN)
		}
		for _, a := range attached {
			if a == policyARN {
				return nil
			}
		}
		if admit != nil {
			if err := admit(attached); err != nil {
				return err
			}
		}
		return wrap(insertAttachment(ctx, tx, ref.id, policyARN), "attach policy", policyARN)
	})
}

func insertAttachment(ctx context.Context, tx *sql.Tx, roleID, policyARN string) error {
	_, err := exec(ctx, tx, `INSERT INTO role_policy_attachments (role_id, policy_arn) VALUES ($1, $2)`, roleID, policyARN)
	return err
}

// DetachRolePolicy detaches a managed policy from a role; see
// store.ManagedPolicies.
func (s *Store) DetachRolePolicy(ctx context.Context, roleName, policyARN string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ref, err := lookupRoleAndPolicy(ctx, tx, roleName, policyARN)
		if err != nil {
			return err
		}
		n, err := exec(ctx, tx, `DELETE FROM role_policy_attachments WHERE role_id = $1 AND policy_arn = $2`, ref.id, policyARN)
		if err != nil {
			return wrap(err, "detach policy", policyARN)
		}
		if n == 0 {
			return fmt.Errorf("managed policy %q is not attached to role %q: %w", policyARN, ref.name, store.ErrNotFound)
		}
		return nil
	})
}

// ListAttachedRolePolicies returns the managed policies attached to a role;
// see store.ManagedPolicies.
func (s *Store) ListAttachedRolePolicies(ctx context.Context, roleName string) ([]store.ManagedPolicy, error) {
	return listForRole(ctx, s, roleName, "list attached role policies", scanManaged, managedSelect+`
		JOIN role_policy_attachments x ON x.policy_arn = p.arn WHERE x.role_id = $1 ORDER BY p.name_key`)
}

// ListEntitiesForPolicy returns the names of the roles a policy is attached
// to; see store.ManagedPolicies.
func (s *Store) ListEntitiesForPolicy(ctx context.Context, policyARN string) ([]string, error) {
	var names []string
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := policyExists(ctx, tx, policyARN); err != nil {
			return err
		}
		var err error
		names, err = queryAll(ctx, tx, scanString, `SELECT r.name FROM role_policy_attachments a
			JOIN roles r ON r.id = a.role_id WHERE a.policy_arn = $1 ORDER BY r.name_key`, policyARN)
		return wrap(err, "list entities for policy", policyARN)
	})
	return names, err
}

// lookupRoleAndPolicy finds the role named roleName and checks that the
// managed policy exists, as attach and detach both need.
func lookupRoleAndPolicy(ctx context.Context, tx *sql.Tx, roleName, policyARN string) (roleRef, error) {
	ref, err := lookupRole(ctx, tx, roleName)
	if err != nil {
		return ref, err
	}
	return ref, policyExists(ctx, tx, policyARN)
}

func policyExists(ctx context.Context, q querier, arn string) error {
	_, err := queryOne(ctx, q, "managed policy", arn, scanString, `SELECT arn FROM managed_policies WHERE arn = $1`, arn)
	return err
}

func scanString(sc scanner) (string, error) {
	var s string
	return s, sc.Scan(&s)
}
