package sqlstore

import (
	"context"
	"database/sql"

	"github.com/inkan-dev/inkan/internal/store"
)

// Snapshot reads the whole configuration in one read transaction; see
// store.Store.
func (s *Store) Snapshot(ctx context.Context) (*store.Snapshot, error) {
	snap := new(store.Snapshot)
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		if snap.Generation, err = generation(ctx, tx); err != nil {
			return err
		}
		if snap.Providers, err = listProviders(ctx, tx); err != nil {
			return err
		}
		if snap.Roles, err = listRoles(ctx, tx); err != nil {
			return err
		}
		if snap.RolePolicies, err = queryAll(ctx, tx, scanRolePolicy, rolePolicySelect+` ORDER BY r.name_key, p.name`); err != nil {
			return err
		}
		if snap.ManagedPolicies, err = listManaged(ctx, tx); err != nil {
			return err
		}
		if snap.Attachments, err = queryAll(ctx, tx, scanAttachment, `SELECT r.name, a.policy_arn FROM role_policy_attachments a
			JOIN roles r ON r.id = a.role_id JOIN managed_policies p ON p.arn = a.policy_arn ORDER BY r.name_key, p.name_key`); err != nil {
			return err
		}
		snap.BucketPolicies, err = queryAll(ctx, tx, scanBucketPolicy, `SELECT bucket, document FROM bucket_policies ORDER BY bucket`)
		return err
	})
	if err != nil {
		return nil, wrap(err, "snapshot", "")
	}
	return snap, nil
}

func scanAttachment(sc scanner) (store.Attachment, error) {
	var a store.Attachment
	return a, sc.Scan(&a.RoleName, &a.PolicyARN)
}
