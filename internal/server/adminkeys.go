package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/inkan-dev/inkan/internal/store"
)

// KeyRotator rotates the master keys of objects encrypted at rest; *sse.Keyring is one.
type KeyRotator interface {
	// Rotate adds a master key that seals every new object's data key; the older keys
	// keep opening what they sealed. It returns the new key's ID.
	Rotate(ctx context.Context) (string, error)
}

// WithEncryptionKeys serves POST /_inkan/v1/encryption-keys/rotate (root only), the
// object-encryption counterpart of the sealing-key rotation.
func (a *Admin) WithEncryptionKeys(k KeyRotator) *Admin {
	a.mux.HandleFunc("POST /_inkan/v1/encryption-keys/rotate", func(w http.ResponseWriter, r *http.Request) {
		if !a.caller(w, r, "") {
			return
		}
		id, err := k.Rotate(r.Context())
		switch {
		case err == nil:
			writeAdminJSON(w, http.StatusOK, map[string]string{"status": "rotated", "keyId": id})
		case errors.Is(err, store.ErrUnavailable):
			writeAdminJSON(w, http.StatusServiceUnavailable, adminError{"ServiceUnavailable", "the store is unreachable; try again"})
		default:
			writeAdminJSON(w, http.StatusInternalServerError, adminError{"InternalError", "rotating the encryption keys failed"})
		}
	})
	return a
}
