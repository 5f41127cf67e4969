package decisionlog_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

// flaky is the real store with a switch that makes the decision log unreachable, as a
// PostgreSQL outage does, and a record of the batch sizes it was given.
type flaky struct {
	store.Store
	down    atomic.Bool
	mu      sync.Mutex
	batches []int
}

func (f *flaky) AppendDecisions(ctx context.Context, records []store.Decision) error {
	if f.down.Load() {
		return fmt.Errorf("append decisions: connection refused: %w", store.ErrUnavailable)
	}
	f.mu.Lock()
	f.batches = append(f.batches, len(records))
	f.mu.Unlock()
	return f.Store.AppendDecisions(ctx, records)
}

func (f *flaky) GetDecision(ctx context.Context, id string) (store.Decision, error) {
	if f.down.Load() {
		return store.Decision{}, fmt.Errorf("get decision: connection refused: %w", store.ErrUnavailable)
	}
	return f.Store.GetDecision(ctx, id)
}

func openStore(t *testing.T) *flaky {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "inkan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &flaky{Store: st}
}

// counts is an Observer that keeps totals.
type counts struct {
	queued, written, dropped, failedWrites atomic.Int64
}

func (c *counts) DecisionsQueued(n int) { c.queued.Store(int64(n)) }
func (c *counts) DecisionsWritten(n int, _ time.Duration, err error) {
	if err != nil {
		c.failedWrites.Add(1)
		return
	}
	c.written.Add(int64(n))
}
func (c *counts) DecisionsDropped(n int) { c.dropped.Add(int64(n)) }

