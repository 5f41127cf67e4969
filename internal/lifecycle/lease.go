package lifecycle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// leaseBlob is the blob every node of a cluster competes for before a pass.
const leaseBlob = "lifecycle-lease"

// leaseState is the blob's content: who holds the lease until when, and where the last
// pass stopped, so that the next one (on any node) goes on from there.
type leaseState struct {
	Holder  string    `json:"holder"`
	Expires time.Time `json:"expires"`
	Cursor  cursor    `json:"cursor"`
}

// cursor is where a pass that ran out of budget stopped: the bucket, the phase of its
// scan (objects, versions, uploads) and the last key (and version or upload) examined.
// The zero cursor starts at the first bucket.
type cursor struct {
	Bucket string `json:"bucket,omitempty"`
	Phase  int    `json:"phase,omitempty"`
	After  string `json:"after,omitempty"`
	// UploadID is the last upload of After examined, or the last version of After.
	UploadID string `json:"upload_id,omitempty"`
}

// lease is a held lease. Correctness never depends on it (every deletion is conditional
// on what was seen, so two nodes passing at once would only repeat work); it keeps the
// cluster from doing the work twice. A holder that dies stops renewing and its lease
// expires after the TTL.
type lease struct {
	blobs   store.Blobs
	holder  string
	ttl     time.Duration
	version int64
	state   leaseState
}

// errLeaseLost means another node took the lease over during a pass (ours had expired).
var errLeaseLost = errors.New("lifecycle: the lease was taken over by another node")

// acquireLease takes the lease for holder at now, or returns nil when another holder's
// lease has not expired yet.
func acquireLease(ctx context.Context, b store.Blobs, holder string, ttl time.Duration, now time.Time) (*lease, error) {
	l := &lease{blobs: b, holder: holder, ttl: ttl}
	data, version, err := b.GetBlob(ctx, leaseBlob)
	switch {
	case errors.Is(err, store.ErrNotFound):
		version = 0
	case err != nil:
		return nil, fmt.Errorf("lifecycle: reading the lease: %w", err)
	default:
		if err := json.Unmarshal(data, &l.state); err != nil {
			// A lease nobody can read is taken over: it would otherwise stop every pass.
			l.state = leaseState{}
		}
		if l.state.Holder != holder && l.state.Expires.After(now) {
			return nil, nil
		}
	}
	l.version = version
	if err := l.write(ctx, l.state.Cursor, now.Add(ttl)); err != nil {
		if errors.Is(err, errLeaseLost) {
			return nil, nil
		}
		return nil, err
	}
	return l, nil
}

// renew extends the lease from now and records the cursor; errLeaseLost when another
// node holds it now.
func (l *lease) renew(ctx context.Context, c cursor, now time.Time) error {
	return l.write(ctx, c, now.Add(l.ttl))
}

// release records the cursor and lets the lease go at once.
func (l *lease) release(ctx context.Context, c cursor) error {
	return l.write(ctx, c, time.Time{})
}

func (l *lease) write(ctx context.Context, c cursor, expires time.Time) error {
	st := leaseState{Holder: l.holder, Expires: expires, Cursor: c}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	v, err := l.blobs.PutBlob(ctx, leaseBlob, data, l.version)
	if errors.Is(err, store.ErrConflict) {
		return errLeaseLost
	}
	if err != nil {
		return fmt.Errorf("lifecycle: writing the lease: %w", err)
	}
	l.version, l.state = v, st
	return nil
}
