package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// AppendDecisions stores decision records in one transaction; see
// store.Decisions. It does not change the generation.
func (s *Store) AppendDecisions(ctx context.Context, records []store.Decision) error {
	for _, d := range records {
		if err := d.Check(); err != nil {
			return err
		}
	}
	if len(records) == 0 {
		return nil
	}
	err := s.writeData(ctx, func(tx *sql.Tx) error { return insertDecisions(ctx, tx, records) })
	return wrap(err, "append decisions", "")
}

// decisionRowsPerInsert bounds the rows of one multi-row INSERT: one statement per row
// cost a parse (SQLite) or a round trip (PostgreSQL) each, and dominated the writer's CPU;
// but SQLite resolves each numbered parameter by a linear search of the statement's
// parameters, so very long statements cost more per row again. Measured with
// BenchmarkWriteThroughput (internal/store/decisionlog) on SQLite, quiet 2-core machine:
// 1 row a statement ~59,000 records/s, 25 rows ~70,000, 50 rows ~59,000, 100 rows ~47,000.
const decisionRowsPerInsert = 25

// insertDecisions inserts records in order, decisionRowsPerInsert rows a statement, so
// that seq keeps their order.
func insertDecisions(ctx context.Context, tx *sql.Tx, records []store.Decision) error {
	for len(records) > 0 {
		n := min(len(records), decisionRowsPerInsert)
		var q strings.Builder
		q.WriteString(`INSERT INTO decisions (request_id, time, service, action, outcome, body) VALUES `)
		args := make([]any, 0, 6*n)
		for i, d := range records[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, $%d, $%d, $%d, $%d, $%d)", 6*i+1, 6*i+2, 6*i+3, 6*i+4, 6*i+5, 6*i+6)
			args = append(args, d.RequestID, encodeTime(d.Time), d.Service, d.Action, d.Outcome, d.Body)
		}
		if _, err := exec(ctx, tx, q.String(), args...); err != nil {
			return err
		}
		records = records[n:]
	}
	return nil
}

// GetDecision returns the newest record of a request id; see store.Decisions.
func (s *Store) GetDecision(ctx context.Context, requestID string) (store.Decision, error) {
	return queryOne(ctx, s.r, "decision", requestID, scanDecision,
		`SELECT request_id, time, service, action, outcome, body FROM decisions WHERE request_id = $1 ORDER BY time DESC, seq DESC LIMIT 1`, requestID)
}

func scanDecision(sc scanner) (store.Decision, error) {
	var (
		d  store.Decision
		us int64
	)
	err := sc.Scan(&d.RequestID, &us, &d.Service, &d.Action, &d.Outcome, &d.Body)
	d.Time = decodeTime(us)
	return d, err
}

// PruneDecisions removes records older than before, then all but the newest
// keep; see store.Decisions.
func (s *Store) PruneDecisions(ctx context.Context, before time.Time, keep int) (int64, error) {
	var removed int64
	err := s.writeData(ctx, func(tx *sql.Tx) error {
		n, err := exec(ctx, tx, `DELETE FROM decisions WHERE time < $1`, encodeTime(before))
		if err != nil {
			return err
		}
		removed = n
		if keep <= 0 {
			return nil
		}
		// Everything inserted before the newest keep records goes (no row at that offset:
		// the comparison with NULL deletes nothing).
		n, err = exec(ctx, tx, `DELETE FROM decisions WHERE seq <= (SELECT seq FROM decisions ORDER BY seq DESC LIMIT 1 OFFSET $1)`, keep)
		removed += n
		return err
	})
	return removed, wrap(err, "prune decisions", "")
}

// CountDecisions returns the number of stored records; see store.Decisions.
func (s *Store) CountDecisions(ctx context.Context) (int64, error) {
	var n int64
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM decisions`).Scan(&n)
	return n, wrap(err, "count decisions", "")
}
