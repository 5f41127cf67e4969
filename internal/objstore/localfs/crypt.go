package localfs

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// Encrypted data files (server-side encryption, objstore.DataKey). A file is a
// header and a run of AES-256-GCM chunks, each sealing chunkSize bytes of
// plaintext (the last one fewer, possibly none):
//
//	header  "IKE" 0x01 | prefix (8 random bytes) | 4 zero bytes
//	chunk i  GCM(key, nonce = prefix | uint32be(i), aad = 0x01 | file ID | final)
//
// where final is 1 for the last chunk only. A chunk is authenticated with its
// index (in the nonce), with the file it belongs to (its ID, which is its
// name: two data files swapped on disk fail), and with whether it ends the
// file (a file truncated at a chunk boundary fails). The plaintext length is
// derived from the file's size. A read decrypts only the chunks its range
// covers. One data key encrypts every data file of an object (the parts of a
// multipart upload share the upload's key); the random prefix of each file
// keeps nonces distinct across them.
const (
	chunkSize   = 64 << 10
	tagSize     = 16
	sealedChunk = chunkSize + tagSize
	headerSize  = 16
	// maxChunks bounds a data file by the 32-bit chunk index (256 TiB).
	maxChunks = 1 << 32
	aadSize   = 1 + len(blobID{}) + 1
)

var cryptMagic = [4]byte{'I', 'K', 'E', 1}

// newAEAD returns AES-256-GCM for a data key.
func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != objstore.DataKeySize {
		return nil, fmt.Errorf("%w: data key of %d bytes", objstore.ErrInvalidArgument, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("localfs: data key: %w", err)
	}
	return cipher.NewGCM(block)
}

// chunkCrypt holds what seals or opens the chunks of one data file.
type chunkCrypt struct {
	aead  cipher.AEAD
	nonce [12]byte
	aad   [aadSize]byte
}

func newChunkCrypt(aead cipher.AEAD, id blobID, prefix []byte) *chunkCrypt {
	c := &chunkCrypt{aead: aead}
	copy(c.nonce[:8], prefix)
	c.aad[0] = 1
	copy(c.aad[1:], id[:])
	return c
}

func (c *chunkCrypt) set(i int64, final bool) {
	binary.BigEndian.PutUint32(c.nonce[8:], uint32(i))
	c.aad[aadSize-1] = 0
	if final {
		c.aad[aadSize-1] = 1
	}
}

// header is the data file's first headerSize bytes.
func (c *chunkCrypt) header() []byte {
	h := make([]byte, headerSize)
	copy(h, cryptMagic[:])
	copy(h[4:12], c.nonce[:8])
	return h
}

// sealer encrypts a data file's plaintext as it streams by: full chunks as
// soon as they are complete, the last one at end.
type sealer struct {
	c       *chunkCrypt
	next    int64
	pending []byte
	out     []byte
}

// add returns the sealed chunks that p completes; the slice is valid until
// the next call.
func (s *sealer) add(p []byte) ([]byte, error) {
	s.out = s.out[:0]
	if len(s.pending) > 0 {
		n := copy(s.pending[len(s.pending):chunkSize], p)
		s.pending, p = s.pending[:len(s.pending)+n], p[n:]
		if len(s.pending) < chunkSize || len(p) == 0 {
			// a full pending chunk waits: it may be the last one
			return s.out, nil
		}
		if err := s.seal(s.pending, false); err != nil {
			return nil, err
		}
		s.pending = s.pending[:0]
	}
	// keep the tail (up to a full chunk) pending: only end knows which is last
	for len(p) > chunkSize {
		if err := s.seal(p[:chunkSize], false); err != nil {
			return nil, err
		}
		p = p[chunkSize:]
	}
	if s.pending == nil {
		s.pending = make([]byte, 0, chunkSize)
	}
	s.pending = append(s.pending, p...)
	return s.out, nil
}

// end seals the last chunk (empty for an empty file).
func (s *sealer) end() ([]byte, error) {
	s.out = s.out[:0]
	if err := s.seal(s.pending, true); err != nil {
		return nil, err
	}
	return s.out, nil
}

func (s *sealer) seal(p []byte, final bool) error {
	if s.next >= maxChunks {
		return fmt.Errorf("%w: data file too large to encrypt", objstore.ErrInvalidArgument)
	}
	s.c.set(s.next, final)
	s.next++
	s.out = s.c.aead.Seal(s.out, s.c.nonce[:], p, s.c.aad[:])
	return nil
}

// plainSize is the plaintext length of an encrypted data file of fileSize
// bytes, or an error when no file written by sealer has that size.
func plainSize(fileSize int64) (int64, error) {
	body := fileSize - headerSize
	full, rem := body/sealedChunk, body%sealedChunk
	switch {
	case body <= 0:
		return 0, fmt.Errorf("%w: encrypted data file of %d bytes", objstore.ErrCorrupt, fileSize)
	case rem == 0:
		return full * chunkSize, nil
	case rem < tagSize:
		return 0, fmt.Errorf("%w: encrypted data file of %d bytes", objstore.ErrCorrupt, fileSize)
	}
	return full*chunkSize + rem - tagSize, nil
}

// checkHeader validates a data file's header and returns its nonce prefix.
func checkHeader(h []byte) ([]byte, error) {
	if len(h) != headerSize || [4]byte(h[:4]) != cryptMagic || binary.BigEndian.Uint32(h[12:]) != 0 {
		return nil, fmt.Errorf("%w: encrypted data file header", objstore.ErrCorrupt)
	}
	return h[4:12], nil
}