func record(id string) *audit.Record {
	return &audit.Record{Time: time.Now().UTC(), RequestID: id, Service: "sts", Action: "sts:AssumeRole", Outcome: "deny", Reason: "because " + id}
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func stored(t *testing.T, st store.Decisions) int64 {
	t.Helper()
	n, err := st.CountDecisions(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestARecordIsFoundAtOnceAndReachesTheStoreWithinTheDelay(t *testing.T) {
	st := openStore(t)
	w := decisionlog.NewWriter(st, decisionlog.Options{MaxDelay: 20 * time.Millisecond})
	defer w.Close()
	w.Add(record("r1"))
	got, err := w.Find(context.Background(), "r1")
	if err != nil || got.Reason != "because r1" {
		t.Fatalf("Find right after Add: %+v, %v", got, err)
	}
	eventually(t, "the record is stored", func() bool { return stored(t, st) == 1 })
	d, err := st.GetDecision(context.Background(), "r1")
	if err != nil || d.Service != "sts" || d.Outcome != "deny" || !bytes.Contains(d.Body, []byte(`"reason":"because r1"`)) {
		t.Fatalf("stored %+v, %v", d, err)
	}
	if _, err := w.Find(context.Background(), "r2"); !errors.Is(err, audit.ErrNotFound) {
		t.Fatalf("unknown id: %v", err)
	}
}

func TestRecordsAreWrittenInBatchesOfAtMostBatchSize(t *testing.T) {
	st := openStore(t)
	c := &counts{}
	w := decisionlog.NewWriter(st, decisionlog.Options{BatchSize: 64, MaxDelay: time.Hour, Observer: c})
	for i := range 1000 {
		w.Add(record(fmt.Sprint("r", i)))
	}
	// Full batches leave at once; only the last partial one waits for the (hour-long) delay.
	eventually(t, "the full batches are stored", func() bool { return stored(t, st) >= 1000-64 })
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := stored(t, st); n != 1000 {
		t.Fatalf("%d records stored, want 1000", n)
	}
	for _, b := range st.batches {
		if b > 64 {
			t.Fatalf("a batch of %d records", b)
		}
	}
	if c.written.Load() != 1000 || c.queued.Load() != 0 || c.dropped.Load() != 0 {
		t.Fatalf("observer: written %d queued %d dropped %d", c.written.Load(), c.queued.Load(), c.dropped.Load())
	}
}

func TestAFullQueueDropsAndCountsRecordsWithoutBlocking(t *testing.T) {
	st := openStore(t)
	st.down.Store(true)
	c := &counts{}
	w := decisionlog.NewWriter(st, decisionlog.Options{QueueSize: 10, MaxDelay: time.Millisecond, CloseWait: 10 * time.Millisecond, Observer: c})
	start := time.Now()
	for i := range 25 {
		w.Add(record(fmt.Sprint("r", i)))
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Fatalf("Add blocked for %v with the store down", d)
	}
	if c.dropped.Load() != 15 || w.Pending() != 10 {
		t.Fatalf("dropped %d pending %d, want 15 and 10", c.dropped.Load(), w.Pending())
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "10 records") {
		t.Fatalf("Close with the store down: %v", err)
	}
	if c.dropped.Load() != 25 {
		t.Fatalf("dropped %d after Close, want 25", c.dropped.Load())
	}
}

func TestRecordsWaitThroughAnOutageAndAreWrittenOnRecoveryWithOneLogLine(t *testing.T) {
	st := openStore(t)
	st.down.Store(true)
	var logs bytes.Buffer
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))
	c := &counts{}
	w := decisionlog.NewWriter(st, decisionlog.Options{MaxDelay: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Logger: logger, Observer: c})
	defer w.Close()
	for i := range 50 {
		w.Add(record(fmt.Sprint("r", i)))
	}
	eventually(t, "several writes failed", func() bool { return c.failedWrites.Load() >= 5 })
	if got, err := w.Find(context.Background(), "r7"); err != nil || got.RequestID != "r7" {
		t.Fatalf("a queued record during the outage: %+v, %v", got, err)
	}
	st.down.Store(false)
	eventually(t, "the queue is written", func() bool { return stored(t, st) == 50 })
	eventually(t, "the queue is empty", func() bool { return w.Pending() == 0 })
	mu.Lock()
	out := logs.String()
	mu.Unlock()
	if n := strings.Count(out, "level=WARN"); n != 1 {
		t.Errorf("%d warnings for one outage, want 1:\n%s", n, out)
	}
	if !strings.Contains(out, "accepts writes again") {
		t.Errorf("no recovery line:\n%s", out)
	}
	if c.dropped.Load() != 0 {
		t.Errorf("%d records dropped", c.dropped.Load())
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestRetentionRemovesOldRecordsThenAllButTheNewest(t *testing.T) {
	st := openStore(t)
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	old := record("old")
	old.Time = now.Add(-48 * time.Hour)
	w := decisionlog.NewWriter(st, decisionlog.Options{MaxAge: 24 * time.Hour, MaxRecords: 10, PruneInterval: 10 * time.Millisecond,
		MaxDelay: time.Millisecond, Now: func() time.Time { return now }})
	defer w.Close()
	w.Add(old)
	for i := range 30 {
		r := record(fmt.Sprint("r", i))
		r.Time = now
		w.Add(r)
	}
	eventually(t, "retention keeps 10 records", func() bool { return w.Pending() == 0 && stored(t, st) == 10 })
	if _, err := st.GetDecision(context.Background(), "old"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the old record: %v", err)
	}
	if _, err := st.GetDecision(context.Background(), "r29"); err != nil {
		t.Fatalf("the newest record: %v", err)
	}
}

func TestARecordThatCannotBeStoredIsDroppedWithoutBlockingTheOthers(t *testing.T) {
	st := openStore(t)
	c := &counts{}
	w := decisionlog.NewWriter(st, decisionlog.Options{MaxDelay: time.Millisecond, Observer: c})
	w.Add(record(""))
	w.Add(record("fine"))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if stored(t, st) != 1 || c.dropped.Load() != 1 {
		t.Fatalf("stored %d dropped %d, want 1 and 1", stored(t, st), c.dropped.Load())
	}
}

func TestCloseWritesWhatIsQueuedAndIsSafeTwice(t *testing.T) {
	st := openStore(t)
	w := decisionlog.NewWriter(st, decisionlog.Options{MaxDelay: time.Hour})
	for i := range 5 {
		w.Add(record(fmt.Sprint("r", i)))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := stored(t, st); n != 5 {
		t.Fatalf("%d stored after Close, want 5", n)
	}
	w.Add(record("late"))
	if w.Pending() != 0 {
		t.Fatal("a record was queued after Close")
	}
}

// BenchmarkWriteThroughput measures records/s from Add to committed in the store (SQLite
// here; batches of 256, synchronous=FULL):
//
//	go test -run '^$' -bench WriteThroughput -benchtime 20000x ./internal/store/decisionlog
func BenchmarkWriteThroughput(b *testing.B) {
	st, err := sqlstore.Open(context.Background(), filepath.Join(b.TempDir(), "inkan.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	w := decisionlog.NewWriter(st, decisionlog.Options{QueueSize: b.N + 1, CloseWait: time.Minute})
	rec := record("r")
	rec.Claims = map[string]any{"sub": "repo:acme/app:ref:refs/heads/main", "repository": "acme/app", "ref": "refs/heads/main"}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		r := *rec
		r.RequestID = fmt.Sprint("req-", i)
		w.Add(&r)
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "records/s")
}

// BenchmarkAdd measures what recording costs the request path.
func BenchmarkAdd(b *testing.B) {
	st, err := sqlstore.Open(context.Background(), filepath.Join(b.TempDir(), "inkan.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	w := decisionlog.NewWriter(st, decisionlog.Options{})
	defer w.Close()
	rec := record("r")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w.Add(rec)
		}
	})
}
