// Package pgtest starts throwaway PostgreSQL clusters for tests, so that every test that needs
// a real PostgreSQL starts it the same way. It owns the cluster's processes and temporary
// directory and nothing else: it must not know about inkan's schema or stores.
//
// A cluster is initialised with initdb in a temporary directory and its postgres server runs
// as a child of the test process on a free loopback TCP port, with password (SCRAM) login so
// that the password handling of clients is exercised. When the test process runs as root the
// server runs as the unprivileged postgres user (initdb refuses root). The server is started
// with a parent-death signal, so it stops even when the test binary is killed.
//
// Most tests share one cluster per test package: Database returns the URL of a fresh
// database in it, started lazily on first use. A package's TestMain calls Main so that the
// shared cluster is stopped and removed when the package's tests end. Tests that stop and
// restart PostgreSQL (outages) start a cluster of their own with Start, whose Stop and Start
// keep the port and the data.
//
// Without PostgreSQL's server binaries (initdb in PATH or /usr/lib/postgresql/*/bin) tests
// are skipped, unless the CI environment variable is set, when they fail.
package pgtest
