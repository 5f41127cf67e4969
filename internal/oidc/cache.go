package oidc

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// issuerCache holds one issuer's keys and discovery document and decides
// when to fetch them. Its rules (issue 3):
//   - concurrent misses share one fetch, which runs in its own goroutine
//     bounded by FetchTimeout, so a caller that gives up does not cancel it
//     for the others;
//   - keys live for the Cache-Control TTL; past it they keep serving while a
//     background refresh runs, and while refreshes fail, up to MaxStale after
//     their last successful fetch;
//   - an unknown kid waits for a refetch, at most one per RefreshInterval;
//   - after a failed fetch no token triggers another for NegativeTTL.
type issuerCache struct {
	provider Provider // URL and TLS settings this cache was built for
	o        *Options
	f        *fetcher

	keys atomic.Pointer[cachedKeys] // last good keys; nil until the first success

	mu          sync.Mutex
	inflight    *fetchCall
	lastAttempt time.Time // start of the latest fetch
	lastErr     error     // outcome of the latest finished fetch
	failures    int       // failed fetches since the last warning
	lastWarning time.Time

	// disc is read and written only by the fetch goroutine; inflight
	// (set and cleared under mu) orders successive fetches.
	disc *discovery
}

type cachedKeys struct {
	set     *keySet
	fetched time.Time
	expires time.Time
}

// fetchCall is one shared fetch; err is written before done is closed.
type fetchCall struct {
	done chan struct{}
	err  error
}

func newIssuerCache(p *Provider, o *Options) *issuerCache {
	return &issuerCache{
		provider: Provider{
			URL:         p.URL,
			Thumbprints: slices.Clone(p.Thumbprints),
			CABundle:    bytes.Clone(p.CABundle),
		},
		o: o,
		f: newFetcher(p, o),
	}
}

// serves reports whether the cache was built for p's URL and TLS settings.
func (c *issuerCache) serves(p *Provider) bool {
	return c.provider.URL == p.URL && slices.Equal(c.provider.Thumbprints, p.Thumbprints) &&
		bytes.Equal(c.provider.CABundle, p.CABundle)
}

// keysFor returns the keys that may verify a token with header h: with a
// kid, every fitting key with that kid; without, the single fitting key.
func (c *issuerCache) keysFor(ctx context.Context, h header) ([]*publicKey, error) {
	now := c.o.Now()
	ck := c.keys.Load()
	if ck == nil || now.Sub(ck.fetched) > c.o.MaxStale {
		return c.fetchAndSelect(ctx, h, ck != nil)
	}
	outcome := CacheHit
	if !now.Before(ck.expires) {
		outcome = c.refreshInBackground(now)
	}
	cands, err := pick(ck.set, h)
	if err != nil || len(cands) > 0 {
		c.o.Observer.Lookup(c.provider.URL, outcome)
		return cands, err
	}
	return c.refetchForUnknownKid(ctx, h, now)
}

// pick returns the keys of ks that may verify a token with header h, none
// when a refetch might help, and an error for a kid-less token that more
// than one key fits (a refetch cannot resolve that).
func pick(ks *keySet, h header) ([]*publicKey, error) {
	cands := ks.candidates(h)
	if !h.hasKid && len(cands) > 1 {
		return nil, fail(ErrSignature, "token has no kid and %d keys fit %s", len(cands), h.alg.name)
	}
	return cands, nil
}

// refreshInBackground starts a refresh of expired keys unless one is running
// or the last one failed less than NegativeTTL ago. It reports whether the
// keys are being served stale while refreshes fail.
func (c *issuerCache) refreshInBackground(now time.Time) CacheOutcome {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inflight == nil && !c.negativelyCached(now) {
		c.startFetch(now)
	}
	if c.lastErr != nil {
		return CacheStale
	}
	return CacheHit
}

