//go:build amd64 && !purego

package md5lanes

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

//go:generate go run gen.go

// haveLanes reports whether blocks8 can run here: it needs AVX-512F (the
// gathers, the 512-bit address vector) and AVX-512VL (ternary logic and
// rotation on 256-bit registers).
var haveLanes = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL

// blocks8 runs MD5's compression over n blocks in each of the eight lanes:
// lane i's state is s[0][i] to s[3][i] and its blocks start at ptrs[i],
// which must not be nil. n must be at least 1.
//
//go:noescape
func blocks8(s *[4][lanes]uint32, ptrs *[lanes]unsafe.Pointer, n int)
