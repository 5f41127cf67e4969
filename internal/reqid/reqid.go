// Package reqid owns request ids: how they are made and how a request carries its id through
// its context. It knows nothing else.
package reqid

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
)

type key struct{}

// New returns a fresh request id: 16 random bytes as an upper-case hex string with the dashes
// of a UUID, which satisfies both S3's and the query services' clients.
func New() string {
	var b [16]byte
	rand.Read(b[:])
	h := strings.ToUpper(hex.EncodeToString(b[:]))
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// With returns ctx carrying id.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the request id ctx carries, or "" when none.
func From(ctx context.Context) string {
	id, _ := ctx.Value(key{}).(string)
	return id
}

// DenialHint is what a denial's message ends with: its request id and, when the reason is
// not already in the message (operator mode), how an operator reads it.
func DenialHint(id string, reasonShown bool) string {
	if reasonShown {
		return " (request id " + id + ")"
	}
	return " (request id " + id + "; an operator can run 'inkan explain " + id + "' for the reason)"
}
