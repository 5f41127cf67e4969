package cli

import (
	"path/filepath"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/devidp"
)

// openDevKeys opens the test identity provider's keys. With a store that several nodes
// share they live in it (blob devidp-keys), so that a token minted by any node verifies on
// every node and a rotation on one is seen by all; with the embedded SQLite store they stay
// in <data-dir>/devidp, where `inkan idp token`, `rotate-keys` and `keys` read them.
func (a *app) openDevKeys(blobs devidp.Blobs, shared bool) (*devidp.KeySet, error) {
	if shared {
		return devidp.OpenSharedKeySet(blobs, devidp.KeySetOptions{})
	}
	return devidp.OpenKeySet(filepath.Join(a.cfg.DataDir, "devidp"), devidp.KeySetOptions{})
}

// sharedStore reports whether the configured store may be shared by several nodes: a
// PostgreSQL store is; the embedded SQLite store is this data directory's file.
func sharedStore(cfg config.Config) bool { return cfg.IsPostgres() }
