package server

import (
	"context"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
)

// Recorder receives decision records; *audit.Log and *decisionlog.Trail are ones.
type Recorder interface {
	// Append records rec, which the caller does not change afterwards. It must not wait
	// on anything remote: it runs on the request path. An error means the record may be
	// lost; the caller logs it and answers the request anyway.
	Append(rec *audit.Record) error
}

// Finder looks decision records up by request id; *audit.Log and *decisionlog.Trail are
// ones.
type Finder interface {
	// Find returns the newest record with the request id; an error wrapping
	// audit.ErrNotFound when none is recorded, one wrapping store.ErrUnavailable when the
	// shared decision log cannot be read now (retry). Safe for concurrent use.
	Find(ctx context.Context, requestID string) (*audit.Record, error)
}

// Lister lists decision records with a filter; *decisionlog.Trail is one.
type Lister interface {
	// List returns the records f selects, newest first, each with its place in the log;
	// an error wrapping store.ErrUnavailable when the log cannot be read now.
	List(ctx context.Context, f store.DecisionFilter) ([]decisionlog.Listed, error)
}
