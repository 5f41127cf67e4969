package localfs

import (
	"context"
	"crypto/md5"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// fill copies body into f while hashing it (MD5), reading until io.EOF (or
// one byte past size, which is then an error). A read error other than
// io.EOF is returned as is. Bodies longer than one chunk are hashed and
// written by a second goroutine while this one reads the next chunk, so
// that the caller's verifying readers (SHA-256, CRC) and MD5 run on two
// cores instead of one after the other.
//
// With seal set, the file holds the sealed chunks of the bytes (see crypt.go),
// after a header the caller wrote; the MD5 is of the plaintext.
func (s *blobStore) fill(ctx context.Context, f *os.File, body io.Reader, size int64, seal *sealer) (int64, [md5.Size]byte, error) {
	var sum [md5.Size]byte
	p := &pipeline{sink: &sink{f: f, h: md5.New(), seal: seal}, pool: &s.bufs}
	if seal != nil {
		p.sink.off = headerSize
	}
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			p.finish()
			return 0, sum, err
		}
		if size >= 0 && n > size {
			p.finish()
			return 0, sum, fmt.Errorf("%w: more than %d bytes", objstore.ErrIncompleteBody, size)
		}
		buf := p.buffer()
		m, rerr := io.ReadFull(body, *buf)
		if rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
			p.pool.Put(buf)
			p.finish()
			return 0, sum, rerr
		}
		n += int64(m)
		p.push(chunk{buf, m})
		if rerr != nil {
			break
		}
	}
	if err := p.finish(); err != nil {
		return 0, sum, err
	}
	if size >= 0 && n != size {
		return 0, sum, fmt.Errorf("%w: %d bytes, declared %d", objstore.ErrIncompleteBody, n, size)
	}
	if err := p.sink.end(); err != nil {
		return 0, sum, err
	}
	p.sink.h.Sum(sum[:0])
	return n, sum, nil
}

// sink hashes and writes a data file's bytes in order, asking the kernel
// to start writeback every writebackChunk bytes. After a write error it
// ignores the rest.
type sink struct {
	f            *os.File
	h            hash.Hash
	seal         *sealer
	off, flushed int64
	err          error
}

func (k *sink) put(b []byte) {
	if k.err != nil {
		return
	}
	k.h.Write(b)
	if k.seal != nil {
		b, k.err = k.seal.add(b)
	}
	k.write(b)
}

// end writes the last sealed chunk of an encrypted file.
func (k *sink) end() error {
	if k.seal == nil || k.err != nil {
		return k.err
	}
	b, err := k.seal.end()
	if err != nil {
		return err
	}
	k.write(b)
	return k.err
}

func (k *sink) write(b []byte) {
	if k.err != nil || len(b) == 0 {
		return
	}
	if _, err := k.f.Write(b); err != nil {
		k.err = fmt.Errorf("localfs: write data file: %w", err)
		return
	}
	k.off += int64(len(b))
	if k.off-k.flushed >= writebackChunk {
		startWriteback(k.f, k.flushed, k.off-k.flushed)
		k.flushed = k.off
	}
}

type chunk struct {
	buf *[]byte
	n   int
}

// pipeline feeds chunks to a sink. The first chunk is held: a body that
// ends within it is put inline and costs no goroutine. From the second
// chunk on, a goroutine drains the chunks; three buffers circulate, so the
// reader blocks only when the sink is two chunks behind.
type pipeline struct {
	sink *sink
	pool *sync.Pool
	held *chunk
	work chan chunk
	free chan *[]byte
	done chan struct{}
}

// buffer returns an empty buffer to read a chunk into.
func (p *pipeline) buffer() *[]byte {
	if p.work == nil {
		return p.pool.Get().(*[]byte)
	}
	return <-p.free
}

// push hands a filled buffer to the sink.
func (p *pipeline) push(c chunk) {
	if p.work == nil && p.held == nil {
		p.held = &c
		return
	}
	if p.work == nil {
		p.start()
		p.work <- *p.held
		p.held = nil
	}
	p.work <- c
}

func (p *pipeline) start() {
	p.work, p.free, p.done = make(chan chunk, 1), make(chan *[]byte, 3), make(chan struct{})
	p.free <- p.pool.Get().(*[]byte)
	go func(work <-chan chunk, free chan<- *[]byte, done chan<- struct{}, k *sink) {
		for c := range work {
			k.put((*c.buf)[:c.n])
			free <- c.buf
		}
		close(done)
	}(p.work, p.free, p.done, p.sink)
}

// finish puts what is left, waits for the goroutine, returns the buffers
// to the pool and reports the sink's error.
func (p *pipeline) finish() error {
	if p.held != nil {
		p.sink.put((*p.held.buf)[:p.held.n])
		p.pool.Put(p.held.buf)
		p.held = nil
	}
	if p.work != nil {
		close(p.work)
		<-p.done
		for len(p.free) > 0 {
			p.pool.Put(<-p.free)
		}
		p.work = nil
	}
	return p.sink.err
}
