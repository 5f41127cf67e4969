package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/inkan-dev/inkan/internal/store"
)

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// querier is a *sql.DB or *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// write runs fn in one write transaction that first increases the
// generation, and commits if fn succeeds; fn's error is returned unchanged
// and nothing is written. Increasing the generation first takes its row lock,
// which serialises configuration writes across every process sharing the
// database (they are rare), so that the read-modify-write of Update* and the
// admit functions see every earlier write; on PostgreSQL the new generation
// is announced (NOTIFY, delivered at commit) inside the transaction.
func (s *Store) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", classify(err))
	}
	defer tx.Rollback()
	var gen int64
	if err := tx.QueryRowContext(ctx, `UPDATE generation SET value = value + 1 WHERE id = 1 RETURNING value`).Scan(&gen); err != nil {
		return fmt.Errorf("bump generation: %w", classify(err))
	}
	if err := fn(tx); err != nil {
		return err
	}
	if s.dialect.notify != "" {
		if _, err := tx.ExecContext(ctx, s.dialect.notify, strconv.FormatInt(gen, 10)); err != nil {
			return fmt.Errorf("notify: %w", classify(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	s.changes.announce()
	return nil
}

// writeData runs fn in one write transaction that leaves the generation as
// it is: for data that is not configuration (blobs, decision records), whose
// writes must not make every node reload its snapshot, nor wait for
// configuration writers.
func (s *Store) writeData(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin write: %w", classify(err))
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", classify(err))
	}
	return nil
}

// read runs fn in one read transaction: every query in it sees the database
// as of one instant.
func (s *Store) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &s.dialect.readOptions)
	if err != nil {
		return fmt.Errorf("begin read: %w", classify(err))
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return classify(tx.Commit())
}

// exec runs a statement of a write, mapping constraint violations to store
// errors, and returns the number of rows it changed.
func exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, classify(err)
	}
	return res.RowsAffected()
}

// queryAll runs query and scans every row with scan; no rows gives nil.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, classify(err)
		}
		out = append(out, v)
	}
	return out, classify(rows.Err())
}

// queryOne runs query and scans its one row; no row gives an error wrapping
// store.ErrNotFound that names kind and key.
func queryOne[T any](ctx context.Context, q querier, kind, key string, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	return scanOne(q.QueryRowContext(ctx, query, args...), kind, key, scan)
}

// scanOne scans row; no row gives an error wrapping store.ErrNotFound that
// names kind and key.
func scanOne[T any](row *sql.Row, kind, key string, scan func(scanner) (T, error)) (T, error) {
	v, err := scan(row)
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound(kind, key)
	}
	return v, classify(err)
}

func notFound(kind, key string) error {
	return fmt.Errorf("%s %q: %w", kind, key, store.ErrNotFound)
}

// update is the read-modify-write shared by the Update* methods, inside one
// write transaction: get reads the record, fn changes it, check refuses what
// the store forbids (a changed identity, an unstorable record), put writes it.
func update[T any](ctx context.Context, s *Store, get func(*sql.Tx) (T, error), fn func(*T) error, check func(before, after *T) error, put func(*sql.Tx, *T) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		before, err := get(tx)
		if err != nil {
			return err
		}
		after := before
		if err := fn(&after); err != nil {
			return err
		}
		if err := check(&before, &after); err != nil {
			return err
		}
		return put(tx, &after)
	})
}

// immutable reports, wrapping store.ErrInvalid, the first identity field an
// Update* function changed; each field is {name, before, after}.
func immutable(kind, key string, fields ...[3]string) error {
	for _, f := range fields {
		if f[1] != f[2] {
			return fmt.Errorf("%s %q: %s may not change: %w", kind, key, f[0], store.ErrInvalid)
		}
	}
	return nil
}

const generationQuery = `SELECT value FROM generation WHERE id = 1`

// Generation returns the write generation.
func (s *Store) Generation(ctx context.Context) (int64, error) {
	var g int64
	if err := s.prepared.generation.QueryRowContext(ctx).Scan(&g); err != nil {
		return 0, fmt.Errorf("generation: %w", classify(err))
	}
	return g, nil
}

func generation(ctx context.Context, q querier) (int64, error) {
	var g int64
	err := q.QueryRowContext(ctx, generationQuery).Scan(&g)
	return g, err
}
