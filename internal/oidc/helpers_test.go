package oidc_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

const clientID = "sts.amazonaws.com"

// clock is a settable clock for Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fetchEvent is one Observer.Fetched call.
type fetchEvent struct {
	resource oidc.Resource
	err      error
}

// recorder is an Observer that keeps every event.
type recorder struct {
	mu      sync.Mutex
	fetches []fetchEvent
	lookups map[oidc.CacheOutcome]int
	fetched chan fetchEvent
}

func newRecorder() *recorder {
	return &recorder{lookups: map[oidc.CacheOutcome]int{}, fetched: make(chan fetchEvent, 1000)}
}

func (r *recorder) Fetched(_ string, res oidc.Resource, err error, _ time.Duration) {
	r.mu.Lock()
	r.fetches = append(r.fetches, fetchEvent{res, err})
	r.mu.Unlock()
	r.fetched <- fetchEvent{res, err}
}

func (r *recorder) Lookup(_ string, o oidc.CacheOutcome) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lookups[o]++
}

func (r *recorder) lookupCount(o oidc.CacheOutcome) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lookups[o]
}

// drain forgets the fetches finished so far, so that awaitFetch waits for a
// later one.
func (r *recorder) drain() {
	for {
		select {
		case <-r.fetched:
		default:
			return
		}
	}
}

// awaitFetch waits for the next fetch of res to finish (background refreshes
// report through the Observer) and returns its error.
func (r *recorder) awaitFetch(t *testing.T, res oidc.Resource) error {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case e := <-r.fetched:
			if e.resource == res {
				return e.err
			}
		case <-deadline:
			t.Fatalf("no %s fetch finished within 10s", res)
			return nil
		}
	}
}

// env is an issuer, a verifier with a fake clock, and the provider for it.
type env struct {
	iss   *oidctest.Issuer
	v     *oidc.Verifier
	p     *oidc.Provider
	clock *clock
	obs   *recorder
}

func newEnv(t *testing.T, cfg oidctest.Config, tweak func(*oidc.Options)) *env {
	t.Helper()
	e := &env{iss: oidctest.New(t, cfg), clock: newClock(), obs: newRecorder()}
	o := oidc.Options{
		HTTPClient:                e.iss.Client(),
		Now:                       e.clock.Now,
		InsecureAllowHTTPLoopback: true,
		Observer:                  e.obs,
	}
	if tweak != nil {
		tweak(&o)
	}
	e.v = oidc.NewVerifier(o)
	e.p = &oidc.Provider{URL: e.iss.URL(), ClientIDs: []string{clientID}}
	return e
}

// claims is a valid claim set for the env's issuer at the current fake time.
func (e *env) claims() map[string]any { return e.iss.Claims(clientID, e.clock.Now()) }

func (e *env) token() string { return e.iss.Sign(e.claims()) }

func (e *env) verify(raw string) (*oidc.Token, error) {
	return e.v.Verify(context.Background(), raw, e.p)
}

// mustVerify fails the test unless raw verifies.
func (e *env) mustVerify(t *testing.T, raw string) *oidc.Token {
	t.Helper()
	tok, err := e.verify(raw)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	return tok
}

// wantRequests reports an error unless endpoint has had exactly n requests;
// why says what the count shows.
func (e *env) wantRequests(t *testing.T, endpoint oidctest.Endpoint, n int, why string) {
	t.Helper()
	if got := e.iss.Requests(endpoint); got != n {
		name := map[oidctest.Endpoint]string{oidctest.Discovery: "discovery", oidctest.JWKS: "JWKS"}[endpoint]
		t.Errorf("%s requests = %d, want %d: %s", name, got, n, why)
	}
}

// wantRefused fails the test unless raw is refused with kind k.
func (e *env) wantRefused(t *testing.T, raw string, k oidc.Kind) {
	t.Helper()
	_, err := e.verify(raw)
	wantKind(t, err, k)
}

// wantKind fails the test unless err is an *oidc.Error of kind k.
func wantKind(t *testing.T, err error, k oidc.Kind) *oidc.Error {
	t.Helper()
	var e *oidc.Error
	if !errors.As(err, &e) {
		t.Fatalf("got %v (%T), want an *oidc.Error of kind %v", err, err, k)
	}
	if e.Kind != k || !errors.Is(err, k) {
		t.Fatalf("got kind %v (%s), want %v", e.Kind, e.Reason, k)
	}
	return e
}
