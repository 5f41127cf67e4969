package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/inkan-dev/inkan/internal/store"
)

const roleColumns = `id, name, path, arn, trust_policy, description, max_session_duration, permissions_boundary, tags, create_date, sessions_valid_after`

func scanRole(sc scanner) (store.Role, error) {
	var (
		r       store.Role
		tags    string
		created int64
		revoked sql.NullInt64
	)
	if err := sc.Scan(&r.ID, &r.Name, &r.Path, &r.ARN, &r.TrustPolicy, &r.Description, &r.MaxSessionDuration,
		&r.PermissionsBoundary, &tags, &created, &revoked); err != nil {
		return r, err
	}
	r.CreateDate = decodeTime(created)
	r.SessionsValidAfter = decodeOptionalTime(revoked)
	var err error
	r.Tags, err = decodeTags(tags)
	return r, err
}

// CreateRole adds r; see store.Roles.
func (s *Store) CreateRole(ctx context.Context, r store.Role) error {
	if err := r.Check(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return insertRole(ctx, tx, r) })
	return wrap(err, "create role", r.Name)
}

func insertRole(ctx context.Context, tx *sql.Tx, r store.Role) error {
	_, err := exec(ctx, tx, `INSERT INTO roles (`+roleColumns+`, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.Name, r.Path, r.ARN, r.TrustPolicy, r.Description, r.MaxSessionDuration, r.PermissionsBoundary,
		encodeTags(r.Tags), encodeTime(r.CreateDate), encodeOptionalTime(r.SessionsValidAfter), store.FoldName(r.Name))
	return err
}

const getRoleQuery = `SELECT ` + roleColumns + ` FROM roles WHERE name_key = $1`

// GetRole returns the role named name, case-insensitively; see store.Roles.
func (s *Store) GetRole(ctx context.Context, name string) (store.Role, error) {
	return scanOne(s.prepared.getRole.QueryRowContext(ctx, store.FoldName(name)), "role", name, scanRole)
}

func getRole(ctx context.Context, q querier, name string) (store.Role, error) {
	return queryOne(ctx, q, "role", name, scanRole, getRoleQuery, store.FoldName(name))
}

// ListRoles returns every role by folded name; see store.Roles.
func (s *Store) ListRoles(ctx context.Context) ([]store.Role, error) {
	rs, err := listRoles(ctx, s.r)
	return rs, wrap(err, "list roles", "")
}

func listRoles(ctx context.Context, q querier) ([]store.Role, error) {
	return queryAll(ctx, q, scanRole, `SELECT `+roleColumns+` FROM roles ORDER BY name_key`)
}

// UpdateRole is read-modify-write in one transaction; see store.Roles.
func (s *Store) UpdateRole(ctx context.Context, name string, fn func(*store.Role) error) error {
	return update(ctx, s,
		func(tx *sql.Tx) (store.Role, error) { return getRole(ctx, tx, name) },
		fn,
		func(before, after *store.Role) error {
			if err := immutable("role", name,
				[3]string{"ID", before.ID, after.ID}, [3]string{"Name", before.Name, after.Name},
				[3]string{"Path", before.Path, after.Path}, [3]string{"ARN", before.ARN, after.ARN}); err != nil {
				return err
			}
			return after.Check()
		},
		func(tx *sql.Tx, r *store.Role) error {
			_, err := exec(ctx, tx, `UPDATE roles SET trust_policy = $2, description = $3, max_session_duration = $4,
				permissions_boundary = $5, tags = $6, create_date = $7, sessions_valid_after = $8 WHERE id = $1`,
				r.ID, r.TrustPolicy, r.Description, r.MaxSessionDuration, r.PermissionsBoundary,
				encodeTags(r.Tags), encodeTime(r.CreateDate), encodeOptionalTime(r.SessionsValidAfter))
			return err
		})
}

// DeleteRole removes the role named name, with its dependents as mode says;
// see store.Roles.
func (s *Store) DeleteRole(ctx context.Context, name string, mode store.DeleteMode) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		ref, err := lookupRole(ctx, tx, name)
		if err != nil {
			return err
		}
		switch mode {
		case store.Restrict:
			if err := refuseDependents(ctx, tx, ref); err != nil {
				return err
			}
		case store.Cascade:
			for _, q := range []string{`DELETE FROM role_policies WHERE role_id = $1`, `DELETE FROM role_policy_attachments WHERE role_id = $1`} {
				if _, err := exec(ctx, tx, q, ref.id); err != nil {
					return wrap(err, "delete role", ref.name)
				}
			}
		default:
			return fmt.Errorf("delete role %q: unknown delete mode %d: %w", ref.name, mode, store.ErrInvalid)
		}
		return deleteOne(ctx, tx, "role", ref.name, `DELETE FROM roles WHERE id = $1`, ref.id)
	})
}

// refuseDependents returns ErrConflict while the role has inline policies or
// attachments.
func refuseDependents(ctx context.Context, tx *sql.Tx, ref roleRef) error {
	var inline, attached int
	err := tx.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM role_policies WHERE role_id = $1),
		(SELECT COUNT(*) FROM role_policy_attachments WHERE role_id = $1)`, ref.id).Scan(&inline, &attached)
	if err != nil {
		return wrap(err, "delete role", ref.name)
	}
	if inline+attached > 0 {
		return fmt.Errorf("delete role %q: it has %d inline and %d attached policies: %w", ref.name, inline, attached, store.ErrConflict)
	}
	return nil
}

// roleRef is a role's key and stored name, what its dependents need.
type roleRef struct{ id, name string }

// lookupRole finds the role named name, case-insensitively.
func lookupRole(ctx context.Context, q querier, name string) (roleRef, error) {
	return queryOne(ctx, q, "role", name, func(sc scanner) (roleRef, error) {
		var r roleRef
		return r, sc.Scan(&r.id, &r.name)
	}, `SELECT id, name FROM roles WHERE name_key = $1`, store.FoldName(name))
}

// listForRole runs query, whose $1 is a role's ID, for the role named
// roleName, in one read transaction; ErrNotFound if there is no such role.
func listForRole[T any](ctx context.Context, s *Store, roleName, op string, scan func(scanner) (T, error), query string) ([]T, error) {
	var out []T
	err := s.read(ctx, func(tx *sql.Tx) error {
		ref, err := lookupRole(ctx, tx, roleName)
		if err != nil {
			return err
		}
		out, err = queryAll(ctx, tx, scan, query, ref.id)
		return wrap(err, op, ref.name)
	})
	return out, err
}
