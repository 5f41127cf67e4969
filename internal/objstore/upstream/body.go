package upstream

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http/httptrace"
	"os"
	"sync"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// holdBack streams a body of a declared size to the upstream, but delivers
// its last byte only after the body reader has returned io.EOF. The readers
// the wire layer passes verify signatures and checksums and report a
// mismatch instead of io.EOF; until then the upstream has seen at most
// size-1 bytes of a request that declared size, so when the body fails the
// transport abandons the request short of its Content-Length and the
// upstream stores nothing. A body longer or shorter than size fails the same
// way with ErrIncompleteBody.
//
// err records the failure: the round trip then fails with a transport
// error, and the caller returns err instead, unwrapped as the contract asks.
//
// A failing body also resets the upstream connection (see reset) rather
// than closing it.
type holdBack struct {
	r         io.Reader
	remaining int64 // bytes not yet delivered, the held-back one included
	last      [1]byte
	err       error

	mu   sync.Mutex
	conn net.Conn // the connection the body is sent on (gotConn)
}

func newHoldBack(r io.Reader, size int64) *holdBack { return &holdBack{r: r, remaining: size} }

func (h *holdBack) Read(p []byte) (int, error) {
	switch {
	case h.err != nil:
		return 0, h.err
	case h.remaining == 0:
		return 0, io.EOF
	case len(p) == 0:
		return 0, nil
	case h.remaining == 1:
		return h.finish(p)
	}
	n, err := h.r.Read(p[:min(int64(len(p)), h.remaining-1)])
	h.remaining -= int64(n)
	switch {
	case err == io.EOF:
		return n, h.fail(fmt.Errorf("%w: the body ended %d bytes early", objstore.ErrIncompleteBody, h.remaining))
	case err != nil:
		return n, h.fail(err)
	}
	return n, nil
}

// finish reads the last byte, then checks that the body ends cleanly right
// after it, and only then delivers it.
func (h *holdBack) finish(p []byte) (int, error) {
	for {
		n, err := h.r.Read(h.last[:])
		if n == 1 {
			break
		}
		if err == io.EOF {
			return 0, h.fail(fmt.Errorf("%w: the body ended 1 byte early", objstore.ErrIncompleteBody))
		}
		if err != nil {
			return 0, h.fail(err)
		}
	}
	if err := expectEOF(h.r); err != nil {
		return 0, h.fail(err)
	}
	p[0] = h.last[0]
	h.remaining = 0
	return 1, nil
}

func (h *holdBack) fail(err error) error {
	h.err = err
	h.reset()
	return err
}

// gotConn is the httptrace hook that tells h the connection its request
// was given.
func (h *holdBack) gotConn(info httptrace.GotConnInfo) {
	h.mu.Lock()
	h.conn = info.Conn
	h.mu.Unlock()
}

// reset aborts the body's HTTP/1 connection with a TCP reset (SO_LINGER
// 0) instead of a close. A server built on fasthttp (versitygw) reads the
// end of a closed connection as the end of a body with a Content-Length,
// and stores the bytes that arrived; a reset makes its next read fail, so
// it stores nothing. An HTTP/2 connection is shared and left alone: the
// transport resets only the request's stream.
func (h *holdBack) reset() {
	h.mu.Lock()
	c := h.conn
	h.mu.Unlock()
	if tc, ok := c.(*tls.Conn); ok {
		if tc.ConnectionState().NegotiatedProtocol == "h2" {
			return
		}
		c = tc.NetConn()
	}
	if tcp, ok := c.(*net.TCPConn); ok {
		tcp.SetLinger(0)
		tcp.Close()
	}
}

// expectEOF reads r to its end, which must come now: more bytes are
// ErrIncompleteBody, any error but io.EOF is returned as it is.
func expectEOF(r io.Reader) error {
	var extra [64]byte
	for {
		n, err := r.Read(extra[:])
		if n > 0 {
			return fmt.Errorf("%w: the body is longer than declared", objstore.ErrIncompleteBody)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// objectBody is a GET answer's body, handed to the wire layer, which copies it to the
// client with io.Copy. A body of connTransport's copies itself (socket to socket, see
// connBody.WriteTo); any other copies through a pooled 256 KiB buffer: the default
// 32 KiB copy is smaller than the transport's 64 KiB read buffer, so every byte was copied
// once more, from that buffer to the copy's, and each 32 KiB cost two system calls. A read
// as large as the buffer bypasses the transport's buffer and takes what the socket holds.
type objectBody struct{ io.ReadCloser }

// copyBuffers are objectBody's copy buffers: one per GET being copied, so memory stays
// bounded by the number of concurrent GETs.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

func (b objectBody) WriteTo(w io.Writer) (int64, error) {
	if wt, ok := b.ReadCloser.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(onlyWriter{w}, b.ReadCloser, *buf)
}

// onlyWriter hides a writer's ReadFrom, which would take the copy back from
// io.CopyBuffer (an http.ResponseWriter's ReadFrom copies 32 KiB at a time).
type onlyWriter struct{ io.Writer }

// smallBody is the size up to which a body is read and verified whole
// before anything is sent: nothing of a body that fails reaches the
// upstream, whatever the upstream does with a request cut short: SeaweedFS
// stores an empty object when the connection closes before any body byte
// arrived, which holding back the last byte of a 1-byte body would cause.
// Memory per request stays bounded by it.
const smallBody = 1 << 20

// readSmall reads a body of size bytes (at most smallBody) to its verified
// end.
func readSmall(body io.Reader, size int64) ([]byte, error) {
	data := make([]byte, size)
	n, err := io.ReadFull(body, data)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		return nil, fmt.Errorf("%w: the body ended %d bytes early", objstore.ErrIncompleteBody, size-int64(n))
	case err != nil:
		return nil, err
	}
	if err := expectEOF(body); err != nil {
		return nil, err
	}
	return data, nil
}

// spool reads a body of unknown size to its end into a temporary file in
// dir, so that it can be sent with a Content-Length (S3 requires one) and
// only once the body has verified. Memory stays bounded whatever the size;
// the file is removed when closed. A body error is returned unwrapped.
//
// Decision: spooling costs a disk write, but the wire layer passes size -1
// only for the rare aws-chunked upload without x-amz-decoded-content-length,
// and the alternative, an upstream multipart upload, would give the object a
// multipart ETag where the contract promises the MD5 of its bytes.
func spool(dir string, body io.Reader) (f *os.File, size int64, err error) {
	f, err = os.CreateTemp(dir, "inkan-upstream-*")
	if err != nil {
		return nil, 0, fmt.Errorf("upstream: spool: %w", err)
	}
	os.Remove(f.Name()) // unlinked now: nothing is left behind by a crash
	size, err = io.Copy(f, onlyReader{body})
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, 0, fmt.Errorf("upstream: spool: %w", err)
		}
		return nil, 0, err
	}
	return f, size, nil
}

// onlyReader hides a reader's WriterTo, so that io.Copy's errors from the
// body and from the file stay apart (a file write error is a *PathError).
type onlyReader struct{ io.Reader }
