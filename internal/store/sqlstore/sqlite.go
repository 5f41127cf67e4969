package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/inkan-dev/inkan/internal/store"
)

// busyTimeoutMillis bounds how long a connection waits for a lock held by
// another process on the same file before failing.
const busyTimeoutMillis = 10000

// sqliteDialect is the SQLite dialect. Writes are serialised by the single writer
// connection, whose transactions begin IMMEDIATE, and the migration with them.
var sqliteDialect = dialect{
	name:        "sqlite",
	migrations:  "migrations/sqlite",
	readOptions: sql.TxOptions{ReadOnly: true},
}

// Open opens the SQLite database at path, creating it (mode 0600) if it does
// not exist, and applies the embedded migrations it lacks in one transaction.
// It fails with *SchemaError if the database was written by a newer inkan.
// The caller must Close the Store.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlstore: open: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %q: %w", path, err)
	}
	if err := createPrivate(abs); err != nil {
		return nil, fmt.Errorf("sqlstore: open %q: %w", path, err)
	}
	s, err := openPools(ctx, abs)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %q: %w", path, err)
	}
	return s, nil
}

// createPrivate creates the database file readable by its owner only, before
// SQLite would create it with the process umask; SQLite gives the -wal and
// -shm files the same mode as the database file.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	return f.Close()
}

func openPools(ctx context.Context, path string) (*Store, error) {
	w, err := sql.Open("sqlite", dsn(path, url.Values{
		"_pragma": {"journal_mode(WAL)", "synchronous(FULL)"},
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", dsn(path, url.Values{"_pragma": {"query_only(1)"}}))
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	n := max(4, runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxLifetime(0)
	return newStore(ctx, w, r, sqliteDialect)
}

// dsn builds a file: URI for path, so that any character in it is escaped,
// with the settings every connection shares plus extra.
func dsn(path string, extra url.Values) string {
	q := url.Values{"_pragma": {fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis), "foreign_keys(1)"}}
	for k, vs := range extra {
		q[k] = append(q[k], vs...)
	}
	u := url.URL{Scheme: "file", Path: path, RawQuery: q.Encode()}
	return u.String()
}

// classifySQLite maps a SQLite constraint violation to the store error it
// means, keeping the driver's message (it names tables and columns, never
// values), and a full disk to ErrUnavailable; ok is false for an error that
// is not SQLite's.
func classifySQLite(err error) (_ error, ok bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err, false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return fmt.Errorf("%w (%v)", store.ErrExists, err), true
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return fmt.Errorf("%w (%v)", store.ErrConflict, err), true
	}
	if se.Code()&0xff == sqlite3.SQLITE_FULL || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		// The disk the database is on has no room: transient (the write succeeds once
		// space is freed), as PostgreSQL's disk_full (SQLSTATE 53100) is; nothing was
		// written. The file's path stays out of the message.
		return fmt.Errorf("%w: the database's disk is full", store.ErrUnavailable), true
	}
	return err, true
}
