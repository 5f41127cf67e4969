package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/store"
)

// Settings reads bucket settings; *iam.Service is one (its snapshot, no store round trip).
type Settings interface {
	// BucketSetting returns the bucket's setting name; ok is false when none is set.
	BucketSetting(bucket, name string) (doc string, ok bool)
}

// Recorder receives one audit record per expired object and aborted upload;
// *decisionlog.Trail is one. Append must not wait on anything remote.
type Recorder interface {
	Append(rec *audit.Record) error
}

// Observer is told about every pass; *server.Metrics is one.
type Observer interface {
	// LifecyclePass reports a pass that started at start and took took.
	LifecyclePass(s Stats, start time.Time, took time.Duration)
}

// Stats counts what one pass did.
type Stats struct {
	// Skipped is true when another node held the lease: the pass did nothing.
	Skipped bool
	// Complete is true when the pass reached the end of the last bucket; false when it ran
	// out of budget (the next pass goes on from where it stopped) or failed.
	Complete bool
	Examined int // objects, versions and uploads looked at
	Expired  int // objects and versions deleted, delete markers placed or removed
	Aborted  int // multipart uploads aborted
	// Changed counts candidates that changed between listing and deletion (overwritten,
	// deleted, completed): left alone.
	Changed int
	Errors  int
}

