package localfs

import (
	"errors"
	"fmt"
	"syscall"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// storageFull marks err with objstore.ErrStorageFull when it is a write that
// ran out of room: a data file's ENOSPC or EDQUOT, or SQLite's "database or
// disk is full". Other errors are returned as they are. It is applied where
// every data file and every index write ends (blobStore.write, index.submit),
// so each operation that stores something reports a full disk the same way.
func storageFull(err error) error {
	if err == nil || errors.Is(err, objstore.ErrStorageFull) {
		return err
	}
	var se *sqlite.Error
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) ||
		errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_FULL {
		return fmt.Errorf("%w: %w", objstore.ErrStorageFull, err)
	}
	return err
}
