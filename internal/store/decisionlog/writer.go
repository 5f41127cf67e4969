package decisionlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/store"
)

// Defaults of Options.
const (
	DefaultQueueSize     = 10000
	DefaultBatchSize     = 256
	DefaultMaxDelay      = 200 * time.Millisecond
	DefaultPruneInterval = 10 * time.Minute
	DefaultCloseWait     = 5 * time.Second
	DefaultMaxBackoff    = 5 * time.Second
	minBackoff           = 50 * time.Millisecond
	// errorLogInterval bounds how often a failing store is logged: once a minute, not per
	// batch, so that an outage does not flood the log.
	errorLogInterval = time.Minute
	// opTimeout bounds one store call of the writer.
	opTimeout = 30 * time.Second
)

// Observer receives the writer's measurements; *server.Metrics is one. Its methods are
// called from the writer's goroutine and from Add, concurrently, and must be quick.
type Observer interface {
	// DecisionsQueued reports how many records wait to be written, after a change.
	DecisionsQueued(n int)
	// DecisionsWritten reports one batch write: how many records, how long it took, and
	// its error (nil when written).
	DecisionsWritten(n int, took time.Duration, err error)
	// DecisionsDropped counts records that will never reach the store: the queue was full,
	// the record could not be stored, or Close gave up waiting.
	DecisionsDropped(n int)
}

// Options configure a Writer. The zero value is usable: defaults as named, no retention.
type Options struct {
	// QueueSize bounds the records waiting to be written; Add drops beyond it.
	QueueSize int
	// BatchSize bounds the records of one AppendDecisions call.
	BatchSize int
	// MaxDelay bounds how long a record waits while the store is available.
	MaxDelay time.Duration
	// MaxAge removes records older than this; 0 keeps them whatever their age.
	MaxAge time.Duration
	// MaxRecords keeps at most this many records in the store; 0 = no limit.
	MaxRecords int
	// PruneInterval is how often retention runs (when MaxAge or MaxRecords is set).
	PruneInterval time.Duration
	// CloseWait bounds how long Close waits for the queue to drain.
	CloseWait time.Duration
	// MaxBackoff caps the wait between retries while the store fails.
	MaxBackoff time.Duration
	Now        func() time.Time
	Logger     *slog.Logger
	Observer   Observer
}

func (o *Options) defaults() {
	orDefault(&o.QueueSize, DefaultQueueSize)
	orDefault(&o.BatchSize, DefaultBatchSize)
	orDefault(&o.MaxDelay, DefaultMaxDelay)
	orDefault(&o.PruneInterval, DefaultPruneInterval)
	orDefault(&o.CloseWait, DefaultCloseWait)
	orDefault(&o.MaxBackoff, DefaultMaxBackoff)
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
}

// orDefault sets a size or a duration that is not positive to its default.
func orDefault[T int | time.Duration](p *T, def T) {
	if *p <= 0 {
		*p = def
	}
}

// Writer writes this node's decision records to the store in batches, from one goroutine.
// Records wait in a bounded queue until written: while the store is unavailable they stay
// there and are written on recovery, and a record in the queue is already found by Find.
// Safe for concurrent use.
type Writer struct {
	st store.Decisions
	o  Options

	mu sync.Mutex
	// queue holds the records not yet written, oldest first. The writer reads a batch from
	// its head and removes it only once stored, so a record is always in the queue or in
	// the store (or in both for a moment), never in neither. Records are queued in the
	// store's form, encoded once when they are added.
	queue  []store.Decision
	closed bool

	wake    chan struct{} // a full batch is waiting
	closing chan struct{}
	done    chan struct{}
	once    sync.Once

	// failing, failures and lastLog belong to the writer goroutine.
	failing  bool
	failures int
	lastLog  time.Time
}

