package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/inkan-dev/inkan/internal/store"
)

const managedColumns = `arn, id, name, path, description, document, default_version_id, create_date, update_date, tags`

// managedSelect reads managed policies with their attachment counts.
const managedSelect = `SELECT p.arn, p.id, p.name, p.path, p.description, p.document, p.default_version_id,
	p.create_date, p.update_date, p.tags,
	(SELECT COUNT(*) FROM role_policy_attachments a WHERE a.policy_arn = p.arn)
	FROM managed_policies p`

func scanManaged(sc scanner) (store.ManagedPolicy, error) {
	var (
		p                store.ManagedPolicy
		tags             string
		created, updated int64
	)
	if err := sc.Scan(&p.ARN, &p.ID, &p.Name, &p.Path, &p.Description, &p.Document, &p.DefaultVersionID,
		&created, &updated, &tags, &p.AttachmentCount); err != nil {
		return p, err
	}
	p.CreateDate, p.UpdateDate = decodeTime(created), decodeTime(updated)
	var err error
	p.Tags, err = decodeTags(tags)
	return p, err
}

// CreateManagedPolicy adds p; see store.ManagedPolicies.
func (s *Store) CreateManagedPolicy(ctx context.Context, p store.ManagedPolicy) error {
	if err := p.Check(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return insertManaged(ctx, tx, p) })
	return wrap(err, "create managed policy", p.ARN)
}

func insertManaged(ctx context.Context, tx *sql.Tx, p store.ManagedPolicy) error {
	_, err := exec(ctx, tx, `INSERT INTO managed_policies (`+managedColumns+`, name_key) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		p.ARN, p.ID, p.Name, p.Path, p.Description, p.Document, p.DefaultVersionID,
		encodeTime(p.CreateDate), encodeTime(p.UpdateDate), encodeTags(p.Tags), store.FoldName(p.Name))
	return err
}

// GetManagedPolicy returns the policy with this ARN; see store.ManagedPolicies.
func (s *Store) GetManagedPolicy(ctx context.Context, arn string) (store.ManagedPolicy, error) {
	return getManaged(ctx, s.r, arn)
}

func getManaged(ctx context.Context, q querier, arn string) (store.ManagedPolicy, error) {
	return queryOne(ctx, q, "managed policy", arn, scanManaged, managedSelect+` WHERE p.arn = $1`, arn)
}

// ListManagedPolicies returns every managed policy by folded name; see
// store.ManagedPolicies.
func (s *Store) ListManagedPolicies(ctx context.Context) ([]store.ManagedPolicy, error) {
	ps, err := listManaged(ctx, s.r)
	return ps, wrap(err, "list managed policies", "")
}

func listManaged(ctx context.Context, q querier) ([]store.ManagedPolicy, error) {
	return queryAll(ctx, q, scanManaged, managedSelect+` ORDER BY p.name_key`)
}

// UpdateManagedPolicy is read-modify-write in one transaction; see
// store.ManagedPolicies.
func (s *Store) UpdateManagedPolicy(ctx context.Context, arn string, fn func(*store.ManagedPolicy) error) error {
	return update(ctx, s,
		func(tx *sql.Tx) (store.ManagedPolicy, error) { return getManaged(ctx, tx, arn) },
		fn,
		func(before, after *store.ManagedPolicy) error {
			if err := immutable("managed policy", arn,
				[3]string{"ARN", before.ARN, after.ARN}, [3]string{"ID", before.ID, after.ID},
				[3]string{"Name", before.Name, after.Name}, [3]string{"Path", before.Path, after.Path}); err != nil {
				return err
			}
			return after.Check()
		},
		func(tx *sql.Tx, p *store.ManagedPolicy) error {
			_, err := exec(ctx, tx, `UPDATE managed_policies SET description = $2, document = $3, default_version_id = $4,
				create_date = $5, update_date = $6, tags = $7 WHERE arn = $1`,
				p.ARN, p.Description, p.Document, p.DefaultVersionID, encodeTime(p.CreateDate), encodeTime(p.UpdateDate), encodeTags(p.Tags))
			return err
		})
}

// DeleteManagedPolicy removes an unattached policy; see store.ManagedPolicies.
func (s *Store) DeleteManagedPolicy(ctx context.Context, arn string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM role_policy_attachments WHERE policy_arn = $1`, arn).Scan(&n); err != nil {
			return wrap(err, "delete managed policy", arn)
		}
		if n > 0 {
			return fmt.Errorf("delete managed policy %q: attached to %d roles: %w", arn, n, store.ErrConflict)
		}
		return deleteOne(ctx, tx, "managed policy", arn, `DELETE FROM managed_policies WHERE arn = $1`, arn)
	})
}
