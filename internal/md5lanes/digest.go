package md5lanes

import (
	"crypto/md5"
	"encoding/binary"
)

// Size and BlockSize are MD5's, in bytes.
const (
	Size      = md5.Size
	BlockSize = md5.BlockSize
)

// init0 to init3 are MD5's initial state, RFC 1321 section 3.3.
const (
	init0 = 0x67452301
	init1 = 0xefcdab89
	init2 = 0x98badcfe
	init3 = 0x10325476
)

// digest is one stream's MD5. It is a hash.Hash; like crypto/md5's, it is
// not safe for concurrent use.
type digest struct {
	e   *Engine
	s   [4]uint32
	x   [BlockSize]byte
	nx  int
	len uint64
	// job is the digest's request to its engine, reused from write to write.
	job job
}

func (d *digest) Reset() {
	d.s = [4]uint32{init0, init1, init2, init3}
	d.nx, d.len = 0, 0
}

func (d *digest) Size() int      { return Size }
func (d *digest) BlockSize() int { return BlockSize }

// Write hashes p. Whole blocks of at least engineMin bytes go to the engine
// and Write returns when they are hashed, so p may be reused at once.
func (d *digest) Write(p []byte) (int, error) {
	n := len(p)
	d.len += uint64(n)
	if d.nx > 0 {
		c := copy(d.x[d.nx:], p)
		d.nx += c
		p = p[c:]
		if d.nx < BlockSize {
			return n, nil
		}
		block(&d.s, d.x[:])
		d.nx = 0
	}
	if whole := len(p) &^ (BlockSize - 1); whole > 0 {
		if whole >= engineMin {
			d.e.hash(&d.job, &d.s, p[:whole])
		} else {
			block(&d.s, p[:whole])
		}
		p = p[whole:]
	}
	d.nx = copy(d.x[:], p)
	return n, nil
}

// Sum appends the digest of what was written to b, leaving d as it was.
// It tells the engine that d has stopped writing, so that no worker waits
// for its next write; a write after it starts again as usual.
func (d *digest) Sum(b []byte) []byte {
	if d.e != nil {
		d.e.quiet(&d.s)
	}
	s := d.s
	// Padding: a 1 bit, zeros up to 56 bytes mod 64, the length in bits.
	var tail [2 * BlockSize]byte
	k := copy(tail[:], d.x[:d.nx])
	tail[k] = 0x80
	end := BlockSize
	if d.nx >= 56 {
		end = 2 * BlockSize
	}
	binary.LittleEndian.PutUint64(tail[end-8:], d.len<<3)
	block(&s, tail[:end])
	for _, w := range s {
		b = binary.LittleEndian.AppendUint32(b, w)
	}
	return b
}