// refetchForUnknownKid handles a kid (or kid-less algorithm) that the
// cached keys do not cover: join a running fetch, or start one if the last
// started at least RefreshInterval ago, then look again.
func (c *issuerCache) refetchForUnknownKid(ctx context.Context, h header, now time.Time) ([]*publicKey, error) {
	c.mu.Lock()
	call := c.inflight
	if call == nil {
		if wait := c.lastAttempt.Add(c.o.RefreshInterval).Sub(now); wait > 0 {
			lastErr := c.lastErr
			c.mu.Unlock()
			if lastErr != nil {
				// The latest fetch failed: the kid may well be in the JWKS that could not
				// be read, so the token is not to blame (issue 12, defect 3).
				c.o.Observer.Lookup(c.provider.URL, CacheUnavailable)
				return nil, c.outage(lastErr, h)
			}
			c.o.Observer.Lookup(c.provider.URL, CacheThrottled)
			return nil, fail(ErrSignature, "%s is not in the issuer's JWKS (next refetch allowed in %s)", describeKey(h), wait.Round(time.Millisecond))
		}
		call = c.startFetch(now)
	}
	c.mu.Unlock()
	return c.awaitAndSelect(ctx, call, h)
}

// fetchAndSelect serves a cold cache, or one older than MaxStale: the token
// must wait for keys, unless the last fetch failed under NegativeTTL ago.
func (c *issuerCache) fetchAndSelect(ctx context.Context, h header, expired bool) ([]*publicKey, error) {
	now := c.o.Now()
	c.mu.Lock()
	call := c.inflight
	if call == nil && c.negativelyCached(now) {
		err := c.lastErr
		c.mu.Unlock()
		c.o.Observer.Lookup(c.provider.URL, CacheUnavailable)
		return nil, c.unavailable(err, expired)
	}
	if call == nil {
		call = c.startFetch(now)
	}
	c.mu.Unlock()
	return c.awaitAndSelect(ctx, call, h)
}

// awaitAndSelect waits for call (or ctx) and selects from the keys it left.
func (c *issuerCache) awaitAndSelect(ctx context.Context, call *fetchCall, h header) ([]*publicKey, error) {
	select {
	case <-call.done:
	case <-ctx.Done():
		c.o.Observer.Lookup(c.provider.URL, CacheUnavailable)
		return nil, &Error{Kind: ErrKeysUnavailable, Reason: "gave up waiting for the JWKS: " + ctx.Err().Error(), Err: ctx.Err()}
	}
	ck := c.keys.Load()
	if call.err != nil {
		// Even with older keys still usable this is the IdP's failure: the
		// kid may be in the JWKS that could not be read.
		c.o.Observer.Lookup(c.provider.URL, CacheUnavailable)
		if ck != nil && c.o.Now().Sub(ck.fetched) <= c.o.MaxStale {
			return nil, c.outage(call.err, h)
		}
		return nil, c.unavailable(call.err, ck != nil)
	}
	c.o.Observer.Lookup(c.provider.URL, CacheFetched)
	cands, err := pick(ck.set, h)
	if err == nil && len(cands) == 0 {
		err = fail(ErrSignature, "%s is not in the issuer's JWKS, even after a refetch", describeKey(h))
	}
	return cands, err
}

// describeKey names the key a token asks for, for a Reason.
func describeKey(h header) string {
	if h.hasKid {
		return "kid " + excerpt(h.kid)
	}
	return "a key for " + h.alg.name + " (the token has no kid)"
}

// unavailable turns a fetch failure into the error a token gets.
func (c *issuerCache) unavailable(err error, tooOld bool) error {
	var e *Error
	if !errors.As(err, &e) {
		e = &Error{Kind: ErrKeysUnavailable, Reason: err.Error(), Err: err}
	}
	out := *e
	if tooOld {
		out.Reason = "last good keys are older than " + c.o.MaxStale.String() + "; " + out.Reason
	}
	return &out
}

// outage is the error of a token whose key the last good keys lack while the
// issuer's JWKS cannot be fetched: ErrKeysUnavailable, whose reason says both.
func (c *issuerCache) outage(err error, h header) error {
	e := c.unavailable(err, false).(*Error)
	e.Reason = describeKey(h) + " is not among the last good keys, and the issuer's keys could not be fetched to look for it: " + e.Reason
	return e
}

