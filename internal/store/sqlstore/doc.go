// Package sqlstore owns the SQL implementation of store.Store: the schema, its
// versioned migrations and the queries, today on SQLite (modernc.org/sqlite, a
// pure-Go driver, so the binary stays static). It must not know about AWS
// rules: it stores what the domain hands it and enforces only keys,
// uniqueness, references and atomicity.
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
// transaction at Open; the schema_migrations table records each version. Open
// refuses (*SchemaError) a database whose version is newer than the binary's.
//
// # Tests
//
// sqlstore_test.go runs the storetest conformance suite on a temporary file,
// plus the migration tests. Benchmarks: go test -run '^$' -bench . ./internal/store/sqlstore.
// The fuzz target FuzzRoleRoundTrip checks that every storable text comes
// back byte for byte; run it longer with
// go test -run '^$' -fuzz FuzzRoleRoundTrip -fuzztime 10m ./internal/store/sqlstore.
package sqlstore
