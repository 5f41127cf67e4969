package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/server"
	"github.com/inkan-dev/inkan/internal/store"
)

// lifecycleFlags are serve's flags of config.Lifecycle; each overrides its INKAN_*
// variable and the file's lifecycle: section.
type lifecycleFlags struct {
	worker                             string
	interval, batchPause, leaseTTL     time.Duration
	maxExamined, maxActions, batchSize int
}

func (f *lifecycleFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.worker, "lifecycle-worker", "on", "run the lifecycle worker on this node: on or off (INKAN_LIFECYCLE_WORKER)")
	fs.DurationVar(&f.interval, "lifecycle-interval", time.Hour, "time between lifecycle passes (INKAN_LIFECYCLE_INTERVAL)")
	fs.IntVar(&f.maxExamined, "lifecycle-max-examined", 100_000, "objects and uploads one lifecycle pass looks at (INKAN_LIFECYCLE_MAX_EXAMINED)")
	fs.IntVar(&f.maxActions, "lifecycle-max-actions", 10_000, "deletions and aborts one lifecycle pass makes (INKAN_LIFECYCLE_MAX_ACTIONS)")
	fs.IntVar(&f.batchSize, "lifecycle-batch-size", 100, "lifecycle actions between pauses (INKAN_LIFECYCLE_BATCH_SIZE)")
	fs.DurationVar(&f.batchPause, "lifecycle-batch-pause", time.Second, "pause between lifecycle batches (INKAN_LIFECYCLE_BATCH_PAUSE)")
	fs.DurationVar(&f.leaseTTL, "lifecycle-lease-ttl", 5*time.Minute, "how long a dead node's lifecycle lease keeps others waiting (INKAN_LIFECYCLE_LEASE_TTL)")
}

// apply copies the flags given on the command line into cfg.
func (f *lifecycleFlags) apply(set map[string]bool, cfg *config.Lifecycle) {
	if set["lifecycle-worker"] {
		cfg.Worker = f.worker
	}
	for name, v := range map[string]struct {
		dst *config.Duration
		val time.Duration
	}{"lifecycle-interval": {&cfg.Interval, f.interval}, "lifecycle-batch-pause": {&cfg.BatchPause, f.batchPause},
		"lifecycle-lease-ttl": {&cfg.LeaseTTL, f.leaseTTL}} {
		if set[name] {
			*v.dst = config.Duration(v.val)
		}
	}
	for name, v := range map[string]struct {
		dst *int
		val int
	}{"lifecycle-max-examined": {&cfg.MaxExamined, f.maxExamined}, "lifecycle-max-actions": {&cfg.MaxActions, f.maxActions},
		"lifecycle-batch-size": {&cfg.BatchSize, f.batchSize}} {
		if set[name] {
			*v.dst = v.val
		}
	}
}

// startLifecycle runs the lifecycle worker until bg ends; the app's Close waits for it
// before the backend closes. Every node runs one: the lease in the store lets one pass at
// a time.
func (a *app) startLifecycle(bg context.Context, st store.Store, backend objstore.Backend, audit lifecycle.Recorder,
	metrics *server.Metrics, logger *slog.Logger) {
	l := a.cfg.Lifecycle
	if l.Worker != "on" {
		return
	}
	now := time.Now
	if off := l.TestClockOffset; off != 0 {
		logger.Warn("lifecycle clock shifted: this binary was built for tests (inkan_testclock) and expires objects early", "offset", off)
		now = func() time.Time { return time.Now().Add(off) }
	}
	w := lifecycle.NewWorker(lifecycle.Options{Backend: backend, Settings: a.iam, Lease: st, Node: nodeName(),
		Now: now, Interval: time.Duration(l.Interval), MaxExamined: l.MaxExamined, MaxActions: l.MaxActions,
		BatchSize: l.BatchSize, BatchPause: time.Duration(l.BatchPause), LeaseTTL: time.Duration(l.LeaseTTL),
		Audit: audit, Observer: metrics, Logger: logger.With("component", "lifecycle")})
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(bg)
	}()
	a.closers = append(a.closers, func() error { <-done; return nil })
}

// nodeName names this run of this node in the lifecycle lease: the host name and a random
// suffix, so that a restarted node does not take a dead run's lease for its own.
func nodeName() string {
	host, _ := os.Hostname()
	var b [6]byte
	rand.Read(b[:])
	return host + "-" + hex.EncodeToString(b[:])
}
