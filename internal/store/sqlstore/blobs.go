package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/inkan-dev/inkan/internal/store"
)

// GetBlob returns a named blob; see store.Blobs.
func (s *Store) GetBlob(ctx context.Context, name string) ([]byte, int64, error) {
	b, err := queryOne(ctx, s.r, "blob", name, scanBlob, `SELECT name, data, version FROM blobs WHERE name = $1`, name)
	if err != nil {
		return nil, 0, wrap(err, "get blob", "")
	}
	return b.data, b.version, nil
}

// PutBlob writes a named blob if its version is ifVersion; see store.Blobs.
// It does not change the generation: blobs are not configuration.
func (s *Store) PutBlob(ctx context.Context, name string, data []byte, ifVersion int64) (int64, error) {
	if err := store.CheckBlob(name, data); err != nil {
		return 0, err
	}
	next := ifVersion + 1
	err := s.writeData(ctx, func(tx *sql.Tx) error {
		var n int64
		var err error
		if ifVersion == 0 {
			n, err = exec(ctx, tx, `INSERT INTO blobs (name, data, version) VALUES ($1, $2, 1) ON CONFLICT (name) DO NOTHING`, name, data)
		} else {
			n, err = exec(ctx, tx, `UPDATE blobs SET data = $2, version = $3 WHERE name = $1 AND version = $4`, name, data, next, ifVersion)
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("blob %q: not at version %d: %w", name, ifVersion, store.ErrConflict)
		}
		return nil
	})
	if err != nil {
		return 0, wrap(err, "put blob", "")
	}
	return next, nil
}
