package lifecycle_test

import (
	"context"
	"encoding/xml"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/localfs"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

// clock is the test's lifecycle clock, which the backend writes LastModified by too.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// settings is the bucket settings snapshot the worker reads (iam.Service's, in inkan).
type settings struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *settings) BucketSetting(bucket, name string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[bucket+"?"+name]
	return v, ok
}

// recorder keeps the audit records.
type recorder struct {
	mu   sync.Mutex
	recs []*audit.Record
}

func (r *recorder) Append(rec *audit.Record) error {
	r.mu.Lock()
	r.recs = append(r.recs, rec)
	r.mu.Unlock()
	return nil
}

// world is a localfs backend and a SQLite store in a temporary directory, on one clock.
type world struct {
	t        *testing.T
	ctx      context.Context
	clock    *clock
	backend  *localfs.Backend
	store    *sqlstore.Store
	settings *settings
	audit    *recorder
}

var day0 = time.Date(2026, 5, 1, 10, 30, 0, 0, time.UTC)

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	w := &world{t: t, ctx: ctx, clock: &clock{t: day0}, settings: &settings{m: map[string]string{}}, audit: &recorder{}}
	var err error
	if w.backend, err = localfs.Open(ctx, filepath.Join(dir, "objects"), localfs.Options{Now: w.clock.Now, SweepInterval: -1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.backend.Close() })
	if w.store, err = sqlstore.Open(ctx, filepath.Join(dir, "inkan.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.store.Close() })
	return w
}

// configure stores rules (the inner XML of LifecycleConfiguration) for bucket, as
// PutBucketLifecycleConfiguration does.
func (w *world) configure(bucket, rules string) {
	w.t.Helper()
	var cfg lifecycle.Configuration
	if err := xml.Unmarshal([]byte("<LifecycleConfiguration>"+rules+"</LifecycleConfiguration>"), &cfg); err != nil {
		w.t.Fatal(err)
	}
	if err := cfg.Check(); err != nil {
		w.t.Fatal(err)
	}
	doc, err := xml.Marshal(cfg)
	if err != nil {
		w.t.Fatal(err)
	}
	w.settings.mu.Lock()
	w.settings.m[bucket+"?"+lifecycle.Setting] = lifecycle.Stored{Document: string(doc), MinimumSize: lifecycle.MinimumSizeAll128K}.Encode()
	w.settings.mu.Unlock()
}

func (w *world) bucket(name string) {
	w.t.Helper()
	if err := w.backend.CreateBucket(w.ctx, name); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) put(bucket, key, body string) objstore.ObjectInfo {
	w.t.Helper()
	info, err := w.backend.PutObject(w.ctx, bucket, key, strings.NewReader(body), int64(len(body)), objstore.PutOptions{})
	if err != nil {
		w.t.Fatal(err)
	}
	return info
}

func (w *world) keys(bucket string) []string {
	w.t.Helper()
	res, err := w.backend.ListObjects(w.ctx, bucket, objstore.ListOptions{MaxKeys: 1000})
	if err != nil {
		w.t.Fatal(err)
	}
	var keys []string
	for _, o := range res.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

func (w *world) worker(node string, o lifecycle.Options) *lifecycle.Worker {
	if o.Backend == nil {
		o.Backend = w.backend
	}
	o.Settings, o.Lease, o.Node, o.Now, o.Audit = w.settings, w.store, node, w.clock.Now, w.audit
	if o.Sleep == nil {
		o.Sleep = func(context.Context, time.Duration) error { return nil }
	}
	return lifecycle.NewWorker(o)
}

func (w *world) pass(wk *lifecycle.Worker) lifecycle.Stats {
	w.t.Helper()
	s, err := wk.Pass(w.ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return s
}

func TestObjectsExpireOnScheduleAndNotBefore(t *testing.T) {
	w := newWorld(t)
	w.bucket("logs")
	w.bucket("untouched")
	w.configure("logs", `<Rule><ID>one day</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`+
		`<Rule><ID>dated</ID><Filter><And><Prefix>big/</Prefix><ObjectSizeGreaterThan>3</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status><Expiration><Date>2026-05-10T00:00:00Z</Date></Expiration></Rule>`+
		`<Rule><ID>off</ID><Filter><Prefix>keep/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	for _, k := range []string{"tmp/a", "tmp/b", "keep/a", "other"} {
		w.put("logs", k, "data")
	}
	w.put("logs", "big/large", "large")
	w.put("logs", "big/sm", "sm")
	w.put("untouched", "tmp/a", "data")
	wk := w.worker("node-a", lifecycle.Options{})

	// Created 2026-05-01 10:30 with Days 1: due at 2026-05-03 00:00, not 24 hours later.
	w.clock.set(time.Date(2026, 5, 2, 23, 59, 59, 0, time.UTC))
	if s := w.pass(wk); s.Expired != 0 || !s.Complete {
		t.Fatalf("a pass before midnight: %+v", s)
	}
	w.clock.set(time.Date(2026, 5, 3, 0, 0, 0, 0, time.UTC))
	s := w.pass(wk)
	if s.Expired != 2 || s.Examined != 6 || !s.Complete {
		t.Fatalf("the pass at midnight: %+v", s)
	}
	if got := w.keys("logs"); !slices.Equal(got, []string{"big/large", "big/sm", "keep/a", "other"}) {
		t.Fatalf("after day 2: %v", got)
	}
	w.clock.set(time.Date(2026, 5, 10, 0, 0, 0, 0, time.UTC))
	w.pass(wk)
	if got := w.keys("logs"); !slices.Equal(got, []string{"big/sm", "keep/a", "other"}) {
		t.Fatalf("after the date: %v", got)
	}
	// A Date in the past expires objects written after it at once.
	w.clock.set(time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	w.put("logs", "big/late", "late!")
	w.pass(wk)
	if got := w.keys("logs"); !slices.Equal(got, []string{"big/sm", "keep/a", "other"}) {
		t.Fatalf("a late object under a past date: %v", got)
	}
	if got := w.keys("untouched"); !slices.Equal(got, []string{"tmp/a"}) {
		t.Fatalf("a bucket without a configuration lost objects: %v", got)
	}
	w.audit.mu.Lock()
	defer w.audit.mu.Unlock()
	if len(w.audit.recs) != 4 {
		t.Fatalf("%d audit records, want one per expired object", len(w.audit.recs))
	}
	r := w.audit.recs[0]
	if r.Action != "s3:Lifecycle:ExpireObject" || r.Resource != "arn:aws:s3:::logs/tmp/a" || r.Code != "one day" ||
		!strings.Contains(r.Reason, `lifecycle rule "one day"`) || r.Outcome != "allow" || r.RequestID == "" {
		t.Fatalf("audit record %+v", r)
	}
}

// racing wraps a backend to write the object again at one moment of the worker's work.
type racing struct {
	objstore.Backend
	mu       sync.Mutex
	onHead   func()
	onDelete func()
}

// hook runs and clears one of r's hooks.
func (r *racing) hook(f *func()) {
	r.mu.Lock()
	h := *f
	*f = nil
	r.mu.Unlock()
	if h != nil {
		h()
	}
}

func TestAnObjectOverwrittenAfterTheListingSurvives(t *testing.T) {
	w := newWorld(t)
	w.bucket("b")
	w.configure("b", `<Rule><ID>r</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	w.put("b", "listed-then-written", "old")
	w.put("b", "read-then-written", "old")
	w.clock.set(day0.AddDate(0, 0, 5))
	rb := &racing{Backend: w.backend}
	// The first key is rewritten after the listing, before the worker reads it again: its
	// new creation time is not due. The second is rewritten between the worker's read and
	// its delete: the delete, conditional on the ETag read, fails and the new bytes stay.
	rb.onHead = func() { w.put("b", "listed-then-written", "new") }
	rb.onDelete = func() { w.put("b", "read-then-written", "newer bytes") }
	wk := w.worker("n", lifecycle.Options{Backend: rb})
	if s := w.pass(wk); s.Changed != 2 || s.Expired != 0 {
		t.Fatalf("pass: %+v", s)
	}
	if got := w.keys("b"); !slices.Equal(got, []string{"listed-then-written", "read-then-written"}) {
		t.Fatalf("objects written during the pass were deleted: %v", got)
	}
	obj, err := w.backend.GetObject(w.ctx, "b", "read-then-written", objstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	if obj.Info.Size != int64(len("newer bytes")) {
		t.Fatalf("the surviving object is not the new one: %+v", obj.Info)
	}
}

func TestEachPassIsBoundedPausesBetweenBatchesAndTheNextGoesOn(t *testing.T) {
	w := newWorld(t)
	w.bucket("a")
	w.bucket("b")
	for _, b := range []string{"a", "b"} {
		w.configure(b, `<Rule><ID>r</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
		for i := range 12 {
			w.put(b, "k"+strconv.Itoa(100+i), "x")
		}
	}
	w.clock.set(day0.AddDate(0, 0, 3))
	var pauses []time.Duration
	wk := w.worker("n", lifecycle.Options{MaxActions: 10, BatchSize: 4, BatchPause: 250 * time.Millisecond,
		Sleep: func(_ context.Context, d time.Duration) error { pauses = append(pauses, d); return nil }})
	var expired []int
	for range 3 {
		s := w.pass(wk)
		expired = append(expired, s.Expired)
		if s.Complete != (len(expired) == 3) {
			t.Fatalf("pass %d complete=%v: %+v", len(expired), s.Complete, s)
		}
	}
	if !slices.Equal(expired, []int{10, 10, 4}) {
		t.Fatalf("expired per pass %v, want at most 10 each", expired)
	}
	if len(pauses) != 5 || pauses[0] != 250*time.Millisecond {
		t.Fatalf("pauses %v, want one after every 4 deletions of a pass (2+2+1)", pauses)
	}
	if len(w.keys("a"))+len(w.keys("b")) != 0 {
		t.Fatal("objects left after the passes")
	}
	// Examination is bounded too: 5 per pass over 12 objects that are not due.
	w.clock.set(day0)
	for i := range 12 {
		w.put("a", "n"+strconv.Itoa(100+i), "x")
	}
	small := w.worker("n", lifecycle.Options{MaxExamined: 5})
	for i, want := range []int{5, 5, 2} {
		if s := w.pass(small); s.Examined != want || s.Complete != (i == 2) {
			t.Fatalf("examining pass %d: %+v", i, s)
		}
	}
}

func TestOneOfTwoNodesRunsAPassAndADeadHoldersLeaseExpires(t *testing.T) {
	w := newWorld(t)
	w.bucket("b")
	w.configure("b", `<Rule><ID>r</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	for i := range 6 {
		w.put("b", "k"+strconv.Itoa(i), "x")
	}
	w.clock.set(day0.AddDate(0, 0, 3))
	var nodeB *lifecycle.Worker
	nodeA := w.worker("node-a", lifecycle.Options{BatchSize: 2, LeaseTTL: time.Minute,
		Sleep: func(context.Context, time.Duration) error {
			// In the middle of node A's pass, node B tries to run one.
			if s, err := nodeB.Pass(w.ctx); err != nil || !s.Skipped {
				t.Errorf("node B during node A's pass: %+v %v", s, err)
			}
			return nil
		}})
	nodeB = w.worker("node-b", lifecycle.Options{LeaseTTL: time.Minute})
	if s := w.pass(nodeA); s.Expired != 6 || !s.Complete {
		t.Fatalf("node A: %+v", s)
	}
	if s := w.pass(nodeB); s.Skipped {
		t.Fatalf("node B cannot pass after node A released the lease: %+v", s)
	}

	// A node that stops renewing (dead, or stalled in a batch) keeps the others out until
	// its lease expires, and no longer; it then finds its lease taken and stops.
	stuck := w.worker("node-d", lifecycle.Options{BatchSize: 1, LeaseTTL: time.Minute,
		Sleep: func(ctx context.Context, _ time.Duration) error {
			if s := w.pass(nodeB); !s.Skipped {
				t.Errorf("node B ran while node D held the lease: %+v", s)
			}
			w.clock.set(w.clock.Now().Add(time.Minute + time.Second))
			if s := w.pass(nodeB); s.Skipped {
				t.Errorf("node B still skipped after node D's lease expired: %+v", s)
			}
			return nil
		}})
	w.put("b", "late2", "x")
	w.clock.set(day0.AddDate(0, 0, 7))
	if _, err := stuck.Pass(w.ctx); err == nil || !strings.Contains(err.Error(), "lease") {
		t.Fatalf("node D went on after losing its lease: %v", err)
	}
}

func TestIncompleteUploadsAreAbortedOnSchedule(t *testing.T) {
	w := newWorld(t)
	w.bucket("b")
	w.configure("b", `<Rule><ID>uploads</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`)
	old, err := w.backend.CreateMultipartUpload(w.ctx, "b", "tmp/old", objstore.ObjectMeta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.backend.CreateMultipartUpload(w.ctx, "b", "keep/old", objstore.ObjectMeta{}, nil); err != nil {
		t.Fatal(err)
	}
	w.clock.set(day0.AddDate(0, 0, 1))
	if _, err := w.backend.CreateMultipartUpload(w.ctx, "b", "tmp/new", objstore.ObjectMeta{}, nil); err != nil {
		t.Fatal(err)
	}
	wk := w.worker("n", lifecycle.Options{})
	// Initiated 2026-05-01 10:30, 2 days: due 2026-05-04 00:00.
	w.clock.set(time.Date(2026, 5, 3, 23, 0, 0, 0, time.UTC))
	if s := w.pass(wk); s.Aborted != 0 {
		t.Fatalf("aborted early: %+v", s)
	}
	w.clock.set(time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC))
	if s := w.pass(wk); s.Aborted != 1 || s.Examined != 3 {
		t.Fatalf("pass at the abort date: %+v", s)
	}
	res, err := w.backend.ListMultipartUploads(w.ctx, "b", objstore.ListUploadsOptions{MaxUploads: 100})
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for _, u := range res.Uploads {
		left = append(left, u.Key)
		if u.UploadID == old {
			t.Error("the due upload is still there")
		}
	}
	if !slices.Equal(left, []string{"keep/old", "tmp/new"}) {
		t.Fatalf("uploads left %v", left)
	}
	if r := w.audit.recs[len(w.audit.recs)-1]; r.Action != "s3:Lifecycle:AbortMultipartUpload" || r.Code != "uploads" || !strings.Contains(r.Reason, old) {
		t.Fatalf("audit record %+v", r)
	}
}
