package awsclient

import (
	"context"
	"math/rand/v2"
	"time"
)

// Retry defaults: configure-aws-credentials' base delay, and fewer attempts than its 12
// because only retryable failures are retried here (it retries everything).
const (
	DefaultMaxAttempts = 6
	DefaultBaseDelay   = 50 * time.Millisecond
)

// Retry is a full-jitter exponential backoff policy: before retry n (0 for the first
// retry) it waits random()·2ⁿ·Base, the rule of aws-actions/configure-aws-credentials'
// retryAndBackoff. The zero value is the default policy.
type Retry struct {
	// MaxAttempts counts the first attempt; 0 means DefaultMaxAttempts and 1 disables
	// retries.
	MaxAttempts int
	// Base is the delay unit; 0 means DefaultBaseDelay.
	Base time.Duration
	// Rand returns a number in [0, 1); nil means math/rand/v2's Float64.
	Rand func() float64
	// Sleep waits d or until ctx ends, returning ctx's error then; nil means a timer.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Delay returns the wait before retry n (n ≥ 0): random()·2ⁿ·Base.
func (r Retry) Delay(n int) time.Duration {
	base := r.Base
	if base <= 0 {
		base = DefaultBaseDelay
	}
	random := r.Rand
	if random == nil {
		random = rand.Float64
	}
	n = min(max(n, 0), 30)
	return time.Duration(random() * float64(base<<n))
}

// Do calls call until it succeeds, returns an error retryable rejects, ctx ends, or the
// attempts are spent, and returns call's last error (or ctx's error, if ctx ended while
// waiting). call receives ctx unchanged.
func (r Retry) Do(ctx context.Context, retryable func(error) bool, call func(context.Context) error) error {
	attempts := r.MaxAttempts
	if attempts <= 0 {
		attempts = DefaultMaxAttempts
	}
	sleep := r.Sleep
	if sleep == nil {
		sleep = sleepContext
	}
	var err error
	for n := 0; n < attempts; n++ {
		if n > 0 {
			if serr := sleep(ctx, r.Delay(n-1)); serr != nil {
				return serr
			}
		}
		if err = call(ctx); err == nil || !retryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
