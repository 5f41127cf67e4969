// Package sqlstore owns the SQL implementation of store.Store: the schema, its
// versioned migrations and the queries, in two dialects: SQLite
// (modernc.org/sqlite, a pure-Go driver, so the binary stays static) for one
// node, and PostgreSQL (github.com/jackc/pgx/v5) for many nodes sharing one
// database. It must not know about AWS rules: it stores what the domain hands
// it and enforces only keys, uniqueness, references and atomicity.
//
// # SQLite
//
// Open keeps two connection pools on one database file in WAL mode: a single
// writer connection, whose transactions begin IMMEDIATE so that writes queue
// in Go instead of failing with SQLITE_BUSY, and a pool of read-only
// connections that WAL lets run beside the writer. Snapshot is one read
// transaction, hence one consistent view. Foreign keys are on, synchronous is
// FULL (writes are rare configuration changes and must survive power loss),
// the busy timeout covers other processes that open the same file. The file
// is created with mode 0600: it holds the session sealing keys.
//
// # PostgreSQL
//
// OpenPostgres opens a pgxpool and runs the same database/sql queries on it
// through pgx's stdlib adapter (OpenDBFromPool), so that reads and writes
// share one pool of at most max(4, CPUs) connections. Each connection has a
// 5 s connect timeout and, unless the connection string sets them, a 15 s
// statement_timeout and a 30 s idle_in_transaction_session_timeout, so that no
// wait is unbounded and a node stopped mid-transaction releases its locks.
//
// Every configuration write first increases the one-row generation table:
// its row lock serialises configuration writers across all nodes (they are
// rare), so that the read-modify-write of the Update* methods and the admit
// functions see every earlier write under READ COMMITTED. Blob and decision
// writes do not take it. Snapshot is one REPEATABLE READ, read-only
// transaction, hence one consistent view. Every text column is COLLATE "C",
// so that ORDER BY sorts byte by byte as SQLite does.
//
// Every configuration write also runs pg_notify('inkan_config', generation)
// in its transaction, delivered at commit. The Store implements
// store.Notifier: Changes keeps one dedicated connection LISTENing (opened on
// the first call), reconnecting with a backoff capped at 5 s, and announces
// after each notification and each (re)connection, since a change may have
// been missed meanwhile.
//
// Driver errors are mapped once (classify): unique violations to
// store.ErrExists, foreign-key violations to store.ErrConflict, a server that
// cannot be reached, a dropped connection, a server shutting down and
// timeouts to store.ErrUnavailable, worded without pgx's text, which may name
// the host, the user or the database. RedactDSN masks the password of a
// connection string for logs.
//
// # Portability
//
// The queries are written once, for both SQLite and PostgreSQL: placeholders
// are $1, $2, … (PostgreSQL's form, which modernc binds by number), upserts
// use ON CONFLICT … DO UPDATE, case-insensitive names are compared through a
// name_key column holding store.FoldName(name) rather than a collation, times
// are integer microseconds and lists are JSON text. Only the DDL
// (migrations/<dialect>/NNNN_name.sql), the DSN and the mapping of driver
// errors to store errors (classify) are per dialect.
//
// # Migrations
//
// Migrations are embedded, numbered from 1 without gaps, and applied in one
// transaction at Open; the schema_migrations table records each version. On
// PostgreSQL the transaction first takes an advisory lock, so that nodes
// starting at once on an empty database migrate it exactly once. Open refuses
// (*SchemaError) a database whose version is newer than the binary's.
//
// # Tests
//
// sqlstore_test.go runs the storetest conformance suite on a temporary file,
// plus the migration tests; postgres_test.go runs the same suite and
// PostgreSQL's own tests on a throwaway cluster (internal/testsupport/pgtest),
// skipped without PostgreSQL's server binaries unless CI is set.
// Benchmarks, SQLite and PostgreSQL side by side (BenchmarkPostgres* and
// BenchmarkSnapshot10000Roles/postgres need PostgreSQL's server binaries):
// go test -run '^$' -bench . -benchtime 1s ./internal/store/sqlstore.
// The fuzz target FuzzRoleRoundTrip checks that every storable text comes
// back byte for byte; run it longer with
// go test -run '^$' -fuzz FuzzRoleRoundTrip -fuzztime 10m ./internal/store/sqlstore.
package sqlstore
