package localfs

import (
	"context"
	"crypto/md5"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
	"sync/atomic"

	"github.com/inkan-dev/inkan/internal/md5lanes"
	"github.com/inkan-dev/inkan/internal/objstore"
)

// fill copies body into f while hashing it (MD5), reading until io.EOF (or
// one byte past size, which is then an error). A read error other than
// io.EOF is returned as is. Bodies longer than one chunk are hashed by a
// second goroutine and written by a third while this one reads the next
// chunk, so that the caller's verifying readers (SHA-256, CRC), MD5 and the
// write (with its encryption) run side by side instead of one after the
// other: one stream is then bounded by the slowest of the three, not by
// their sum (docs/performance.md).
//
// With seal set, the file holds the sealed chunks of the bytes (see crypt.go),
// after a header the caller wrote; the MD5 is of the plaintext.
func (s *blobStore) fill(ctx context.Context, f *os.File, body io.Reader, size int64, seal *sealer) (int64, [md5.Size]byte, error) {
	var sum [md5.Size]byte
	p := &pipeline{sink: &sink{f: f, h: md5.New(), seal: seal, spares: &s.spares, size: size}, pool: &s.bufs, md5: s.md5}
	defer func() {
		if p.sink.trade != nil {
			s.spares.giveBack(p.sink.trade)
		}
	}()
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
		p.push(chunk{buf: buf, n: m})
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
	// size is the body's declared length, or negative. A write takes a
	// spare to trade (see spares) when the body has at least spareMinSize
	// left to write, or when a body of unknown length has reached it; it
	// looks again every writebackChunk until it has one.
	size   int64
	spares *spares
	trade  *trade
	tryAt  int64
	err    error
}

// put hashes and stores b, for a body held whole in one chunk.
func (k *sink) put(b []byte) {
	k.h.Write(b)
	k.store(b)
}

// store seals (when encrypting) and writes b; the hash is the caller's.
func (k *sink) store(b []byte) {
	if k.err != nil {
		return
	}
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
	if k.trade == nil && k.off >= k.tryAt {
		switch left := k.size - k.off; {
		case k.size >= 0 && left >= spareMinSize:
			k.trade = k.spares.take(k.off, left)
		case k.size < 0 && k.off >= spareMinSize:
			k.trade = k.spares.take(k.off, -1)
		}
		k.tryAt = k.off + writebackChunk
	}
	k.trade.ahead(k.off + int64(len(b)))
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
	// refs counts the goroutines still using buf: the hasher and the writer.
	refs *atomic.Int32
}

// pipeline feeds chunks to a sink. The first chunk is held: a body that
// ends within it is put inline and costs no goroutine. From the second
// chunk on, one goroutine hashes the chunks and another stores them, each
// in order; a buffer goes back to the reader when both are done with it.
// Four buffers circulate, so the reader blocks only when the slower of the
// two is three chunks behind. The hashing goroutine's MD5 goes through the
// store's md5lanes engine, so that the bodies being written at the same time
// share a core's vector unit instead of each taking a core for MD5's serial
// chain: with four 1 GiB bodies at once, MD5 costs about a third of what
// crypto/md5 costs per byte (docs/performance.md).
type pipeline struct {
	sink  *sink
	pool  *sync.Pool
	md5   *md5lanes.Engine
	held  *chunk
	hashq chan chunk
	work  chan chunk
	free  chan *[]byte
	done  sync.WaitGroup
}

// pipelineBuffers is how many chunk buffers one body's pipeline holds.
const pipelineBuffers = 4

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
		p.send(*p.held)
		p.held = nil
	}
	p.send(c)
}

func (p *pipeline) send(c chunk) {
	c.refs = new(atomic.Int32)
	c.refs.Store(2)
	p.hashq <- c
	p.work <- c
}

// release is called by each consumer when it is done with c.
func (p *pipeline) release(c chunk) {
	if c.refs.Add(-1) == 0 {
		p.free <- c.buf
	}
}

func (p *pipeline) start() {
	p.sink.h = p.md5.New() // nothing is hashed yet: the held chunk is sent below
	p.hashq, p.work = make(chan chunk, pipelineBuffers), make(chan chunk, pipelineBuffers)
	p.free = make(chan *[]byte, pipelineBuffers)
	// The held chunk's buffer and the one being read are two; the rest wait here.
	for range pipelineBuffers - 2 {
		p.free <- p.pool.Get().(*[]byte)
	}
	p.done.Add(2)
	go func(q <-chan chunk, h hash.Hash) {
		defer p.done.Done()
		for c := range q {
			h.Write((*c.buf)[:c.n])
			p.release(c)
		}
	}(p.hashq, p.sink.h)
	go func(q <-chan chunk, k *sink) {
		defer p.done.Done()
		for c := range q {
			k.store((*c.buf)[:c.n])
			p.release(c)
		}
	}(p.work, p.sink)
}

// finish puts what is left, waits for the goroutines, returns the buffers
// to the pool and reports the sink's error.
func (p *pipeline) finish() error {
	if p.held != nil {
		p.sink.put((*p.held.buf)[:p.held.n])
		p.pool.Put(p.held.buf)
		p.held = nil
	}
	if p.work != nil {
		close(p.hashq)
		close(p.work)
		p.done.Wait()
		for len(p.free) > 0 {
			p.pool.Put(<-p.free)
		}
		p.work = nil
	}
	return p.sink.err
}
