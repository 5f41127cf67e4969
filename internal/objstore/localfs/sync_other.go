//go:build !linux

package localfs

import (
	"fmt"
	"os"
)

// syncFile makes f's data and size durable.
func syncFile(f *os.File) error {
	if err := f.Sync(); err != nil {
		return fmt.Errorf("localfs: sync data file: %w", err)
	}
	return nil
}

// startWriteback is a no-op where sync_file_range(2) does not exist.
func startWriteback(*os.File, int64, int64) {}

// openSpare keeps no spares where no reason for them is known (see spares).
func openSpare(string, int64) (*os.File, int64, bool) { return nil, 0, false }
