package oidc_test

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
)

func TestAfterARotationTheNewKidVerifiesAfterExactlyOneJWKSRefetch(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.mustVerify(t, e.token())
	e.clock.Advance(oidc.DefaultRefreshInterval)
	e.iss.Rotate("RS256", "key-2")

	tok := e.mustVerify(t, e.token())
	e.wantRequests(t, oidctest.JWKS, 2, "the warm-up and one refetch")
	e.wantRequests(t, oidctest.Discovery, 1, "discovery is cached separately")
	if tok.Subject != "subject-1" {
		t.Errorf("Subject = %q", tok.Subject)
	}
	e.mustVerify(t, e.token())
	e.wantRequests(t, oidctest.JWKS, 2, "a second token with the new kid must not refetch")
}

func TestARotationWithinTheRefreshIntervalOfTheLastFetchIsRefusedUntilItPasses(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.mustVerify(t, e.token())
	e.iss.Rotate("RS256", "key-2")
	e.clock.Advance(oidc.DefaultRefreshInterval - time.Second)
	e.wantRefused(t, e.token(), oidc.ErrSignature)
	e.clock.Advance(time.Second)
	e.mustVerify(t, e.token())
	e.wantRequests(t, oidctest.JWKS, 2, "the warm-up and one refetch once the interval passed")
}

func TestAThousandUnknownKidsRefetchAtMostOncePerRefreshInterval(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.mustVerify(t, e.token())
	stranger := newKey(t, "RS256", "unused")
	for i := 1; i <= 1000; i++ {
		e.clock.Advance(50 * time.Millisecond) // 1,000 tokens over 50 s
		kid := fmt.Sprintf("kid-%016x", rand.Uint64())
		stranger.ID = kid
		e.wantRefused(t, stranger.Sign(e.claims(), nil), oidc.ErrSignature)
	}
	// Refetches are allowed at 10, 20, 30, 40 and 50 s after the warm-up.
	if got := e.iss.Requests(oidctest.JWKS) - 1; got != 5 {
		t.Errorf("refetches = %d, want 5 over 50 s with a 10 s interval", got)
	}
	if got := e.obs.lookupCount(oidc.CacheThrottled); got != 995 {
		t.Errorf("throttled lookups = %d, want 995", got)
	}
}

func TestAThousandConcurrentUnknownKidsShareOneRefetch(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.mustVerify(t, e.token())
	e.clock.Advance(oidc.DefaultRefreshInterval)
	stranger := newKey(t, "RS256", "unused")
	tokens := make([]string, 1000)
	for i := range tokens {
		k := *stranger
		k.ID = fmt.Sprintf("kid-%d", i)
		tokens[i] = k.Sign(e.claims(), nil)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(tokens))
	for _, raw := range tokens {
		wg.Go(func() {
			_, err := e.verify(raw)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		wantKind(t, err, oidc.ErrSignature)
	}
	e.wantRequests(t, oidctest.JWKS, 2, "the warm-up and one shared refetch")
}

func TestConcurrentColdMissesShareOneFetch(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	raw := e.token()
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			if _, err := e.verify(raw); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	e.wantRequests(t, oidctest.Discovery, 1, "100 cold misses share one fetch")
	e.wantRequests(t, oidctest.JWKS, 1, "100 cold misses share one fetch")
}

func TestThroughA500OutageCachedKeysServeUntilMaxStaleAndRecoveryIsAutomatic(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.mustVerify(t, e.token())
	e.obs.drain()
	e.iss.SetOutage(oidctest.JWKS, oidctest.Fail500)
	e.iss.SetOutage(oidctest.Discovery, oidctest.Fail500)

	e.clock.Advance(time.Hour + time.Second) // past the default TTL
	e.mustVerify(t, e.token())               // served while a refresh starts
	if err := e.obs.awaitFetch(t, oidc.ResourceDiscovery); err == nil {
		t.Fatal("the refresh during the outage succeeded")
	}
	e.mustVerify(t, e.token())
	if e.obs.lookupCount(oidc.CacheStale) == 0 {
		t.Error("no lookup was reported stale during the outage")
	}

	e.clock.Advance(oidc.DefaultMaxStale - time.Hour) // now just past 24 h since the last success
	_, err := e.verify(e.token())
	ke := wantKind(t, err, oidc.ErrKeysUnavailable)
	t.Logf("past max-stale: %v", ke)

	e.iss.SetOutage(oidctest.JWKS, oidctest.Up)
	e.iss.SetOutage(oidctest.Discovery, oidctest.Up)
	e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable) // the failure is remembered for NegativeTTL
	e.clock.Advance(oidc.DefaultNegativeTTL)
	e.mustVerify(t, e.token())
}

func TestThroughAHangingJWKSEndpointCachedKeysServeWithoutWaiting(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, func(o *oidc.Options) { o.FetchTimeout = 300 * time.Millisecond })
	e.mustVerify(t, e.token())
	e.obs.drain()
	e.iss.SetOutage(oidctest.JWKS, oidctest.Hang)
	e.clock.Advance(2 * time.Hour)

	start := time.Now()
	e.mustVerify(t, e.token())
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Errorf("Verify with usable stale keys waited %v for the hanging refresh", d)
	}
	if err := e.obs.awaitFetch(t, oidc.ResourceJWKS); err == nil {
		t.Fatal("the refresh against a hanging endpoint succeeded")
	}
	e.mustVerify(t, e.token())

	e.clock.Advance(oidc.DefaultMaxStale)
	e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)

	e.iss.SetOutage(oidctest.JWKS, oidctest.Up)
	e.clock.Advance(oidc.DefaultNegativeTTL)
	e.mustVerify(t, e.token())
}

