package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// AddSealingKey adds a session sealing key; see store.SealingKeys. The
// secret is stored as given: the database file is private to its owner.
func (s *Store) AddSealingKey(ctx context.Context, k store.SealingKey) error {
	if err := k.Check(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return insertSealingKey(ctx, tx, k) })
	return wrap(err, "add sealing key", k.ID)
}

func insertSealingKey(ctx context.Context, tx *sql.Tx, k store.SealingKey) error {
	_, err := exec(ctx, tx, `INSERT INTO sealing_keys (id, secret, create_date, retire_date) VALUES ($1, $2, $3, $4)`,
		k.ID, k.Secret, encodeTime(k.CreateDate), encodeOptionalTime(k.RetireDate))
	return err
}

// ListSealingKeys returns every key by creation date; see store.SealingKeys.
func (s *Store) ListSealingKeys(ctx context.Context) ([]store.SealingKey, error) {
	ks, err := listSealingKeys(ctx, s.r)
	return ks, wrap(err, "list sealing keys", "")
}

func listSealingKeys(ctx context.Context, q querier) ([]store.SealingKey, error) {
	return queryAll(ctx, q, func(sc scanner) (store.SealingKey, error) {
		var (
			k       store.SealingKey
			created int64
			retired sql.NullInt64
		)
		// Scanning into a []byte copies the driver's bytes: each Secret is
		// the caller's own.
		err := sc.Scan(&k.ID, &k.Secret, &created, &retired)
		k.CreateDate, k.RetireDate = decodeTime(created), decodeOptionalTime(retired)
		return k, err
	}, `SELECT id, secret, create_date, retire_date FROM sealing_keys ORDER BY create_date, id`)
}

// RetireSealingKey marks a key retired at at, once; see store.SealingKeys.
func (s *Store) RetireSealingKey(ctx context.Context, id string, at time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		n, err := exec(ctx, tx, `UPDATE sealing_keys SET retire_date = $2 WHERE id = $1 AND retire_date IS NULL`, id, encodeTime(at))
		if err != nil || n > 0 {
			return wrap(err, "retire sealing key", id)
		}
		_, err = queryOne(ctx, tx, "sealing key", id, scanString, `SELECT id FROM sealing_keys WHERE id = $1`, id)
		return err
	})
}

// DeleteSealingKey removes a key; see store.SealingKeys.
func (s *Store) DeleteSealingKey(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return deleteOne(ctx, tx, "sealing key", id, `DELETE FROM sealing_keys WHERE id = $1`, id)
	})
}

func scanBucketPolicy(sc scanner) (store.BucketPolicy, error) {
	var p store.BucketPolicy
	return p, sc.Scan(&p.Bucket, &p.Document)
}

// PutBucketPolicy sets a bucket's policy; see store.BucketPolicies.
func (s *Store) PutBucketPolicy(ctx context.Context, p store.BucketPolicy) error {
	if err := p.Check(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return upsertBucketPolicy(ctx, tx, p) })
	return wrap(err, "put bucket policy", p.Bucket)
}

func upsertBucketPolicy(ctx context.Context, tx *sql.Tx, p store.BucketPolicy) error {
	_, err := exec(ctx, tx, `INSERT INTO bucket_policies (bucket, document) VALUES ($1, $2)
		ON CONFLICT (bucket) DO UPDATE SET document = excluded.document`, p.Bucket, p.Document)
	return err
}

// GetBucketPolicy returns a bucket's policy; see store.BucketPolicies.
func (s *Store) GetBucketPolicy(ctx context.Context, bucket string) (store.BucketPolicy, error) {
	return queryOne(ctx, s.r, "bucket policy", bucket, scanBucketPolicy, `SELECT bucket, document FROM bucket_policies WHERE bucket = $1`, bucket)
}

// DeleteBucketPolicy removes a bucket's policy; see store.BucketPolicies.
func (s *Store) DeleteBucketPolicy(ctx context.Context, bucket string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return deleteOne(ctx, tx, "bucket policy", bucket, `DELETE FROM bucket_policies WHERE bucket = $1`, bucket)
	})
}
