// Package store owns inkan's persistence contract: the records that make up the
// configuration (OIDC providers, roles, inline and managed policies and their
// attachments, session sealing keys, bucket policies), the interfaces that keep
// them, and the sentinel errors every implementation returns. It must not know
// about SQL, about AWS validation rules, or about sessions: the store holds
// configuration and keys only, never per-session state.
//
// The split of duties is deliberate. The domain (internal/iam) validates names,
// documents and limits and decides what AWS would answer; a Store enforces
// identity and uniqueness (keys, case-insensitive role and managed-policy
// names), referential integrity, and the atomicity of every call. Each write is
// one transaction; read-modify-write goes through the Update* methods, which run
// the caller's function inside that transaction.
//
// Conventions that hold for every implementation, checked by the conformance
// suite in package storetest:
//
//   - Errors wrap ErrNotFound, ErrExists, ErrConflict or ErrInvalid; test them
//     with errors.Is. An error returned by a caller's function (Update*, admit)
//     comes back unchanged and nothing is written.
//   - Times are kept to the microsecond (truncated) and come back in UTC; the
//     zero time comes back as the zero time.
//   - Tags come back sorted by Key (byte order), whatever order they were
//     written in, because AWS lists tags sorted by key. Every other list
//     inside a record (client IDs, thumbprints, claim tags) keeps the order it
//     was written in. Empty lists come back nil. List* methods document their
//     own order.
//   - Text must be valid UTF-8 without NUL bytes, so that every backend
//     (PostgreSQL included) stores it byte for byte; Check reports the rest.
//   - Every method is safe for concurrent use, by goroutines and by processes
//     sharing the database.
package store
