//go:build unix

package localfs

import (
	"fmt"
	"os"
	"syscall"
)

// lockDir takes an exclusive advisory lock on dir, held until the returned
// file is closed (or the process dies), so two processes never share a
// backend directory.
func lockDir(dir string) (*os.File, error) {
	f, err := openLockFile(dir)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("localfs: %q is in use by another process: %w", dir, err)
	}
	return f, nil
}
