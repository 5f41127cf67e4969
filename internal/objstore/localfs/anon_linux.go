//go:build linux && (amd64 || arm64)

package localfs

import (
	"os"
	"strconv"
	"syscall"
	"unsafe"
)

// O_TMPFILE and the linkat(2) flag the syscall package does not define for
// these architectures (values from the Linux UAPI headers).
const (
	oTmpfile        = 0x400000 | syscall.O_DIRECTORY
	atFDCWD         = -0x64
	atSymlinkFollow = 0x400
)

// openAnonymous opens an unnamed file on dir's file system (open(2),
// O_TMPFILE): it disappears if it is closed, or the process dies, unlinked.
func openAnonymous(dir string) (*os.File, error) {
	fd, err := syscall.Open(dir, oTmpfile|syscall.O_WRONLY|syscall.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, &os.PathError{Op: "open O_TMPFILE", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir), nil
}

// linkAnonymous gives an O_TMPFILE file the name dst, failing if dst
// exists. It links through /proc/self/fd, which needs no privilege
// (AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).
func linkAnonymous(f *os.File, dst string) error {
	src, err := syscall.BytePtrFromString("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	if err != nil {
		return err
	}
	to, err := syscall.BytePtrFromString(dst)
	if err != nil {
		return err
	}
	fdcwd := atFDCWD
	_, _, errno := syscall.Syscall6(syscall.SYS_LINKAT, uintptr(fdcwd), uintptr(unsafe.Pointer(src)),
		uintptr(fdcwd), uintptr(unsafe.Pointer(to)), atSymlinkFollow, 0)
	if errno != 0 {
		return &os.LinkError{Op: "linkat", Old: f.Name(), New: dst, Err: errno}
	}
	return nil
}
