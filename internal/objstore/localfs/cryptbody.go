package localfs

import (
	"crypto/cipher"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// readBatch is how many chunks a read of an encrypted body decrypts at a
// time, into one pooled buffer of about 1 MiB (blobStore.cryptBufs): read
// with one pread, decrypted in place, closed up (one memmove per chunk) and
// written from there.
const readBatch = 16

// cryptBody serves the plaintext of clipped segments of encrypted data files
// (segment offsets and lengths count plaintext bytes). A chunk that fails
// authentication ends the body with an error wrapping objstore.ErrCorrupt:
// never a wrong byte.
type cryptBody struct {
	store *blobStore
	aead  cipher.AEAD
	segs  []segment
	// the open data file: its chunk sealer, plaintext size, the next chunk
	// to decrypt, and the plaintext range [pos, end) still to serve
	file     *os.File
	c        *chunkCrypt
	size     int64
	pos, end int64
	buf      *[]byte
	ready    []byte
	done     func()
	once     sync.Once
}

// open starts the next segment: it checks the file's header and size.
func (b *cryptBody) open() error {
	b.closeFile()
	s, f, err := b.store.openNext(&b.segs)
	if err != nil {
		return err
	}
	b.file = f
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("localfs: stat data file: %w", err)
	}
	if b.size, err = plainSize(st.Size()); err != nil {
		return err
	}
	if s.off+s.length > b.size {
		return fmt.Errorf("%w: data file %s holds %d bytes, the index says %d", objstore.ErrCorrupt, s.blob, b.size, s.off+s.length)
	}
	var h [headerSize]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return fmt.Errorf("%w: read data file header: %v", objstore.ErrCorrupt, err)
	}
	prefix, err := checkHeader(h[:])
	if err != nil {
		return err
	}
	b.c = newChunkCrypt(b.aead, s.blob, prefix)
	b.pos, b.end = s.off, s.off+s.length
	return nil
}

// next decrypts the next batch of chunks into ready; io.EOF after the last
// segment.
func (b *cryptBody) next() error {
	for b.pos >= b.end {
		if err := b.open(); err != nil {
			return err
		}
	}
	first := b.pos / chunkSize
	last := min((b.end-1)/chunkSize, first+readBatch-1)
	lastOfFile := (max(b.size, 1) - 1) / chunkSize
	// the sealed bytes of chunks first..last: whole chunks, but for the file's last
	ctLen := (last - first + 1) * sealedChunk
	if last == lastOfFile {
		ctLen = (last-first)*sealedChunk + (b.size - last*chunkSize) + tagSize
	}
	if b.buf == nil {
		b.buf = b.store.cryptBufs.Get().(*[]byte)
	}
	ct := (*b.buf)[:ctLen]
	if _, err := b.file.ReadAt(ct, headerSize+first*sealedChunk); err != nil {
		return fmt.Errorf("%w: read data file: %v", objstore.ErrCorrupt, err)
	}
	plain := (*b.buf)[:0]
	for i := first; i <= last; i++ {
		off := (i - first) * sealedChunk
		sealed := ct[off:min(off+sealedChunk, int64(len(ct)))]
		b.c.set(i, i == lastOfFile)
		// in place: chunk i's plaintext lands where its sealed bytes began,
		// after the plaintext of the chunks before it
		out, err := b.aead.Open(sealed[:0], b.c.nonce[:], sealed, b.c.aad[:])
		if err != nil {
			return fmt.Errorf("%w: chunk %d of data file failed authentication", objstore.ErrCorrupt, i)
		}
		plain = append(plain, out...)
	}
	skip := b.pos - first*chunkSize
	n := min(int64(len(plain))-skip, b.end-b.pos)
	b.ready = plain[skip : skip+n]
	b.pos += n
	return nil
}

func (b *cryptBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if len(b.ready) == 0 {
		if err := b.next(); err != nil {
			return 0, err
		}
	}
	n := copy(p, b.ready)
	b.ready = b.ready[n:]
	return n, nil
}

// WriteTo writes the plaintext batch by batch, straight from the buffer it
// was decrypted in.
func (b *cryptBody) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(b.ready) == 0 {
			if err := b.next(); err == io.EOF {
				return total, nil
			} else if err != nil {
				return total, err
			}
		}
		n, err := w.Write(b.ready)
		total += int64(n)
		b.ready = b.ready[n:]
		if err != nil {
			return total, err
		}
	}
}

func (b *cryptBody) closeFile() {
	if b.file != nil {
		b.file.Close()
		b.file = nil
	}
}

// Close releases the file, the buffer and the reader's hold on the data
// files.
func (b *cryptBody) Close() error {
	b.closeFile()
	b.segs, b.ready, b.pos, b.end = nil, nil, 0, 0
	if b.buf != nil {
		b.store.cryptBufs.Put(b.buf)
		b.buf = nil
	}
	b.once.Do(b.done)
	return nil
}
