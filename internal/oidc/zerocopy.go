package oidc

import "unsafe"

// The two conversions below avoid copying a token-sized buffer on every
// verification. Each is used only where the memory is never written
// afterwards, which is the condition the unsafe package sets for them.

// stringOf returns b as a string without copying. The caller must not
// modify b afterwards: decodeObject passes a buffer it has just decoded and
// never touches again.
func stringOf(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// bytesOf returns s as a []byte without copying, for read-only use: the
// hash functions in digest only read their input.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