// Options configure a Worker. Backend, Settings and Lease are required.
type Options struct {
	Backend  objstore.Backend
	Settings Settings
	Lease    store.Blobs
	// Node names this node in the lease; it must differ between nodes (and between runs,
	// so that a restarted node does not mistake a dead run's lease for its own).
	Node string
	// Now is the lifecycle clock: rules fall due by it. nil = time.Now.
	Now func() time.Time
	// Interval is the time between the starts of two passes (default 1h).
	Interval time.Duration
	// MaxExamined bounds the objects, versions and uploads one pass looks at (default 100000);
	// MaxActions the deletions and aborts it makes (default 10000). A pass that reaches
	// either stops and the next one continues from there.
	MaxExamined, MaxActions int
	// BatchSize actions are made between pauses of BatchPause (defaults 100 and 1s), so
	// that a pass never starves requests of the backend.
	BatchSize  int
	BatchPause time.Duration
	// LeaseTTL is how long a node's lease lasts without renewal (default 5m); it is renewed
	// after every batch, so it must exceed the time one batch takes.
	LeaseTTL time.Duration
	Audit    Recorder
	Observer Observer
	Logger   *slog.Logger
	// Sleep waits d or until ctx ends; nil = a timer. Tests count the pauses with it.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Worker runs lifecycle passes. Safe for concurrent use, though passes of one Worker never
// overlap in Run.
type Worker struct {
	o Options
}

// NewWorker returns a Worker; it panics without Backend, Settings or Lease, a mistake of
// the composition root.
func NewWorker(o Options) *Worker {
	if o.Backend == nil || o.Settings == nil || o.Lease == nil {
		panic("lifecycle: Options.Backend, Settings and Lease are required")
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxExamined, 100000)
	def(&o.MaxActions, 10000)
	def(&o.BatchSize, 100)
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur(&o.Interval, time.Hour)
	defDur(&o.LeaseTTL, 5*time.Minute)
	if o.BatchPause < 0 {
		o.BatchPause = 0
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return &Worker{o: o}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Run runs a pass at once and then every Interval until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	for {
		if _, err := w.Pass(ctx); err != nil && ctx.Err() == nil {
			w.o.Logger.Error("lifecycle pass failed", "err", err)
		}
		if w.o.Sleep(ctx, w.o.Interval) != nil {
			return
		}
	}
}

// Pass takes the lease and runs one bounded pass; Stats.Skipped when another node holds
// the lease. It can be stopped at any point (ctx, a crash) without losing anything that
// should stay: every deletion is one backend call conditional on the version it judged.
func (w *Worker) Pass(ctx context.Context) (Stats, error) {
	start := w.o.Now()
	l, err := acquireLease(ctx, w.o.Lease, w.o.Node, w.o.LeaseTTL, start)
	if err != nil || l == nil {
		s := Stats{Skipped: l == nil && err == nil}
		if err != nil {
			s.Errors++
		}
		w.observe(s, start)
		return s, err
	}
	p := &pass{w: w, lease: l, cur: l.state.Cursor}
	err = p.run(ctx)
	if errors.Is(err, errLeaseLost) {
		// Another node goes on; our cursor is stale.
		w.o.Logger.Warn("lifecycle lease lost during a pass; another node continues")
	} else if rerr := l.release(context.WithoutCancel(ctx), p.cur); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		p.stats.Errors++
	}
	w.observe(p.stats, start)
	return p.stats, err
}

func (w *Worker) observe(s Stats, start time.Time) {
	if w.o.Observer != nil {
		w.o.Observer.LifecyclePass(s, start, w.o.Now().Sub(start))
	}
}

// config returns the bucket's parsed configuration, nil when it has none or it no longer
// parses (logged: the bucket is left alone rather than expired by a guess).
func (w *Worker) config(bucket string) *Configuration {
	doc, ok := w.o.Settings.BucketSetting(bucket, Setting)
	if !ok {
		return nil
	}
	_, cfg, err := Decode(doc)
	if err != nil {
		w.o.Logger.Error("lifecycle configuration unreadable; the bucket is skipped", "bucket", bucket, "err", err)
		return nil
	}
	return cfg
}

// pass is one pass in progress.
type pass struct {
	w     *Worker
	lease *lease
	cur   cursor
	// current is the bucket being passed.
	current objstore.BucketInfo
	stats   Stats
	// actions counts deletions and aborts, for batching and the budget.
	actions int
	// pages counts listing pages, for renewing the lease.
	pages int
}

// The phases of a bucket, in the order a pass goes through them.
const (
	phaseObjects = iota
	phaseVersions
	phaseUploads
)

func (p *pass) run(ctx context.Context) error {
	buckets, err := p.w.o.Backend.ListBuckets(ctx)
	if err != nil {
		return fmt.Errorf("lifecycle: listing buckets: %w", err)
	}
	for _, b := range buckets {
		if b.Name < p.cur.Bucket {
			continue
		}
		if b.Name != p.cur.Bucket {
			p.cur = cursor{Bucket: b.Name}
		}
		cfg := p.w.config(b.Name)
		if cfg == nil {
			continue
		}
		p.current = b
		done, err := p.bucket(ctx, b.Name, cfg)
		if err != nil || !done {
			return err
		}
	}
	p.cur = cursor{}
	p.stats.Complete = true
	return nil
}

// bucket runs the bucket's phases from the cursor; done is false when the budget ran out.
func (p *pass) bucket(ctx context.Context, bucket string, cfg *Configuration) (bool, error) {
	for phase := p.cur.Phase; phase <= phaseUploads; phase++ {
		if phase != p.cur.Phase {
			p.cur = cursor{Bucket: bucket, Phase: phase}
		}
		var done bool
		var err error
		switch phase {
		case phaseObjects:
			done, err = p.objects(ctx, bucket, cfg)
		case phaseVersions:
			done, err = p.versions(ctx, bucket, cfg)
		case phaseUploads:
			done, err = p.uploads(ctx, bucket, cfg)
		}
		if errors.Is(err, objstore.ErrNoSuchBucket) {
			return true, nil // deleted meanwhile
		}
		if err != nil || !done {
			return false, err
		}
	}
	return true, nil
}

// exhausted reports whether the pass has used its budget.
func (p *pass) exhausted() bool {
	return p.stats.Examined >= p.w.o.MaxExamined || p.actions >= p.w.o.MaxActions
}

// pageSize is the listing page that does not overrun the examination budget.
func (p *pass) pageSize() int {
	return min(1000, p.w.o.MaxExamined-p.stats.Examined)
}

// objects expires the bucket's current objects that are due, from the cursor on.
func (p *pass) objects(ctx context.Context, bucket string, cfg *Configuration) (bool, error) {
	if !cfg.hasExpiryRules() {
		return true, nil
	}
	now := p.w.o.Now()
	for !p.exhausted() {
		if err := p.page(ctx); err != nil {
			return false, err
		}
		res, err := p.w.o.Backend.ListObjects(ctx, bucket, objstore.ListOptions{After: p.cur.After, MaxKeys: p.pageSize()})
		if err != nil {
			return false, err
		}
		for _, o := range res.Objects {
			p.stats.Examined++
			if d, ok := cfg.Expiry(ObjectOf(o, false)); ok && !now.Before(d.At) {
				if err := p.expire(ctx, bucket, o.Key, cfg, now); err != nil {
					return false, err
				}
			}
			p.cur.After = o.Key
			if p.exhausted() {
				return false, nil
			}
		}
		if !res.IsTruncated {
			return true, nil
		}
	}
	return false, nil
}

// expire deletes the current object at key if, read again now, it is still due: the
// listing only finds candidates. The delete is conditional on the ETag just read, so an
// object written since is not deleted (ErrPreconditionFailed, counted as Changed). One
// window remains that the backend contract cannot close: an overwrite with the very same
// bytes (the same ETag) between the read and the delete is deleted; the content deleted is
// then the content that was due. In a versioned bucket the delete places a delete marker,
// as S3's expiration does.
func (p *pass) expire(ctx context.Context, bucket, key string, cfg *Configuration, now time.Time) error {
	info, err := headCurrent(ctx, p.w.o.Backend, bucket, key)
	if errors.Is(err, objstore.ErrNoSuchKey) {
		p.stats.Changed++
		return nil
	}
	if err != nil {
		return p.failed(bucket, key, err)
	}
	d, ok := cfg.Expiry(ObjectOf(info, true))
	if !ok || now.Before(d.At) {
		p.stats.Changed++
		return nil
	}
	err = deleteObject(ctx, p.w.o.Backend, bucket, key, objstore.DeleteOptions{IfMatch: info.ETag})
	if errors.Is(err, objstore.ErrPreconditionFailed) || errors.Is(err, objstore.ErrNoSuchKey) {
		p.stats.Changed++
		return nil
	}
	if err != nil {
		return p.failed(bucket, key, err)
	}
	p.stats.Expired++
	p.record("s3:Lifecycle:ExpireObject", bucket, key, d.RuleID, fmt.Sprintf("expired: created %s, due %s",
		info.LastModified.UTC().Format(time.RFC3339), d.At.Format(time.RFC3339)))
	return p.acted(ctx)
}

// uploads aborts the bucket's incomplete multipart uploads that are due.
func (p *pass) uploads(ctx context.Context, bucket string, cfg *Configuration) (bool, error) {
	if !cfg.hasAbortRules() {
		return true, nil
	}
	now := p.w.o.Now()
	for !p.exhausted() {
		if err := p.page(ctx); err != nil {
			return false, err
		}
		res, err := p.w.o.Backend.ListMultipartUploads(ctx, bucket, objstore.ListUploadsOptions{
			KeyMarker: p.cur.After, UploadIDMarker: p.cur.UploadID, MaxUploads: p.pageSize()})
		if err != nil {
			return false, err
		}
		for _, u := range res.Uploads {
			p.stats.Examined++
			if d, ok := cfg.AbortDate(u.Key, u.Initiated); ok && !now.Before(d.At) {
				if err := p.abort(ctx, u, d); err != nil {
					return false, err
				}
			}
			p.cur.After, p.cur.UploadID = u.Key, u.UploadID
			if p.exhausted() {
				return false, nil
			}
		}
		if !res.IsTruncated {
			return true, nil
		}
	}
	return false, nil
}

// abort aborts one upload; one completed or aborted since it was listed is left alone.
func (p *pass) abort(ctx context.Context, u objstore.Upload, d Due) error {
	err := p.w.o.Backend.AbortMultipartUpload(ctx, u.Bucket, u.Key, u.UploadID)
	if errors.Is(err, objstore.ErrNoSuchUpload) {
		p.stats.Changed++
		return nil
	}
	if err != nil {
		return p.failed(u.Bucket, u.Key, err)
	}
	p.stats.Aborted++
	p.record("s3:Lifecycle:AbortMultipartUpload", u.Bucket, u.Key, d.RuleID, fmt.Sprintf("aborted upload %s: initiated %s, due %s",
		u.UploadID, u.Initiated.UTC().Format(time.RFC3339), d.At.Format(time.RFC3339)))
	return p.acted(ctx)
}

// maxErrors ends a pass that keeps failing: the backend is likely down.
const maxErrors = 10

// failed counts a deletion that failed; the pass goes on with the next candidate until
// maxErrors, or stops at once when the backend is unavailable.
func (p *pass) failed(bucket, key string, err error) error {
	p.stats.Errors++
	p.w.o.Logger.Error("lifecycle action failed", "bucket", bucket, "key", key, "err", err)
	if errors.Is(err, objstore.ErrUnavailable) || errors.Is(err, context.Canceled) || p.stats.Errors >= maxErrors {
		return fmt.Errorf("lifecycle: %s/%s: %w", bucket, key, err)
	}
	return nil
}

// page renews the lease before each listing page after the pass's first, so that a pass
// that examines much and deletes little keeps its lease too.
func (p *pass) page(ctx context.Context) error {
	p.pages++
	if p.pages == 1 {
		return nil
	}
	return p.lease.renew(ctx, p.cur, p.w.o.Now())
}

// acted counts an action; after every BatchSize of them the pass pauses, then renews the
// lease with the cursor, so that the pass never starves requests and a successor knows
// where this one got to.
func (p *pass) acted(ctx context.Context) error {
	p.actions++
	if p.actions%p.w.o.BatchSize != 0 {
		return nil
	}
	if err := p.w.o.Sleep(ctx, p.w.o.BatchPause); err != nil {
		return err
	}
	return p.lease.renew(ctx, p.cur, p.w.o.Now())
}
