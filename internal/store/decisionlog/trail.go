package decisionlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/store"
)

// Trail is a node's audit trail, a fan-out: every record goes to the local JSON-lines
// audit file (for log shipping and `inkan explain --data-dir`) and to the store's Writer
// (so that every node sharing the store can explain it). Safe for concurrent use.
type Trail struct {
	file   *audit.Log
	shared *Writer
}

// NewTrail returns the trail writing to file and shared. Closing them is the caller's.
func NewTrail(file *audit.Log, shared *Writer) *Trail {
	return &Trail{file: file, shared: shared}
}

// Append writes rec to the audit file and queues it for the store, never waiting for the
// store. The caller must not change rec afterwards. The error is the file's; the store's
// failures are the Writer's to count and log.
func (t *Trail) Append(rec *audit.Record) error {
	body, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	err = t.file.AppendEncoded(body)
	t.shared.AddEncoded(rec, body)
	return err
}

// Find returns the newest record with the request id: from the store, which holds the
// decisions of every node (this node's queue first, so a decision just made here is found
// at once), else from the local audit file (a record made before the store kept them, or
// dropped on its way there). audit.ErrNotFound if neither holds it; when the store fails
// and the file does not hold it, the store's error.
func (t *Trail) Find(ctx context.Context, requestID string) (*audit.Record, error) {
	rec, err := t.shared.Find(ctx, requestID)
	if err == nil {
		return rec, nil
	}
	local, localErr := t.file.Find(ctx, requestID)
	switch {
	case localErr == nil:
		return local, nil
	case errors.Is(err, audit.ErrNotFound):
		return nil, localErr
	}
	return nil, err
}

// List returns the records of the shared decision log that f selects, newest first; see
// Writer.List.
func (t *Trail) List(ctx context.Context, f store.DecisionFilter) ([]Listed, error) {
	return t.shared.List(ctx, f)
}
