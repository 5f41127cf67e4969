package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/server"
	"github.com/inkan-dev/inkan/internal/store"
)

// flakyBuilder fails with store.ErrUnavailable until up is set, then builds an app serving
// a bare server.
type flakyBuilder struct {
	up       atomic.Bool
	attempts atomic.Int32
	other    error
}

func (f *flakyBuilder) build(context.Context, config.Config, *slog.Logger, io.Writer) (*app, error) {
	f.attempts.Add(1)
	if f.other != nil {
		return nil, f.other
	}
	if !f.up.Load() {
		return nil, fmt.Errorf("sqlstore: connect: %w", store.ErrUnavailable)
	}
	return &app{handler: server.New(server.Options{})}, nil
}

func get(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestANodeStartedWhileTheStoreIsDownListensAtOnceAndBecomesReadyWhenItAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	f := &flakyBuilder{}
	var log lines
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- serveApp(ctx, ln, newStarter(f.build, slog.New(slog.NewTextHandler(&log, nil))), config.Default(), io.Discard)
	}()
	for f.attempts.Load() < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	if get(t, base+"/healthz") != 200 || get(t, base+"/readyz") != 503 || get(t, base+"/bucket/key") != 503 {
		t.Fatal("while the store is down: want /healthz 200, /readyz 503 and 503 for S3")
	}
	f.up.Store(true)
	deadline := time.Now().Add(10 * time.Second)
	for get(t, base+"/readyz") != 200 {
		if time.Now().After(deadline) {
			t.Fatalf("not ready 10 s after the store came back (%d attempts)", f.attempts.Load())
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve ended with %v", err)
	}
	if n := strings.Count(log.String(), "unreachable"); n != 1 {
		t.Fatalf("%d lines about the outage for a few retries, want 1:\n%s", n, log.String())
	}
}

func TestAFailureOtherThanAnUnreachableStoreEndsServeAtOnce(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &flakyBuilder{other: errors.New("config: bad trust policy")}
	err = serveApp(context.Background(), ln, newStarter(f.build, slog.New(slog.DiscardHandler)), config.Default(), io.Discard)
	if err == nil || !strings.Contains(err.Error(), "bad trust policy") || f.attempts.Load() != 1 {
		t.Fatalf("serve returned %v after %d attempts", err, f.attempts.Load())
	}
}

func TestStoppingAServerThatIsStillRetryingEndsCleanly(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := serveApp(ctx, ln, newStarter((&flakyBuilder{}).build, slog.New(slog.DiscardHandler)), config.Default(), io.Discard); err != nil {
		t.Fatalf("serve returned %v", err)
	}
}

func TestRetryingAtStartLogsOnceAMinuteAndBacksOffToTheCap(t *testing.T) {
	clock := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	var log lines
	var gaps []time.Duration
	last := time.Now()
	f := &flakyBuilder{}
	s := newStarter(func(ctx context.Context, cfg config.Config, l *slog.Logger, out io.Writer) (*app, error) {
		gaps = append(gaps, time.Since(last))
		last = time.Now()
		clock = clock.Add(10 * time.Second) // each attempt, ten seconds of outage
		if f.attempts.Load() == 20 {
			f.up.Store(true)
		}
		return f.build(ctx, cfg, l, out)
	}, slog.New(slog.NewTextHandler(&log, nil)))
	s.now = func() time.Time { return clock }
	s.minDelay, s.maxDelay = time.Millisecond, 8*time.Millisecond
	if _, err := s.buildApp(context.Background(), context.Background(), config.Default(), io.Discard); err != nil {
		t.Fatal(err)
	}
	// 20 failures over 200 s of outage: the first, then at 60, 120 and 180 s.
	if n := strings.Count(log.String(), "unreachable"); n != 4 {
		t.Fatalf("%d lines for 20 failed attempts over 200 s, want 4:\n%s", n, log.String())
	}
	if !strings.Contains(log.String(), "configuration loaded") {
		t.Fatalf("no line when the store answered:\n%s", log.String())
	}
	if g := gaps[len(gaps)-1]; g > 200*time.Millisecond {
		t.Fatalf("the backoff grew past its cap: last gap %s", g)
	}
}
