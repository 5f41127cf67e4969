package cli

import (
	"context"
	"log/slog"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// How a node keeps its configuration snapshot current when other nodes write to the same
// store: it refreshes on every change notification (when the store sends them) and polls
// the store's generation every refreshPoll as the safety net for a lost notification, so
// that every node sees every write within about a second.
const (
	refreshPoll = time.Second
	// refreshTimeout bounds one check, so that a store that hangs cannot stall the loop.
	refreshTimeout = 10 * time.Second
	// outageLogEvery is how often a node repeats that the store is still unreachable.
	outageLogEvery = time.Minute
)

// snapshotRefresher reloads the configuration snapshot when the store's generation moved;
// *iam.Service is one. Refresh returns an error wrapping store.ErrUnavailable when the
// store cannot be reached, and leaves the snapshot as it was on any error.
type snapshotRefresher interface {
	Refresh(ctx context.Context) error
}

// storeHealth receives the outcome of every check; *server.Metrics is one.
type storeHealth interface {
	StoreChecked(up bool, snapshotAge time.Duration)
}

// refresher is the loop that keeps one node's snapshot current and reports the store's
// health. It is not safe for concurrent use: run it in one goroutine.
type refresher struct {
	svc      snapshotRefresher
	notifier store.Notifier // nil: poll only
	health   storeHealth
	logger   *slog.Logger
	now      func() time.Time
	poll     time.Duration

	confirmed, downSince, logged time.Time
	down                         bool
}

// newRefresher returns the loop for svc over st: notifications are used when st is a
// store.Notifier. The snapshot counts as confirmed now and the store as up (the caller just
// loaded the snapshot from it), and health is told so at once.
func newRefresher(svc snapshotRefresher, st store.Store, health storeHealth, logger *slog.Logger, now func() time.Time) *refresher {
	r := &refresher{svc: svc, health: health, logger: logger, now: now, poll: refreshPoll, confirmed: now()}
	r.notifier, _ = st.(store.Notifier)
	if health != nil {
		health.StoreChecked(true, 0)
	}
	return r
}

// run checks on every notification and every poll tick until ctx ends.
func (r *refresher) run(ctx context.Context) {
	var changes <-chan struct{}
	if r.notifier != nil {
		changes = r.notifier.Changes(ctx)
	}
	t := time.NewTicker(r.poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case _, ok := <-changes:
			if !ok {
				changes = nil
				continue
			}
		case <-t.C:
		}
		r.check(ctx)
	}
}

// check refreshes once, logs the store going away (once, then once every outageLogEvery)
// and coming back (once, at the same level, so that an operator who sees the one sees the
// other), and reports the store's health.
func (r *refresher) check(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, refreshTimeout)
	err := r.svc.Refresh(cctx)
	cancel()
	if ctx.Err() != nil {
		return
	}
	now := r.now()
	switch {
	case err == nil:
		r.confirmed = now
		if r.down {
			r.down = false
			r.logger.Warn("store reachable again; configuration refreshed", "outage", now.Sub(r.downSince).Round(time.Second).String())
		}
	case !r.down:
		r.down, r.downSince, r.logged = true, now, now
		r.logger.Warn("store unreachable: serving from the last configuration snapshot, refusing writes until it answers", "err", err)
	case now.Sub(r.logged) >= outageLogEvery:
		r.logged = now
		r.logger.Warn("store still unreachable", "outage", now.Sub(r.downSince).Round(time.Second).String(),
			"snapshot_age", now.Sub(r.confirmed).Round(time.Second).String(), "err", err)
	}
	if r.health != nil {
		r.health.StoreChecked(!r.down, now.Sub(r.confirmed))
	}
}
