//go:build !unix

package localfs

import (
	"fmt"
	"os"
	"path/filepath"
)

const lockFile = "LOCK"

// lockDir opens the lock file; without flock, exclusion between processes
// is the operator's responsibility on this platform.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localfs: open lock file: %w", err)
	}
	return f, nil
}
