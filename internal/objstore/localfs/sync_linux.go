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

// openSpare opens the data file at path for spares.remove when it is at
// least min bytes long and its file system has at least a tenth of its space
// free; ok is false otherwise, and the caller deletes it as usual. A small
// file costs one lstat(2) more than its deletion.
func openSpare(path string, min int64) (f *os.File, size int64, ok bool) {
	fi, err := os.Lstat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < min {
		return nil, 0, false
	}
	var fs syscall.Statfs_t
	if syscall.Statfs(path, &fs) != nil || fs.Bavail < fs.Blocks/10 {
		return nil, 0, false
	}
	f, err = os.OpenFile(path, os.O_WRONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, 0, false
	}
	return f, fi.Size(), true
}
