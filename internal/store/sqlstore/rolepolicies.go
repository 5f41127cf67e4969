package sqlstore

import (
	"context"
	"database/sql"

	"github.com/inkan-dev/inkan/internal/store"
)

// rolePolicySelect reads inline policies with their role's stored name.
const rolePolicySelect = `SELECT r.name, p.name, p.document FROM role_policies p JOIN roles r ON r.id = p.role_id`

func scanRolePolicy(sc scanner) (store.RolePolicy, error) {
	var p store.RolePolicy
	return p, sc.Scan(&p.RoleName, &p.Name, &p.Document)
}

// PutRolePolicy adds or replaces an inline policy; see store.RolePolicies.
func (s *Store) PutRolePolicy(ctx context.Context, p store.RolePolicy, admit func(others []store.RolePolicy) error) error {
	if err := p.Check(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		ref, err := lookupRole(ctx, tx, p.RoleName)
		if err != nil {
			return err
		}
		if admit != nil {
			others, err := queryAll(ctx, tx, scanRolePolicy, rolePolicySelect+` WHERE p.role_id = $1 AND p.name <> $2 ORDER BY p.name`, ref.id, p.Name)
			if err != nil {
				return wrap(err, "put role policy", p.Name)
			}
			if err := admit(others); err != nil {
				return err
			}
		}
		return wrap(upsertRolePolicy(ctx, tx, ref.id, p), "put role policy", p.Name)
	})
}

func upsertRolePolicy(ctx context.Context, tx *sql.Tx, roleID string, p store.RolePolicy) error {
	_, err := exec(ctx, tx, `INSERT INTO role_policies (role_id, name, document) VALUES ($1, $2, $3)
		ON CONFLICT (role_id, name) DO UPDATE SET document = excluded.document`, roleID, p.Name, p.Document)
	return err
}

// GetRolePolicy returns one inline policy; see store.RolePolicies.
func (s *Store) GetRolePolicy(ctx context.Context, roleName, policyName string) (store.RolePolicy, error) {
	var p store.RolePolicy
	err := s.read(ctx, func(tx *sql.Tx) error {
		ref, err := lookupRole(ctx, tx, roleName)
		if err != nil {
			return err
		}
		p, err = queryOne(ctx, tx, "role policy", policyName, scanRolePolicy, rolePolicySelect+` WHERE p.role_id = $1 AND p.name = $2`, ref.id, policyName)
		return err
	})
	return p, err
}

// ListRolePolicies returns a role's inline policies by name; see
// store.RolePolicies.
func (s *Store) ListRolePolicies(ctx context.Context, roleName string) ([]store.RolePolicy, error) {
	return listForRole(ctx, s, roleName, "list role policies", scanRolePolicy, rolePolicySelect+` WHERE p.role_id = $1 ORDER BY p.name`)
}

// DeleteRolePolicy removes one inline policy; see store.RolePolicies.
func (s *Store) DeleteRolePolicy(ctx context.Context, roleName, policyName string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ref, err := lookupRole(ctx, tx, roleName)
		if err != nil {
			return err
		}
		return deleteOne(ctx, tx, "role policy", policyName, `DELETE FROM role_policies WHERE role_id = $1 AND name = $2`, ref.id, policyName)
	})
}
