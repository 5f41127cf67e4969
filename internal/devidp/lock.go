package devidp

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

const (
	lockFileName = "keys.lock"
	lockWait     = 10 * time.Second // how long to wait for another writer
	lockStale    = time.Minute      // a lock older than this was left by a crashed writer
	lockPoll     = 20 * time.Millisecond
)

// lockDir serialises writers of a key directory across processes with an exclusive-create
// lock file, which works on every OS and file system Go supports. It returns the unlock
// function. Writers hold the lock for the time of one key generation, well under a
// second, so a lock older than lockStale is removed as left behind by a crash.
//
// This measures real time on purpose, not the KeySet's injected clock: the lock file's
// modification time is set by the operating system.
func lockDir(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, lockFileName)
	deadline := time.Now().Add(lockWait)
	for {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err == nil {
			_ = f.Close()
			return func() { _ = os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("devidp: lock key directory: %w", err)
		}
		if info, err := os.Stat(path); err == nil && time.Since(info.ModTime()) > lockStale {
			_ = os.Remove(path)
			continue
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("devidp: key directory is locked by %s; remove it if no inkan process is writing keys", path)
		}
		time.Sleep(lockPoll)
	}
}
