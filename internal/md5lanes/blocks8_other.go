//go:build !amd64 || purego

package md5lanes

import "unsafe"

// haveLanes is false: there is no vector code for this architecture, and
// every Engine hands out crypto/md5's digests.
const haveLanes = false

func blocks8(s *[4][lanes]uint32, ptrs *[lanes]unsafe.Pointer, n int) {
	panic("md5lanes: no vector code on this architecture")
}
