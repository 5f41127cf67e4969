package localfs

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// stmtCache prepares each query text once. modernc.org/sqlite parses SQL on
// every unprepared call, which was a third of the committer's CPU.
type stmtCache struct {
	mu sync.Mutex
	p  interface {
		PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
	}
	m map[string]*sql.Stmt
}

func newStmtCache(p interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}) *stmtCache {
	return &stmtCache{p: p, m: map[string]*sql.Stmt{}}
}

func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[query]; ok {
		return s, nil
	}
	s, err := c.p.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("localfs: prepare index query: %w", err)
	}
	c.m[query] = s
	return s, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.m {
		s.Close()
	}
	clear(c.m)
}

// rowScanner is *sql.Row, or errRow when the query could not be prepared.
type rowScanner interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// querier runs reads with prepared statements, under the context it was
// made with: on the read pool (readQ), in a read transaction (txQ), or on
// the write connection inside a batch (*wtx).
type querier interface {
	queryRow(query string, args ...any) rowScanner
	query(query string, args ...any) (*sql.Rows, error)
}

// readQ reads from the pool.
type readQ struct {
	ctx context.Context
	st  *stmtCache
}

func (q readQ) queryRow(query string, args ...any) rowScanner {
	s, err := q.st.get(q.ctx, query)
	if err != nil {
		return errRow{err}
	}
	return s.QueryRowContext(q.ctx, args...)
}

func (q readQ) query(query string, args ...any) (*sql.Rows, error) {
	s, err := q.st.get(q.ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(q.ctx, args...)
}

// txQ reads inside a read transaction, so that several reads see one
// snapshot.
type txQ struct {
	ctx context.Context
	tx  *sql.Tx
	st  *stmtCache
}

func (q txQ) queryRow(query string, args ...any) rowScanner {
	s, err := q.st.get(q.ctx, query)
	if err != nil {
		return errRow{err}
	}
	return q.tx.StmtContext(q.ctx, s).QueryRowContext(q.ctx, args...)
}

func (q txQ) query(query string, args ...any) (*sql.Rows, error) {
	s, err := q.st.get(q.ctx, query)
	if err != nil {
		return nil, err
	}
	return q.tx.StmtContext(q.ctx, s).QueryContext(q.ctx, args...)
}
