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

// startWriteback asks the kernel to start writing [off, off+n) of f to disk
// without waiting, so that the final fdatasync of a large file finds most
// of it written already and the disk works while the body is still hashed.
func startWriteback(f *os.File, off, n int64) {
	const syncFileRangeWrite = 2 // SYNC_FILE_RANGE_WRITE
	_ = syscall.SyncFileRange(int(f.Fd()), off, n, syncFileRangeWrite)
}
