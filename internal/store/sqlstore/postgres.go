package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// The waits a PostgreSQL store bounds unless the connection string sets them.
const (
	// connectTimeout bounds establishing one connection.
	connectTimeout = 5 * time.Second
	// statementTimeout bounds one statement on the server, lock waits
	// included (a configuration write waiting for another's generation lock).
	statementTimeout = "15s"
	// idleInTransactionTimeout ends the session of a node that stopped in the
	// middle of a transaction, releasing the generation lock it may hold.
	idleInTransactionTimeout = "30s"
)

// postgresDialect is the PostgreSQL dialect. The migration takes a
// transaction-scoped advisory lock (the key is "inkan" in ASCII), so that N
// nodes starting at once on an empty database migrate it exactly once;
// snapshots read at REPEATABLE READ; configuration writes NOTIFY inkan_config.
var postgresDialect = dialect{
	name:          "postgres",
	migrations:    "migrations/postgres",
	migrationLock: `SELECT pg_advisory_xact_lock(452824835694)`,
	readOptions:   sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	notify:        `SELECT pg_notify('` + notifyChannel + `', $1)`,
}

// PostgresOptions are the settings of OpenPostgres beyond the connection string.
type PostgresOptions struct {
	// Password, when not empty, is the password to log in with, in place of
	// one in the connection string or PGPASSWORD (read from a file by the
	// caller). It is never logged.
	Password string
	// Logger receives the listening connection's losses and recoveries; nil
	// discards them.
	Logger *slog.Logger
}

// OpenPostgres opens the PostgreSQL database that dsn names (a postgres:// or
// postgresql:// URL, or key=value pairs, as libpq reads them; PG* environment
// variables fill in what it leaves out) and applies the migrations it lacks,
// under an advisory lock. It fails with *SchemaError if the database was
// written by a newer inkan, and with an error wrapping store.ErrUnavailable
// if the server cannot be reached. Its errors do not name the database:
// callers that log which one use RedactDSN.
// The caller must Close the Store.
//
// One Store keeps a pool of at most max(4, CPUs) connections (pool_max_conns
// in the URL changes it), shared by reads and writes, plus one connection for
// LISTEN once Changes is called.
func OpenPostgres(ctx context.Context, dsn string, opts PostgresOptions) (*Store, error) {
	cfg, err := postgresConfig(dsn, opts.Password)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open PostgreSQL store: %w", classify(err))
	}
	db := stdlib.OpenDBFromPool(pool)
	// The pool has no other users: database/sql may keep its connections
	// idle, and with them their prepared statements.
	n := int(cfg.MaxConns)
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxIdleTime(5 * time.Minute)
	closePool := func() error { pool.Close(); return nil }
	s, err := newStore(ctx, db, db, postgresDialect, closePool)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open PostgreSQL store: %w", err)
	}
	listenCfg := cfg.ConnConfig.Copy()
	s.listener = newListener(func(ctx context.Context) (*pgx.Conn, error) {
		return pgx.ConnectConfig(ctx, listenCfg)
	}, &s.changes, opts.Logger)
	return s, nil
}

// postgresConfig parses dsn and applies the store's defaults and password.
// pgx's own parse errors may quote the connection string: they are replaced.
func postgresConfig(dsn, password string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: not a valid PostgreSQL connection string", RedactDSN(dsn))
	}
	cc := cfg.ConnConfig
	if password != "" {
		cc.Password = password
	}
	if cc.ConnectTimeout == 0 {
		cc.ConnectTimeout = connectTimeout
	}
	for k, v := range map[string]string{
		"application_name":                    "inkan",
		"statement_timeout":                   statementTimeout,
		"idle_in_transaction_session_timeout": idleInTransactionTimeout,
	} {
		if _, set := cc.RuntimeParams[k]; !set {
			cc.RuntimeParams[k] = v
		}
	}
	return cfg, nil
}

// IsPostgres reports whether location names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than a SQLite file.
func IsPostgres(location string) bool {
	scheme, _, ok := strings.Cut(location, "://")
	return ok && (strings.EqualFold(scheme, "postgres") || strings.EqualFold(scheme, "postgresql"))
}

// OpenLocation opens the store at location: PostgreSQL for a postgres:// or
// postgresql:// URL (see OpenPostgres), otherwise the SQLite file at that path.
func OpenLocation(ctx context.Context, location string, opts PostgresOptions) (*Store, error) {
	if IsPostgres(location) {
		return OpenPostgres(ctx, location, opts)
	}
	if opts.Password != "" {
		return nil, errors.New("sqlstore: a password is for a PostgreSQL store, not a SQLite file")
	}
	return Open(ctx, location)
}
