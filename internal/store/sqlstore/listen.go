package sqlstore

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// notifyChannel is the channel every configuration write NOTIFYs, with the
// new generation as payload.
const notifyChannel = "inkan_config"

// The listening connection's timing.
const (
	// The wait before reconnecting doubles from minBackoff to maxBackoff
	// while reconnecting fails.
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
	// idleCheck: a connection that delivered nothing for this long is pinged,
	// so that one lost without a word (a network partition) is replaced.
	idleCheck   = time.Minute
	pingTimeout = 5 * time.Second
)

// listener keeps one connection LISTENing on notifyChannel and announces to
// a hub every notification, and every (re)connection, since changes may have
// been missed while it was not listening.
type listener struct {
	connect func(context.Context) (*pgx.Conn, error)
	hub     *hub
	logger  *slog.Logger

	mu      sync.Mutex
	started bool
	stopped bool
	cancel  context.CancelFunc
	done    chan struct{}
}

func newListener(connect func(context.Context) (*pgx.Conn, error), h *hub, logger *slog.Logger) *listener {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &listener{connect: connect, hub: h, logger: logger}
}

// start starts listening, once; never after stop.
func (l *listener) start() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.started || l.stopped {
		return
	}
	l.started = true
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel, l.done = cancel, make(chan struct{})
	go l.run(ctx)
}

// stop ends listening and waits for the connection to close.
func (l *listener) stop() {
	l.mu.Lock()
	l.stopped = true
	cancel, done := l.cancel, l.done
	l.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// run listens until ctx ends, reconnecting with a capped backoff. It logs the
// first failure of a series and the recovery, not every attempt.
func (l *listener) run(ctx context.Context) {
	defer close(l.done)
	backoff, failing := minBackoff, false
	for ctx.Err() == nil {
		connected, err := l.session(ctx, func() {
			if failing {
				l.logger.Info("store: listening for configuration changes again")
			}
			backoff, failing = minBackoff, false
		})
		if ctx.Err() != nil {
			return
		}
		if !failing {
			l.logger.Warn("store: lost the connection listening for configuration changes; polling until it is back", "err", classify(err))
			failing = true
		}
		if connected {
			backoff = minBackoff
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// session connects, LISTENs, calls up and announces, then announces each
// notification until the connection fails or ctx ends; connected says
// whether it got as far as listening.
func (l *listener) session(ctx context.Context, up func()) (connected bool, err error) {
	conn, err := l.connect(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+notifyChannel); err != nil {
		return false, err
	}
	up()
	l.hub.announce()
	for {
		wait, cancel := context.WithTimeout(ctx, idleCheck)
		err := conn.PgConn().WaitForNotification(wait)
		cancel()
		switch {
		case err == nil:
			l.hub.announce()
		case ctx.Err() != nil:
			return true, ctx.Err()
		case errors.Is(err, context.DeadlineExceeded):
			if err := ping(ctx, conn); err != nil {
				return true, err
			}
		default:
			return true, err
		}
	}
}

func ping(ctx context.Context, conn *pgx.Conn) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	return conn.Ping(ctx)
}
