// Package md5lanes computes the MD5 digests of many concurrent byte streams
// together, each stream in one lane of a vector register, so that a core
// hashes several streams in about the time MD5 takes for one; it must not
// know about objects, requests or storage.
//
// MD5 cannot be split within one stream: every 64-byte block depends on the
// state the block before left, and each of its 64 steps on the step before.
// On a modern core that chain of dependent additions and rotations, not the
// number of instructions, is what a block costs: Go's crypto/md5 runs at
// about 5 cycles a byte. Eight independent streams fit the same chain in the
// eight 32-bit lanes of one AVX-512 register, at nearly the same latency per
// step. An Engine gathers the blocks that concurrent writers hand it into
// those lanes (see Engine); on a CPU without AVX-512 it hands out
// crypto/md5's digests and nothing else changes.
//
// The digests are MD5 as RFC 1321 defines it, bit for bit: the tests compare
// every result with crypto/md5's.
package md5lanes
