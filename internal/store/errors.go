package store

import "errors"

// The sentinel errors of the contract. Implementations wrap them with the kind
// and key of the record concerned ("role \"deploy\": not found"); callers test
// them with errors.Is. A message never carries a document, a secret or a
// sealing key's bytes.
var (
	// ErrNotFound: the record named, or the record it depends on, does not exist.
	ErrNotFound = errors.New("not found")
	// ErrExists: a record with the same key or unique name already exists.
	ErrExists = errors.New("already exists")
	// ErrConflict: the record is still in use (a managed policy still attached,
	// a role that still has inline or attached policies when deleted with
	// Restrict).
	ErrConflict = errors.New("in use")
	// ErrInvalid: the record breaks a rule the store itself enforces: an empty
	// key, text that is not storable, a changed identity field in an Update*,
	// a sealing key of the wrong length.
	ErrInvalid = errors.New("invalid record")
)