// NewWriter starts the writer of st. Close stops it.
func NewWriter(st store.Decisions, o Options) *Writer {
	o.defaults()
	w := &Writer{st: st, o: o, wake: make(chan struct{}, 1), closing: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	return w
}

// Add queues rec without blocking; the caller must not change rec afterwards. When the
// queue is full, or after Close, or when rec cannot be stored (no request id, too large),
// the record is dropped and counted.
func (w *Writer) Add(rec *audit.Record) {
	body, err := json.Marshal(rec)
	if err != nil {
		w.drop(rec.RequestID, err)
		return
	}
	w.AddEncoded(rec, body)
}

// AddEncoded is Add for a record already encoded as body (its JSON, as the audit file
// holds it), so that a record written to both the file and the store is encoded once.
func (w *Writer) AddEncoded(rec *audit.Record, body []byte) {
	d := store.Decision{RequestID: rec.RequestID, Time: rec.Time, Service: rec.Service, Action: rec.Action, Outcome: rec.Outcome,
		Role: store.RoleName(rec.Role), Subject: rec.Subject, SourceIP: rec.SourceIP, Body: body}
	if err := d.Check(); err != nil {
		w.drop(rec.RequestID, err)
		return
	}
	w.mu.Lock()
	if w.closed || len(w.queue) >= w.o.QueueSize {
		w.mu.Unlock()
		w.o.Observer.DecisionsDropped(1)
		return
	}
	w.queue = append(w.queue, d)
	n := len(w.queue)
	w.mu.Unlock()
	w.o.Observer.DecisionsQueued(n)
	if n >= w.o.BatchSize {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// drop counts a record that can never be stored.
func (w *Writer) drop(requestID string, err error) {
	w.o.Logger.Warn("decision record dropped: it cannot be stored", "request_id", requestID, "err", err)
	w.o.Observer.DecisionsDropped(1)
}

// Pending returns how many records wait to be written.
func (w *Writer) Pending() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue)
}

// Find returns the newest record with the request id: from this node's queue (a decision
// just made here), else from the store (one made on any node). audit.ErrNotFound if
// neither holds it; a store failure is returned as is (wrapping store.ErrUnavailable when
// the store cannot be reached).
func (w *Writer) Find(ctx context.Context, requestID string) (*audit.Record, error) {
	if requestID == "" {
		return nil, audit.ErrNotFound
	}
	d, ok := w.pending(requestID)
	if !ok {
		var err error
		d, err = w.st.GetDecision(ctx, requestID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, audit.ErrNotFound
		}
		if err != nil {
			return nil, fmt.Errorf("decision log: %w", err)
		}
	}
	var rec audit.Record
	if err := json.Unmarshal(d.Body, &rec); err != nil {
		return nil, fmt.Errorf("decision log: record %q: %w", requestID, err)
	}
	return &rec, nil
}

// List returns the records f selects, newest first, with each one's place in the log (for
// paging with f.Before): on the first page (f.Before zero) the matching records still queued
// here come first (with Seq zero), so that a decision just made is listed at once. An error
// wrapping store.ErrUnavailable when the store cannot be read now.
func (w *Writer) List(ctx context.Context, f store.DecisionFilter) ([]Listed, error) {
	var ds []store.Decision
	if f.Before == 0 {
		ds = w.pendingMatching(f)
	}
	stored, err := w.st.ListDecisions(ctx, f)
	if err != nil {
		return nil, fmt.Errorf("decision log: %w", err)
	}
	queued := len(ds)
	for _, d := range stored {
		// A record written but not yet taken off the queue is in both.
		if !slices.ContainsFunc(ds[:queued], func(p store.Decision) bool { return p.RequestID == d.RequestID && p.Time.Equal(d.Time) }) {
			ds = append(ds, d)
		}
	}
	if f.Limit > 0 && len(ds) > f.Limit {
		ds = ds[:f.Limit]
	}
	out := make([]Listed, len(ds))
	for i, d := range ds {
		out[i].Seq = d.Seq
		if err := json.Unmarshal(d.Body, &out[i].Record); err != nil {
			return nil, fmt.Errorf("decision log: record %q: %w", d.RequestID, err)
		}
	}
	return out, nil
}

// pendingMatching returns the queued records f selects, newest first.
func (w *Writer) pendingMatching(f store.DecisionFilter) []store.Decision {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []store.Decision
	for i := len(w.queue) - 1; i >= 0; i-- {
		if f.Match(w.queue[i]) {
			out = append(out, w.queue[i])
		}
	}
	return out
}

// Listed is a decision record with its place in the log.
type Listed struct {
	audit.Record
	Seq int64
}

// pending returns the newest queued record with the request id.
func (w *Writer) pending(requestID string) (store.Decision, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := len(w.queue) - 1; i >= 0; i-- {
		if w.queue[i].RequestID == requestID {
			return w.queue[i], true
		}
	}
	return store.Decision{}, false
}

// Close stops taking records, writes what is queued (waiting at most CloseWait while the
// store fails), stops the writer and reports how many records were lost. Safe to call more
// than once.
func (w *Writer) Close() error {
	w.once.Do(func() {
		w.mu.Lock()
		w.closed = true
		w.mu.Unlock()
		close(w.closing)
	})
	<-w.done
	if n := w.Pending(); n > 0 {
		w.o.Observer.DecisionsDropped(n)
		return fmt.Errorf("decision log: %d records not written to the store before close", n)
	}
	return nil
}

type nopObserver struct{}

func (nopObserver) DecisionsQueued(int)                        {}
func (nopObserver) DecisionsWritten(int, time.Duration, error) {}
func (nopObserver) DecisionsDropped(int)                       {}
