package localfs

import (
	"fmt"
	"os"
	"path/filepath"
)

const lockFile = "LOCK"

func openLockFile(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("localfs: open lock file: %w", err)
	}
	return f, nil
}
