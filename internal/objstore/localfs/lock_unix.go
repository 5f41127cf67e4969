//go:build unix

package localfs

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

const lockFile = "LOCK"

// lockDir takes an exclusive advisory lock on dir, held until the returned
// file is closed (or the process dies), so two processes never share a
// backend directory.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localfs: open lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("localfs: %q is in use by another process: %w", dir, err)
	}
	return f, nil
}