func TestACallerThatGivesUpOnAColdFetchGetsKeysUnavailable(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, func(o *oidc.Options) { o.FetchTimeout = 5 * time.Second })
	e.iss.SetOutage(oidctest.Discovery, oidctest.Hang)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := e.v.Verify(ctx, e.token(), e.p)
	wantKind(t, err, oidc.ErrKeysUnavailable)
}

func TestAFailedColdFetchIsRememberedForTheNegativeTTL(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.iss.SetOutage(oidctest.JWKS, oidctest.Fail500)
	for range 3 {
		e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
	}
	e.wantRequests(t, oidctest.JWKS, 1, "one attempt within the negative TTL")
	e.clock.Advance(oidc.DefaultNegativeTTL)
	e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
	e.wantRequests(t, oidctest.JWKS, 2, "a second attempt after the negative TTL")
}

func TestKeysLiveForTheCacheControlMaxAgeClampedToOneMinuteAndADay(t *testing.T) {
	for _, c := range []struct {
		name, header string
		ttl          time.Duration
	}{
		{"max-age below a minute is raised to a minute", "public, max-age=30", time.Minute},
		{"max-age of ten minutes is kept", "max-age=600", 10 * time.Minute},
		{"max-age above a day is lowered to a day", "max-age=604800", 24 * time.Hour},
		{"no-store gives the minimum", "no-store", time.Minute},
		{"no Cache-Control gives an hour", "", time.Hour},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, oidctest.Config{}, func(o *oidc.Options) { o.MaxStale = 48 * time.Hour })
			e.iss.SetCacheControl(c.header)
			e.mustVerify(t, e.token())
			e.obs.drain()
			e.clock.Advance(c.ttl - time.Second)
			e.mustVerify(t, e.token())
			if got := e.iss.Requests(oidctest.JWKS); got != 1 {
				t.Fatalf("JWKS refetched %d times before the TTL", got-1)
			}
			e.clock.Advance(time.Second)
			e.mustVerify(t, e.token())
			if err := e.obs.awaitFetch(t, oidc.ResourceJWKS); err != nil {
				t.Fatal(err)
			}
			e.wantRequests(t, oidctest.JWKS, 2, "one refetch once the TTL passed")
		})
	}
}

func TestAJWKSFailureMakesDiscoveryDueAgain(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.mustVerify(t, e.token())
	e.clock.Advance(oidc.DefaultRefreshInterval)
	e.iss.SetOutage(oidctest.JWKS, oidctest.Fail500)
	e.iss.Rotate("RS256", "key-2")
	e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable) // the new kid may be in the JWKS we could not read
	e.iss.SetOutage(oidctest.JWKS, oidctest.Up)
	e.clock.Advance(oidc.DefaultRefreshInterval)
	e.mustVerify(t, e.token())
	e.wantRequests(t, oidctest.Discovery, 2, "the JWKS failure made discovery due")
}

