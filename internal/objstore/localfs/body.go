package localfs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// segment is a run of bytes of one data file; an object is the
// concatenation of its segments (one for PutObject, one per part for a
// multipart object, shared by copies).
type segment struct {
	blob        blobID
	off, length int64
}

// encodeSegments serializes segments for the index: per segment the 16-byte
// blob ID then offset and length as uvarints.
func encodeSegments(segs []segment) []byte {
	b := make([]byte, 0, len(segs)*(len(blobID{})+4))
	for _, s := range segs {
		b = append(b, s.blob[:]...)
		b = binary.AppendUvarint(b, uint64(s.off))
		b = binary.AppendUvarint(b, uint64(s.length))
	}
	return b
}

var errCorruptIndex = errors.New("localfs: corrupt index row")

func decodeSegments(b []byte) ([]segment, error) {
	var segs []segment
	for len(b) > 0 {
		var s segment
		if len(b) < len(s.blob) {
			return nil, errCorruptIndex
		}
		b = b[copy(s.blob[:], b):]
		var vals [2]uint64
		for i := range vals {
			v, n := binary.Uvarint(b)
			if n <= 0 || v > 1<<62 {
				return nil, errCorruptIndex
			}
			vals[i], b = v, b[n:]
		}
		s.off, s.length = int64(vals[0]), int64(vals[1])
		segs = append(segs, s)
	}
	return segs, nil
}

// clip returns the part of segs covering [off, off+length) of their
// concatenation.
func clip(segs []segment, off, length int64) []segment {
	var out []segment
	for _, s := range segs {
		if length == 0 {
			break
		}
		if off >= s.length {
			off -= s.length
			continue
		}
		n := min(s.length-off, length)
		out = append(out, segment{blob: s.blob, off: s.off + off, length: n})
		length -= n
		off = 0
	}
	return out
}

// body serves the bytes of clipped segments, opening data files one at a
// time. It is an io.WriterTo so that io.Copy to a TCP connection reaches
// sendfile through io.LimitedReader over *os.File.
type body struct {
	store *blobStore
	segs  []segment
	cur   io.LimitedReader
	file  *os.File
	done  func()
	once  sync.Once
}

// advance opens the next segment when the current one is exhausted; it
// returns io.EOF after the last.
func (b *body) advance() error {
	if b.cur.N > 0 {
		return nil
	}
	b.closeFile()
	s, f, err := b.store.openNext(&b.segs)
	if err != nil {
		return err
	}
	if _, err := f.Seek(s.off, io.SeekStart); err != nil {
		f.Close()
		return fmt.Errorf("localfs: seek data file: %w", err)
	}
	b.file, b.cur = f, io.LimitedReader{R: f, N: s.length}
	return nil
}

// openNext takes the first of segs and opens its data file; io.EOF when
// segs is empty.
func (s *blobStore) openNext(segs *[]segment) (segment, *os.File, error) {
	if len(*segs) == 0 {
		return segment{}, nil, io.EOF
	}
	seg := (*segs)[0]
	*segs = (*segs)[1:]
	f, err := os.Open(s.path(seg.blob))
	if err != nil {
		return seg, nil, fmt.Errorf("localfs: open data file: %w", err)
	}
	return seg, f, nil
}

func (b *body) closeFile() {
	if b.file != nil {
		b.file.Close()
		b.file = nil
	}
}

func (b *body) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if err := b.advance(); err != nil {
		return 0, err
	}
	n, err := b.cur.Read(p)
	if err == io.EOF {
		// the data file is shorter than the index says
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// WriteTo copies the remaining bytes to w segment by segment.
func (b *body) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if err := b.advance(); err == io.EOF {
			return total, nil
		} else if err != nil {
			return total, err
		}
		want := b.cur.N
		n, err := io.Copy(w, &b.cur)
		total += n
		if err != nil {
			return total, err
		}
		if n < want {
			return total, io.ErrUnexpectedEOF
		}
	}
}

// Close releases the open file and the reader's hold on the data files.
func (b *body) Close() error {
	b.closeFile()
	b.segs, b.cur.N = nil, 0
	b.once.Do(b.done)
	return nil
}
