// Package objstoretest owns the conformance suite of objstore.Backend: every
// backend's tests call Run, which checks the contract's observable behaviour
// (errors, atomicity, the read-error rule, listing order and pagination,
// multipart assembly, concurrent writers). It must not know how any backend
// stores anything; backend-specific properties (durability across a crash,
// files left on disk) are tested beside each backend.
package objstoretest
