package localfs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// bucketSet remembers which buckets exist so that a write to a missing
// bucket is refused before its body is read, without an index query. It is
// only a hint, updated after each commit: the commit itself checks the
// bucket.
type bucketSet struct {
	mu sync.RWMutex
	m  map[string]bool
	// states holds the versioning state of buckets that have one.
	states map[string]string
}

func (s *bucketSet) versioning(name string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.states[name]
}

func (s *bucketSet) setVersioning(name, state string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.states[name] = state
}

func (s *bucketSet) has(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[name]
}

func (s *bucketSet) set(name string, exists bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if exists {
		s.m[name] = true
	} else {
		delete(s.m, name)
		delete(s.states, name)
	}
}

// loadBuckets fills the hint from the index.
func (b *Backend) loadBuckets(ctx context.Context) error {
	list, err := b.ListBuckets(ctx)
	b.buckets.m = make(map[string]bool, len(list))
	b.buckets.states = map[string]string{}
	for _, bi := range list {
		b.buckets.m[bi.Name] = true
		if bi.Versioning != "" {
			b.buckets.states[bi.Name] = bi.Versioning
		}
	}
	return err
}

// CreateBucket implements objstore.Buckets.
func (b *Backend) CreateBucket(ctx context.Context, bucket string) error {
	if err := objstore.CheckBucket(bucket); err != nil {
		return err
	}
	created := b.now()
	err := b.idx.write(ctx, func(w *wtx) error {
		res, err := w.exec(`INSERT INTO buckets(name, created) VALUES(?, ?) ON CONFLICT DO NOTHING`,
			bucket, created.UnixNano())
		if err != nil {
			return fmt.Errorf("localfs: create bucket: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %q", objstore.ErrBucketExists, bucket)
		}
		return nil
	})
	if err == nil {
		b.buckets.set(bucket, true)
	}
	return err
}

// DeleteBucket implements objstore.Buckets: uploads in progress are
// aborted with the bucket.
func (b *Backend) DeleteBucket(ctx context.Context, bucket string) error {
	if err := objstore.CheckBucket(bucket); err != nil {
		return err
	}
	err := b.idx.write(ctx, func(w *wtx) error {
		if err := requireBucket(w, bucket); err != nil {
			return err
		}
		var one int
		err := w.queryRow(`SELECT 1 FROM objects WHERE bucket = ? LIMIT 1`, bucket).Scan(&one)
		if err == nil {
			return fmt.Errorf("%w: %q", objstore.ErrBucketNotEmpty, bucket)
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("localfs: read objects: %w", err)
		}
		if versions, err := holdsVersions(w, bucket); err != nil || versions {
			if err == nil {
				err = fmt.Errorf("%w: %q holds versions or delete markers", objstore.ErrBucketNotEmpty, bucket)
			}
			return err
		}
		if err := w.abortUploads(`bucket = ?`, bucket); err != nil {
			return err
		}
		if _, err := w.exec(`DELETE FROM buckets WHERE name = ?`, bucket); err != nil {
			return fmt.Errorf("localfs: delete bucket: %w", err)
		}
		return nil
	})
	if err == nil {
		b.buckets.set(bucket, false)
	}
	return err
}

// HeadBucket implements objstore.Buckets.
func (b *Backend) HeadBucket(ctx context.Context, bucket string) (objstore.BucketInfo, error) {
	if err := objstore.CheckBucket(bucket); err != nil {
		return objstore.BucketInfo{}, err
	}
	var created int64
	var versioning string
	err := b.idx.reader(ctx).queryRow(`SELECT created, versioning FROM buckets WHERE name = ?`, bucket).Scan(&created, &versioning)
	if errors.Is(err, sql.ErrNoRows) {
		return objstore.BucketInfo{}, fmt.Errorf("%w: %q", objstore.ErrNoSuchBucket, bucket)
	}
	if err != nil {
		return objstore.BucketInfo{}, fmt.Errorf("localfs: read bucket: %w", err)
	}
	return objstore.BucketInfo{Name: bucket, Created: time.Unix(0, created).UTC(), Versioning: versioning}, nil
}

// ListBuckets implements objstore.Buckets.
func (b *Backend) ListBuckets(ctx context.Context) ([]objstore.BucketInfo, error) {
	rows, err := b.idx.reader(ctx).query(`SELECT name, created, versioning FROM buckets ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("localfs: list buckets: %w", err)
	}
	defer rows.Close()
	var out []objstore.BucketInfo
	for rows.Next() {
		var (
			name, versioning string
			created          int64
		)
		if err := rows.Scan(&name, &created, &versioning); err != nil {
			return nil, fmt.Errorf("localfs: list buckets: %w", err)
		}
		out = append(out, objstore.BucketInfo{Name: name, Created: time.Unix(0, created).UTC(), Versioning: versioning})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("localfs: list buckets: %w", err)
	}
	return out, nil
}
