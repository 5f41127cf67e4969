package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sync"

	"github.com/inkan-dev/inkan/internal/store"
)

// Store is store.Store on a SQL database, SQLite or PostgreSQL. Create it with
// Open (SQLite) or OpenPostgres.
type Store struct {
	w *sql.DB // configuration and data writes
	r *sql.DB // reads (on PostgreSQL, the same pool as w)

	dialect dialect

	// prepared holds the reads that are hot enough for parsing to matter
	// (about half of an unprepared GetRole), prepared on r.
	prepared struct{ getRole, generation *sql.Stmt }

	changes  hub       // subscribers of Changes
	listener *listener // PostgreSQL's LISTEN connection; nil on SQLite
	closers  []func() error

	closeOnce sync.Once
	closeErr  error
}

var (
	_ store.Store    = (*Store)(nil)
	_ store.Notifier = (*Store)(nil)
)

// dialect is what differs between the SQL databases besides their DDL.
type dialect struct {
	name string
	// migrations is the directory of the dialect's migrations in migrationFiles.
	migrations string
	// migrationLock, if not empty, is run first in the migration transaction
	// to serialise processes migrating one database at once.
	migrationLock string
	// readOptions begin every read transaction (Snapshot's included).
	readOptions sql.TxOptions
	// notify, if not empty, is run with the new generation as $1 inside
	// every configuration write, to announce it to other processes.
	notify string
}

// newStore migrates the database through w, prepares the hot reads on r and
// returns the Store; on failure it runs closers.
func newStore(ctx context.Context, w, r *sql.DB, d dialect, closers ...func() error) (*Store, error) {
	s := &Store{w: w, r: r, dialect: d, closers: closers}
	if err := migrate(ctx, w, d); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	if err := s.prepare(ctx); err != nil {
		return nil, errors.Join(classify(err), s.Close())
	}
	return s, nil
}

func (s *Store) prepare(ctx context.Context) error {
	var err error
	if s.prepared.getRole, err = s.r.PrepareContext(ctx, getRoleQuery); err != nil {
		return err
	}
	s.prepared.generation, err = s.r.PrepareContext(ctx, generationQuery)
	return err
}

// Changes announces configuration writes; see store.Notifier. On PostgreSQL
// it announces the writes of every process sharing the database (LISTEN/NOTIFY
// on one dedicated connection, opened on the first call); on SQLite only those
// made through this Store, so that other processes must poll Generation.
func (s *Store) Changes(ctx context.Context) <-chan struct{} {
	ch := s.changes.subscribe(ctx)
	if s.listener != nil {
		s.listener.start()
	}
	return ch
}

// Close stops the listener and closes the prepared statements and the
// connection pools. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		if s.listener != nil {
			s.listener.stop()
		}
		var errs []error
		for _, st := range []*sql.Stmt{s.prepared.getRole, s.prepared.generation} {
			if st != nil {
				errs = append(errs, st.Close())
			}
		}
		errs = append(errs, s.w.Close())
		if s.r != s.w {
			errs = append(errs, s.r.Close())
		}
		for _, c := range s.closers {
			errs = append(errs, c())
		}
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// classify maps a driver's error to the store error it means, once, whichever
// the dialect: constraint violations to ErrExists or ErrConflict, a lost or
// unreachable server and timeouts to ErrUnavailable. Other errors, sql.ErrNoRows
// and the caller's own among them, pass unchanged. Classifying twice is the
// same as once.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if c, ok := classifySQLite(err); ok {
		return c
	}
	return classifyPostgres(err)
}

// hub fans announcements out to the subscribers of Changes, coalescing: a
// subscriber that has not read the last one gets no second.
type hub struct {
	mu   sync.Mutex
	subs map[chan struct{}]struct{}
}

// subscribe returns a channel that receives announcements until ctx ends,
// when it is closed.
func (h *hub) subscribe(ctx context.Context) <-chan struct{} {
	ch := make(chan struct{}, 1)
	h.mu.Lock()
	if h.subs == nil {
		h.subs = make(map[chan struct{}]struct{})
	}
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	context.AfterFunc(ctx, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
		close(ch)
	})
	return ch
}

// announce sends to every subscriber that has no announcement waiting.
func (h *hub) announce() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
