package sqlstore

import (
	"context"
	"database/sql"

	"github.com/inkan-dev/inkan/internal/store"
)

const bucketSettingSelect = `SELECT bucket, name, document FROM bucket_settings`

func scanBucketSetting(sc scanner) (store.BucketSetting, error) {
	var s store.BucketSetting
	return s, sc.Scan(&s.Bucket, &s.Name, &s.Document)
}

// PutBucketSetting sets a bucket's setting; see store.BucketSettings.
func (s *Store) PutBucketSetting(ctx context.Context, b store.BucketSetting) error {
	if err := b.Check(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return upsertBucketSetting(ctx, tx, b) })
	return wrap(err, "put bucket setting", b.Bucket+"?"+b.Name)
}

func upsertBucketSetting(ctx context.Context, tx *sql.Tx, b store.BucketSetting) error {
	_, err := exec(ctx, tx, `INSERT INTO bucket_settings (bucket, name, document) VALUES ($1, $2, $3)
		ON CONFLICT (bucket, name) DO UPDATE SET document = excluded.document`, b.Bucket, b.Name, b.Document)
	return err
}

// GetBucketSetting returns a bucket's setting; see store.BucketSettings.
func (s *Store) GetBucketSetting(ctx context.Context, bucket, name string) (store.BucketSetting, error) {
	return queryOne(ctx, s.r, "bucket setting", bucket+"?"+name, scanBucketSetting,
		bucketSettingSelect+` WHERE bucket = $1 AND name = $2`, bucket, name)
}

// DeleteBucketSetting removes a bucket's setting; see store.BucketSettings.
func (s *Store) DeleteBucketSetting(ctx context.Context, bucket, name string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return deleteOne(ctx, tx, "bucket setting", bucket+"?"+name, `DELETE FROM bucket_settings WHERE bucket = $1 AND name = $2`, bucket, name)
	})
}
