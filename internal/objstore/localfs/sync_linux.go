package localfs

import (
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
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
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}

// dropWritten waits until [off, off+n) of f, whose writeback startWriteback
// started a window earlier, is on the disk, then drops it from the page
// cache (see sink.write for why). Neither makes anything durable: the final
// fdatasync does. Errors are ignored: the range then merely stays cached, and
// a write error surfaces at that fdatasync.
func dropWritten(f *os.File, off, n int64) {
	fd := int(f.Fd())
	_ = unix.SyncFileRange(fd, off, n, unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
	_ = unix.Fadvise(fd, off, n, unix.FADV_DONTNEED)
}
