package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/server"
	"github.com/inkan-dev/inkan/internal/store"
)

// Start-up while the store is unreachable: serve listens at once with server.Starting
// (alive, not ready, every call a retryable 503) and builds the app in a loop, backing off
// from startRetryMin to startRetryMax while the failure is store.ErrUnavailable; any other
// failure ends serve as before. Once built, the app's handler replaces Starting.
const (
	startRetryMin = 250 * time.Millisecond
	startRetryMax = 5 * time.Second
)

// serveApp serves on ln until ctx ends: server.Starting at once, then the app once built.
// It prints "inkan listening on …" to out when the app serves, that is when it is ready.
func serveApp(ctx context.Context, ln net.Listener, s starter, cfg config.Config, out io.Writer) error {
	logger := s.logger
	// Listen at once: alive but not ready until the app (and its snapshot) is built.
	h := newSwapHandler(server.Starting())
	serving, stopServing := context.WithCancel(ctx)
	defer stopServing()
	building, stopBuilding := context.WithCancel(ctx)
	defer stopBuilding()
	served := make(chan error, 1)
	go func() {
		err := serveHTTP(serving, ln, h, cfg, logger)
		stopBuilding()
		served <- err
	}()
	a, err := s.buildApp(ctx, building, cfg, out)
	if err != nil {
		stopped := building.Err() != nil // by ctx, or by the server failing, while retrying
		stopServing()
		if serr := <-served; stopped {
			return serr
		}
		return err
	}
	defer a.Close()
	h.set(a.handler)
	fmt.Fprintf(out, "inkan listening on %s (data in %s)\n", cfg.PublicURL, cfg.DataDir)
	if a.idp != nil {
		fmt.Fprintf(out, "test identity provider: issuer %s, registered with audience %s\n", a.idp.URL(), devAudience)
	}
	return <-served
}

// swapHandler serves whichever handler it was last given. Safe for concurrent use.
type swapHandler struct{ h atomic.Pointer[http.Handler] }

func newSwapHandler(h http.Handler) *swapHandler {
	s := &swapHandler{}
	s.set(h)
	return s
}

func (s *swapHandler) set(h http.Handler) { s.h.Store(&h) }

func (s *swapHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	(*s.h.Load()).ServeHTTP(w, r)
}

// appBuilder builds the app; newApp is the real one.
type appBuilder func(ctx context.Context, cfg config.Config, logger *slog.Logger, out io.Writer) (*app, error)

// starter builds the app, retrying while the store is unreachable.
type starter struct {
	build  appBuilder
	logger *slog.Logger
	now    func() time.Time
	// minDelay and maxDelay bound the backoff between attempts.
	minDelay, maxDelay time.Duration
}

func newStarter(build appBuilder, logger *slog.Logger) starter {
	return starter{build: build, logger: logger, now: time.Now, minDelay: startRetryMin, maxDelay: startRetryMax}
}

// buildApp calls build until it succeeds, fails with an error other than
// store.ErrUnavailable, or wait's context ends (then it returns wait's error). The first
// failure is logged, then one line every outageLogEvery and one on success. ctx is the one
// the app lives under; wait bounds only the retrying.
func (s starter) buildApp(ctx, wait context.Context, cfg config.Config, out io.Writer) (*app, error) {
	delay := s.minDelay
	var first, logged time.Time
	for attempt := 1; ; attempt++ {
		a, err := s.build(ctx, cfg, s.logger, out)
		if err == nil {
			if attempt > 1 {
				s.logger.Warn("store reachable; configuration loaded, ready", "attempts", attempt, "waited", s.now().Sub(first).Round(time.Millisecond).String())
			}
			return a, nil
		}
		if !errors.Is(err, store.ErrUnavailable) {
			return nil, err
		}
		switch now := s.now(); {
		case attempt == 1:
			first, logged = now, now
			s.logger.Warn("store unreachable at start: not ready, retrying with backoff", "err", err)
		case now.Sub(logged) >= outageLogEvery:
			logged = now
			s.logger.Warn("store still unreachable: not ready", "attempts", attempt, "waited", now.Sub(first).Round(time.Second).String(), "err", err)
		}
		t := time.NewTimer(delay)
		select {
		case <-wait.Done():
			t.Stop()
			return nil, wait.Err()
		case <-t.C:
		}
		delay = min(delay*2, s.maxDelay)
	}
}