// negativelyCached reports whether the last fetch failed under NegativeTTL
// ago. Callers hold mu.
func (c *issuerCache) negativelyCached(now time.Time) bool {
	return c.lastErr != nil && now.Sub(c.lastAttempt) < c.o.NegativeTTL
}

// startFetch launches a shared fetch. Callers hold mu and have checked that
// none is in flight.
func (c *issuerCache) startFetch(now time.Time) *fetchCall {
	call := &fetchCall{done: make(chan struct{})}
	c.inflight = call
	c.lastAttempt = now
	go c.runFetch(call)
	return call
}

func (c *issuerCache) runFetch(call *fetchCall) {
	ctx, cancel := context.WithTimeout(context.Background(), c.o.FetchTimeout)
	var reports []fetchReport
	ck, err := c.fetch(ctx, &reports)
	cancel()
	if err == nil {
		c.keys.Store(ck)
	}
	c.mu.Lock()
	c.inflight = nil
	c.lastErr = err
	c.logOutcome(err, ck)
	call.err = err
	c.mu.Unlock()
	// Reported once the cache reflects the outcome, so an Observer (or a
	// test) that sees the event sees its effect too.
	for _, r := range reports {
		c.o.Observer.Fetched(c.provider.URL, r.resource, r.err, r.elapsed)
	}
	close(call.done)
}

// fetchReport is one fetch for the Observer; elapsed is wall time, not the
// injected clock, because it measures the IdP.
type fetchReport struct {
	resource Resource
	err      error
	elapsed  time.Duration
}

// fetch refreshes discovery when it is due, then the JWKS. Discovery past
// its TTL that cannot be refetched is used as is while it is younger than
// MaxStale; a JWKS failure makes discovery due again, in case jwks_uri moved.
func (c *issuerCache) fetch(ctx context.Context, reports *[]fetchReport) (*cachedKeys, error) {
	now := c.o.Now()
	if c.disc == nil || !now.Before(c.disc.expires) {
		start := time.Now()
		d, err := c.f.fetchDiscovery(ctx)
		*reports = append(*reports, fetchReport{ResourceDiscovery, err, time.Since(start)})
		switch {
		case err == nil:
			c.disc = d
		case c.disc == nil || now.Sub(c.disc.fetched) > c.o.MaxStale:
			return nil, err
		}
	}
	start := time.Now()
	ks, ttl, err := c.f.fetchJWKS(ctx, c.disc.jwksURI)
	*reports = append(*reports, fetchReport{ResourceJWKS, err, time.Since(start)})
	if err != nil {
		c.disc.expires = now
		return nil, err
	}
	for _, s := range ks.skipped {
		c.o.Logger.Debug("oidc: JWKS key ignored", slog.String("issuer", c.provider.URL), slog.String("why", s))
	}
	now = c.o.Now()
	return &cachedKeys{set: ks, fetched: now, expires: now.Add(ttl)}, nil
}

// logOutcome warns about failures at most once per failureLogInterval and
// notes the recovery. Callers hold mu.
func (c *issuerCache) logOutcome(err error, ck *cachedKeys) {
	now := c.o.Now()
	if err == nil {
		if c.failures > 0 || !c.lastWarning.IsZero() {
			c.o.Logger.Info("oidc: keys refreshed after failures", slog.String("issuer", c.provider.URL),
				slog.Int("keys", len(ck.set.keys)))
		}
		c.failures, c.lastWarning = 0, time.Time{}
		return
	}
	c.failures++
	if !c.lastWarning.IsZero() && now.Sub(c.lastWarning) < failureLogInterval {
		return
	}
	attrs := []any{slog.String("issuer", c.provider.URL), slog.String("error", err.Error()),
		slog.Int("failures", c.failures)}
	if last := c.keys.Load(); last != nil {
		attrs = append(attrs, slog.Duration("serving_keys_aged", now.Sub(last.fetched)))
	}
	c.o.Logger.Warn("oidc: key refresh failed", attrs...)
	c.failures, c.lastWarning = 0, now
}
