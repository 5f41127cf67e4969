package cli

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// fakeRefresher counts refreshes and fails them while down.
type fakeRefresher struct {
	calls atomic.Int32
	down  atomic.Bool
}

func (f *fakeRefresher) Refresh(context.Context) error {
	f.calls.Add(1)
	if f.down.Load() {
		return fmt.Errorf("generation: %w", store.ErrUnavailable)
	}
	return nil
}

type healthLog struct {
	up  bool
	age time.Duration
}

func (h *healthLog) StoreChecked(up bool, age time.Duration) { h.up, h.age = up, age }

// notifyingStore is a store.Store that is also a store.Notifier; only Changes is used.
type notifyingStore struct {
	store.Store
	ch chan struct{}
}

func (n *notifyingStore) Changes(context.Context) <-chan struct{} { return n.ch }

type lines struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lines) Write(p []byte) (int, error) { l.mu.Lock(); defer l.mu.Unlock(); return l.b.Write(p) }
func (l *lines) String() string              { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestANotificationRefreshesAtOnceWithoutWaitingForThePoll(t *testing.T) {
	svc := &fakeRefresher{}
	st := &notifyingStore{ch: make(chan struct{})}
	r := newRefresher(svc, st, nil, slog.New(slog.DiscardHandler), time.Now)
	r.poll = time.Hour
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.run(ctx)
	for i := 0; i < 3; i++ {
		st.ch <- struct{}{}
	}
	deadline := time.Now().Add(5 * time.Second)
	for svc.calls.Load() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := svc.calls.Load(); n != 3 {
		t.Fatalf("%d refreshes after 3 notifications", n)
	}
}

func TestAnOutageIsLoggedOnceAMinuteAndTheRecoveryOnce(t *testing.T) {
	svc := &fakeRefresher{}
	clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var out lines
	health := &healthLog{}
	r := newRefresher(svc, nil, health, slog.New(slog.NewTextHandler(&out, nil)), func() time.Time { return clock })
	if !health.up {
		t.Fatal("a node that just loaded its snapshot reports the store down")
	}
	ctx := context.Background()
	r.check(ctx)
	if !health.up || health.age != 0 {
		t.Fatalf("healthy store: %+v", health)
	}
	svc.down.Store(true)
	for i := 0; i < 150; i++ { // 150 checks, one a second
		clock = clock.Add(time.Second)
		r.check(ctx)
	}
	if health.up || health.age != 150*time.Second {
		t.Fatalf("after 150 s of outage: %+v", health)
	}
	if n := strings.Count(out.String(), "unreachable"); n != 3 {
		t.Fatalf("%d outage lines in 150 s, want 3 (at 0, 60 and 120 s):\n%s", n, out.String())
	}
	svc.down.Store(false)
	clock = clock.Add(time.Second)
	r.check(ctx)
	r.check(ctx)
	if !health.up || health.age != 0 {
		t.Fatalf("after recovery: %+v", health)
	}
	if n := strings.Count(out.String(), "reachable again"); n != 1 {
		t.Fatalf("%d recovery lines, want 1:\n%s", n, out.String())
	}
	if !strings.Contains(out.String(), "outage=2m30s") {
		t.Fatalf("the recovery line does not say how long the outage lasted:\n%s", out.String())
	}
}
