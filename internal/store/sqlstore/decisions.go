package sqlstore

import (
	"context"
	"database/sql"
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
	err := s.writeData(ctx, func(tx *sql.Tx) error {
		for _, d := range records {
			if err := insertDecision(ctx, tx, d); err != nil {
				return err
			}
		}
		return nil
	})
	return wrap(err, "append decisions", "")
}

func insertDecision(ctx context.Context, tx *sql.Tx, d store.Decision) error {
	_, err := exec(ctx, tx, `INSERT INTO decisions (request_id, time, service, action, outcome, body) VALUES ($1, $2, $3, $4, $5, $6)`,
		d.RequestID, encodeTime(d.Time), d.Service, d.Action, d.Outcome, d.Body)
	return err
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
