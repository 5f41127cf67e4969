package sqlstore

import (
	"context"
	"database/sql"

	"github.com/inkan-dev/inkan/internal/store"
)

// Snapshot reads the whole configuration in one read transaction; see
// store.Store.
func (s *Store) Snapshot(ctx context.Context) (*store.Snapshot, error) {
	var snap *store.Snapshot
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		snap, err = snapshot(ctx, tx)
		return err
	})
	if err != nil {
		return nil, wrap(err, "snapshot", "")
	}
	return snap, nil
}

// snapshot reads the whole configuration through q, which must be one read
// transaction for the result to be consistent.
func snapshot(ctx context.Context, q querier) (*store.Snapshot, error) {
	var (
		snap = new(store.Snapshot)
		err  error
	)
	if snap.Generation, err = generation(ctx, q); err != nil {
		return nil, err
	}
	if snap.Providers, err = listProviders(ctx, q); err != nil {
		return nil, err
	}
	if snap.Roles, err = listRoles(ctx, q); err != nil {
		return nil, err
	}
	if snap.RolePolicies, err = queryAll(ctx, q, scanRolePolicy, rolePolicySelect+` ORDER BY r.name_key, p.name`); err != nil {
		return nil, err
	}
	if snap.ManagedPolicies, err = listManaged(ctx, q); err != nil {
		return nil, err
	}
	if snap.Attachments, err = queryAll(ctx, q, scanAttachment, `SELECT r.name, a.policy_arn FROM role_policy_attachments a
		JOIN roles r ON r.id = a.role_id JOIN managed_policies p ON p.arn = a.policy_arn ORDER BY r.name_key, p.name_key`); err != nil {
		return nil, err
	}
	if snap.BucketPolicies, err = queryAll(ctx, q, scanBucketPolicy, `SELECT bucket, document FROM bucket_policies ORDER BY bucket`); err != nil {
		return nil, err
	}
	if snap.BucketSettings, err = queryAll(ctx, q, scanBucketSetting, bucketSettingSelect+` ORDER BY bucket, name`); err != nil {
		return nil, err
	}
	return snap, nil
}

func scanAttachment(sc scanner) (store.Attachment, error) {
	var a store.Attachment
	return a, sc.Scan(&a.RoleName, &a.PolicyARN)
}
