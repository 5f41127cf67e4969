package decisionlog

import (
	"context"
	"errors"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// run is the writer goroutine: a batch leaves when it is full or MaxDelay after the last
// pass, retention runs every PruneInterval, and Close drains what is left.
func (w *Writer) run() {
	defer close(w.done)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-w.closing
		cancel()
	}()
	tick := time.NewTicker(w.o.MaxDelay)
	defer tick.Stop()
	var prune <-chan time.Time
	if w.o.MaxAge > 0 || w.o.MaxRecords > 0 {
		t := time.NewTicker(w.o.PruneInterval)
		defer t.Stop()
		prune = t.C
	}
	for {
		select {
		case <-w.closing:
			final, stop := context.WithTimeout(context.Background(), w.o.CloseWait)
			w.drain(final)
			stop()
			return
		case <-prune:
			w.prune(ctx)
			continue
		case <-w.wake:
		case <-tick.C:
		}
		w.drain(ctx)
	}
}

// drain writes queued records until the queue holds none of those present when it
// started, retrying with capped exponential backoff while the store fails, until ctx ends.
func (w *Writer) drain(ctx context.Context) {
	backoff := minBackoff
	for {
		batch := w.head()
		if len(batch) == 0 {
			return
		}
		err := w.write(ctx, batch)
		if err == nil {
			w.remove(len(batch))
			w.recovered()
			backoff = minBackoff
			if len(batch) < w.o.BatchSize {
				return
			}
			continue
		}
		w.failed("writing decisions to the store failed; they wait in the queue", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, w.o.MaxBackoff)
	}
}

// head returns the oldest queued records, at most one batch.
func (w *Writer) head() []store.Decision {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := min(len(w.queue), w.o.BatchSize)
	return append([]store.Decision(nil), w.queue[:n]...)
}

// remove drops the n oldest records, which are stored.
func (w *Writer) remove(n int) {
	w.mu.Lock()
	clear(w.queue[:n])
	w.queue = w.queue[n:]
	left := len(w.queue)
	if left == 0 {
		w.queue = nil
	}
	w.mu.Unlock()
	w.o.Observer.DecisionsQueued(left)
}

// write stores one batch (records that cannot be stored were dropped by Add); an error
// means nothing was stored and the batch is to be retried.
func (w *Writer) write(ctx context.Context, records []store.Decision) error {
	if len(records) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	start := time.Now()
	err := w.st.AppendDecisions(ctx, records)
	w.o.Observer.DecisionsWritten(len(records), time.Since(start), err)
	if errors.Is(err, store.ErrInvalid) {
		w.o.Logger.Error("decision records dropped: the store refused the batch", "records", len(records), "err", err)
		w.o.Observer.DecisionsDropped(len(records))
		return nil
	}
	return err
}

// prune applies retention: records older than MaxAge, then all but the newest MaxRecords.
func (w *Writer) prune(ctx context.Context) {
	var before time.Time
	if w.o.MaxAge > 0 {
		before = w.o.Now().Add(-w.o.MaxAge)
	}
	ctx, cancel := context.WithTimeout(ctx, opTimeout)
	defer cancel()
	n, err := w.st.PruneDecisions(ctx, before, w.o.MaxRecords)
	if err != nil {
		w.failed("pruning the decision log failed", err)
		return
	}
	if n > 0 {
		w.o.Logger.Debug("decision log pruned", "removed", n)
	}
}

// failed logs a store failure at most once a minute while the failures last.
func (w *Writer) failed(msg string, err error) {
	w.failures++
	now := w.o.Now()
	if w.failing && now.Sub(w.lastLog) < errorLogInterval {
		return
	}
	w.failing, w.lastLog = true, now
	w.o.Logger.Warn("decision log: "+msg, "err", err, "failures", w.failures, "queued", w.Pending())
}

// recovered logs, once, that the store accepts writes again.
func (w *Writer) recovered() {
	if !w.failing {
		return
	}
	w.o.Logger.Info("decision log: the store accepts writes again", "failures", w.failures, "queued", w.Pending())
	w.failing, w.failures = false, 0
}
