// Package storetest owns the conformance suite of store.Store: every
// implementation's test calls Run (and the benchmarks and fuzz target here)
// on its own backend, so that SQLite and, later, PostgreSQL are held to one
// contract. It must not know about any implementation: it reaches a backend
// only through the Opener it is given.
//
// The suite checks each method's contract (ErrNotFound, ErrExists,
// ErrConflict, ErrInvalid; ordering; case-insensitive names; tag order;
// time precision), the generation counter, atomicity under concurrency
// (parallel creates of one name: exactly one wins; no lost update; admit
// limits hold; snapshots are consistent while writers run), and persistence
// across a close and reopen of the same location.
//
// Outage wraps any store with a switch that makes it unreachable (every call fails with
// store.ErrUnavailable and is counted), for tests of what goes on during a database outage.
package storetest