func TestForgetDropsAnIssuersCache(t *testing.T) {
	e := newEnv(t, oidctest.Config{}, nil)
	e.mustVerify(t, e.token())
	e.v.Forget(e.p.URL)
	e.mustVerify(t, e.token())
	e.wantRequests(t, oidctest.JWKS, 2, "Forget dropped the keys")
}

// logRecorder is a slog.Handler that keeps messages.
type logRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecorder) WithAttrs([]slog.Attr) slog.Handler       { return l }
func (l *logRecorder) WithGroup(string) slog.Handler            { return l }
func (l *logRecorder) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Level.String()+" "+r.Message)
	return nil
}

func (l *logRecorder) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.HasPrefix(m, prefix) {
			n++
		}
	}
	return n
}

func TestRefreshFailuresAreLoggedOncePerMinuteAndTheRecoveryOnce(t *testing.T) {
	logs := &logRecorder{}
	e := newEnv(t, oidctest.Config{}, func(o *oidc.Options) { o.Logger = slog.New(logs) })
	e.iss.SetOutage(oidctest.JWKS, oidctest.Fail500)
	for range 6 { // six failed attempts, ten seconds apart
		e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
		e.clock.Advance(10 * time.Second)
	}
	if got := logs.count("WARN"); got != 1 {
		t.Errorf("%d warnings in the first minute, want 1", got)
	}
	e.wantRefused(t, e.token(), oidc.ErrKeysUnavailable)
	if got := logs.count("WARN"); got != 2 {
		t.Errorf("%d warnings after a minute, want 2", got)
	}
	e.iss.SetOutage(oidctest.JWKS, oidctest.Up)
	e.clock.Advance(oidc.DefaultNegativeTTL)
	e.mustVerify(t, e.token())
	if got := logs.count("INFO"); got != 1 {
		t.Errorf("%d recovery messages, want 1", got)
	}
	if got := len(e.obs.fetches); got != 8*2 {
		t.Errorf("the Observer saw %d fetches, want 16 (every attempt, discovery and JWKS)", got)
	}
}

// refusingTransport dials nothing while refuse is set: the issuer refuses connections.
type refusingTransport struct {
	next   http.RoundTripper
	refuse atomic.Bool
}

func (t *refusingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if t.refuse.Load() {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	}
	return t.next.RoundTrip(r)
}

func TestAnUnknownKidDuringAnIssuerOutageIsTheIssuersFailureNotTheTokens(t *testing.T) {
	for _, c := range []struct {
		name   string
		outage func(e *env, rt *refusingTransport)
	}{
		{"refused connections", func(_ *env, rt *refusingTransport) { rt.refuse.Store(true) }},
		{"a 500", func(e *env, _ *refusingTransport) { e.iss.SetOutage(oidctest.JWKS, oidctest.Fail500) }},
		{"a hang", func(e *env, _ *refusingTransport) { e.iss.SetOutage(oidctest.JWKS, oidctest.Hang) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			rt := &refusingTransport{}
			e := newEnv(t, oidctest.Config{}, func(o *oidc.Options) {
				rt.next = o.HTTPClient.Transport
				o.HTTPClient = &http.Client{Transport: rt}
				o.FetchTimeout = 200 * time.Millisecond
			})
			e.mustVerify(t, e.token())
			c.outage(e, rt)
			e.clock.Advance(oidc.DefaultRefreshInterval)
			stranger := newKey(t, "RS256", "not-yet-seen")
			// The first token waits for the refetch that fails; the next ones, within the
			// refresh interval, are told the same: the JWKS could not be read.
			for i := range 3 {
				_, err := e.verify(stranger.Sign(e.claims(), nil))
				ke := wantKind(t, err, oidc.ErrKeysUnavailable)
				if !strings.Contains(ke.Reason, "not-yet-seen") || !strings.Contains(ke.Reason, "could not be fetched") {
					t.Errorf("token %d: reason %q does not explain the outage", i, ke.Reason)
				}
				e.clock.Advance(time.Second)
			}
			// The known kid keeps verifying from the last good keys.
			e.mustVerify(t, e.token())
			// Once the issuer answers again, a kid its fresh JWKS lacks is the token's fault.
			rt.refuse.Store(false)
			e.iss.SetOutage(oidctest.JWKS, oidctest.Up)
			e.clock.Advance(oidc.DefaultNegativeTTL + oidc.DefaultRefreshInterval)
			e.wantRefused(t, stranger.Sign(e.claims(), nil), oidc.ErrSignature)
		})
	}
}
