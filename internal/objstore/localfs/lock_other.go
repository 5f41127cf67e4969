//go:build !unix

package localfs

import "os"

// lockDir opens the lock file; without flock, keeping two processes off one
// directory is the operator's responsibility on this platform.
func lockDir(dir string) (*os.File, error) { return openLockFile(dir) }
