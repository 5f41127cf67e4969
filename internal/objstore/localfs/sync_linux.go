package localfs

import (
	"fmt"
	"os"
	"syscall"
)

// syncFile makes f's data and size durable. fdatasync skips the timestamp
// update fsync would also force through the journal; a data file's mtime is
// not needed to read it back.
func syncFile(f *os.File) error {
	if err := syscall.Fdatasync(int(f.Fd())); err != nil {
		return fmt.Errorf("localfs: sync data file: %w", err)
	}
	return nil
}
