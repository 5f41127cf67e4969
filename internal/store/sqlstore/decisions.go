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

// decisionColumns is the number of columns insertDecisions writes per record.
const decisionColumns = 9

// insertDecisions inserts records in order, decisionRowsPerInsert rows a statement, so
// that seq keeps their order.
func insertDecisions(ctx context.Context, tx *sql.Tx, records []store.Decision) error {
	for len(records) > 0 {
		n := min(len(records), decisionRowsPerInsert)
		var q strings.Builder
		q.WriteString(`INSERT INTO decisions (request_id, time, service, action, outcome, role, subject, source_ip, body) VALUES `)
		args := make([]any, 0, decisionColumns*n)
		for i, d := range records[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for c := range decisionColumns {
				if c > 0 {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "$%d", decisionColumns*i+c+1)
			}
			q.WriteByte(')')
			args = append(args, d.RequestID, encodeTime(d.Time), d.Service, d.Action, d.Outcome, d.Role, d.Subject, d.SourceIP, d.Body)
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
	d, err := queryOne(ctx, s.r, "decision", requestID, scanDecision,
		`SELECT `+decisionSelect+` FROM decisions WHERE request_id = $1 ORDER BY time DESC, seq DESC LIMIT 1`, requestID)
	d.Seq = 0
	return d, err
}

const decisionSelect = `request_id, time, service, action, outcome, role, subject, source_ip, body, seq`

func scanDecision(sc scanner) (store.Decision, error) {
	var (
		d  store.Decision
		us int64
	)
	err := sc.Scan(&d.RequestID, &us, &d.Service, &d.Action, &d.Outcome, &d.Role, &d.Subject, &d.SourceIP, &d.Body, &d.Seq)
	d.Time = decodeTime(us)
	return d, err
}

// ListDecisions returns the records the filter selects, newest first; see
// store.Decisions. Each filter is an equality on an indexed column, so that a page
// costs about its rows whichever filter is set.
func (s *Store) ListDecisions(ctx context.Context, f store.DecisionFilter) ([]store.Decision, error) {
	var (
		where []string
		args  []any
	)
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	// outcome and service have a few values each: when a more selective key is given, their
	// indexes must not be chosen (SQLite, without statistics, would walk every denial to
	// find one role's); "|| ''" keeps the comparison and hides the column from the planner.
	weak := " = $%d"
	if f.Role != "" || f.Subject != "" || f.SourceIP != "" || f.RequestID != "" {
		weak = " || '' = $%d"
	}
	for _, eq := range [...]struct{ col, op, v string }{{"outcome", weak, f.Outcome}, {"service", weak, f.Service},
		{"role", " = $%d", f.Role}, {"subject", " = $%d", f.Subject}, {"source_ip", " = $%d", f.SourceIP},
		{"request_id", " = $%d", f.RequestID}} {
		if eq.v != "" {
			add(eq.col+eq.op, eq.v)
		}
	}
	if !f.Since.IsZero() {
		add("time >= $%d", encodeTime(f.Since))
	}
	if !f.Until.IsZero() {
		add("time < $%d", encodeTime(f.Until))
	}
	if f.Before > 0 {
		add("seq < $%d", f.Before)
	}
	limit := f.Limit
	if limit <= 0 || limit > store.MaxDecisionPage {
		limit = store.MaxDecisionPage
	}
	q := `SELECT ` + decisionSelect + ` FROM decisions`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY seq DESC LIMIT $%d`, len(args))
	out, err := queryAll(ctx, s.r, scanDecision, q, args...)
	return out, wrap(err, "list decisions", "")
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
