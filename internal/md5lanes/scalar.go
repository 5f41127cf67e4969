package md5lanes

import (
	"crypto/md5"
	"encoding"
	"encoding/binary"
	"hash"
)

// scalar runs MD5's compression on one lane with crypto/md5's own code,
// which on amd64 is assembly about 1.4 times as fast per stream as one lane
// of blocks8 (MD5's chain of dependent steps is shorter in general-purpose
// registers). A worker uses it for a round in which it holds one stream.
//
// crypto/md5 takes a state from outside only through its marshaled form:
// "md5\x01", the four state words big-endian, the 64-byte block buffer, the
// length big-endian (crypto/md5's AppendBinary and UnmarshalBinary). If a
// later Go ever refused or changed that form, blocks falls back to block,
// which is slower but the same MD5; the tests compare either with
// crypto/md5.
type scalar struct {
	h   hash.Hash
	buf []byte
}

// magic opens crypto/md5's marshaled state.
const magic = "md5\x01"

func (c *scalar) blocks(s *[4]uint32, p []byte) {
	if c.h == nil {
		c.h = md5.New()
	}
	c.buf = append(c.buf[:0], magic...)
	for _, w := range s {
		c.buf = binary.BigEndian.AppendUint32(c.buf, w)
	}
	c.buf = append(c.buf, make([]byte, BlockSize+8)...) // no buffered bytes; a length of whole blocks
	u, ok1 := c.h.(encoding.BinaryUnmarshaler)
	a, ok2 := c.h.(encoding.BinaryAppender)
	if !ok1 || !ok2 || u.UnmarshalBinary(c.buf) != nil {
		block(s, p)
		return
	}
	c.h.Write(p)
	var err error
	c.buf, err = a.AppendBinary(c.buf[:0])
	if err != nil || len(c.buf) < len(magic)+16 || string(c.buf[:len(magic)]) != magic {
		block(s, p) // s is still the state before p
		return
	}
	for i := range s {
		s[i] = binary.BigEndian.Uint32(c.buf[len(magic)+4*i:])
	}
}
