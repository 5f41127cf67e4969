package sigv4

import (
	"bufio"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strings"
)

// Bounds of the aws-chunked framing. Chunk data itself is not buffered, so no chunk size
// bound is needed beyond x-amz-decoded-content-length (the JS SDK may send one chunk for the
// whole body).
const (
	maxChunkLine     = 4 << 10  // a chunk header line: size, extensions, signature
	maxTrailerBytes  = 16 << 10 // all trailer lines together
	maxTrailerFields = 16
)

// chunkReader decodes an aws-chunked body
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html and
// sigv4-streaming-trailers.html):
//
//	hex-size[;chunk-signature=sig][;other-ext]\r\n data \r\n … 0[;chunk-signature=sig]\r\n
//	[trailer-name:value\r\n …][x-amz-trailer-signature:sig\r\n]\r\n
//
// Chunk data is passed through as it arrives and hashed; the chunk's signature is checked
// when its last byte has been read, before that Read returns.
type chunkReader struct {
	src                   *bufio.Reader
	want, got             int64 // decoded bytes announced and delivered
	left                  int64 // bytes left in the current chunk
	signedChunks, trailer bool
	signedTrailer         bool
	key                   []byte
	amzDate, scope, prev  string // prev: the previous signature (the seed at first)
	chunkSig              string
	h                     hash.Hash
	declared              []string
	trailers              http.Header
	ended                 bool
	err                   error
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	if c.left == 0 {
		if c.err = c.nextChunk(); c.err != nil {
			return 0, c.err
		}
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.src.Read(p)
	c.left -= int64(n)
	c.got += int64(n)
	if c.signedChunks {
		c.h.Write(p[:n])
	}
	switch {
	case err == io.EOF && c.left > 0:
		c.err = truncated()
	case err != nil && err != io.EOF:
		c.err = err
	case c.left == 0:
		c.err = c.endChunk()
	}
	return n, c.err
}

func truncated() *Error {
	return fail(ErrIncompleteBody, "The request body terminated unexpectedly")
}

func malformed(msg string) *Error { return fail(ErrChunkEncoding, msg) }

// nextChunk reads a chunk header; for the final chunk it also reads the trailers and checks
// the end of the body, and returns io.EOF when everything holds.
func (c *chunkReader) nextChunk() error {
	line, err := c.readLine(maxChunkLine)
	if err != nil {
		return bodyError(err)
	}
	size, sig, err := parseChunkHeader(line, c.signedChunks)
	if err != nil {
		return err
	}
	c.chunkSig = sig
	if size == 0 {
		if err := c.checkChunkSignature(EmptyPayloadHash); err != nil {
			return err
		}
		return c.finish()
	}
	if size > c.want-c.got {
		return malformed("The aws-chunked body holds more data than x-amz-decoded-content-length announced.")
	}
	c.left = size
	c.h.Reset()
	return nil
}

// endChunk reads the CRLF after a chunk's data and checks its signature.
func (c *chunkReader) endChunk() error {
	for _, want := range []byte("\r\n") {
		b, err := c.src.ReadByte()
		if err != nil {
			return bodyError(err)
		}
		if b != want {
			return malformed("A chunk's data is not followed by CRLF.")
		}
	}
	return c.checkChunkSignature(hex.EncodeToString(c.h.Sum(nil)))
}

func (c *chunkReader) checkChunkSignature(dataHash string) error {
	if !c.signedChunks {
		return nil
	}
	sts := stringToSign("AWS4-HMAC-SHA256-PAYLOAD", c.amzDate, c.scope,
		[]string{c.prev, EmptyPayloadHash}, dataHash)
	if !signatureMatches(c.key, sts, c.chunkSig) {
		return fail(ErrSignatureMismatch, "The chunk signature we calculated does not match the signature you provided.")
	}
	c.prev = c.chunkSig
	return nil
}

// parseChunkHeader reads "hex-size[;ext[=value]]…". Signed chunks need a chunk-signature
// extension; other extensions are tolerated and ignored.
func parseChunkHeader(line string, signed bool) (int64, string, error) {
	sizeHex, exts, _ := strings.Cut(line, ";")
	sizeHex = strings.TrimRight(sizeHex, " \t")
	if sizeHex == "" || len(sizeHex) > 15 {
		return 0, "", malformed("A chunk size is missing or too large.")
	}
	var size int64
	for i := 0; i < len(sizeHex); i++ {
		d, ok := hexDigit(sizeHex[i])
		if !ok {
			return 0, "", malformed("A chunk size is not hexadecimal.")
		}
		size = size<<4 | int64(d)
	}
	var sig string
	for ext := range strings.SplitSeq(exts, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(ext), "=")
		if strings.TrimSpace(k) == "chunk-signature" {
			sig = strings.TrimSpace(v)
		}
	}
	if signed && len(sig) != 64 {
		return 0, "", malformed("A chunk has no chunk-signature.")
	}
	return size, sig, nil
}

func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// finish runs after the final chunk header: trailers (or the empty line), the decoded length,
// then nothing but the end of the body.
func (c *chunkReader) finish() error {
	if c.got != c.want {
		return fail(ErrIncompleteBody, "The aws-chunked body holds fewer bytes than x-amz-decoded-content-length announced.")
	}
	if c.trailer {
		if err := c.readTrailers(); err != nil {
			return err
		}
	} else {
		line, err := c.readLine(maxChunkLine)
		if err != nil {
			return bodyError(err)
		}
		if line != "" {
			return malformed("The final chunk is not followed by an empty line.")
		}
	}
	if _, err := c.src.ReadByte(); err != io.EOF {
		if err != nil {
			return err
		}
		return malformed("The body continues after the final chunk.")
	}
	c.ended = true
	return io.EOF
}

// readTrailers reads "name:value" lines up to an empty line. Decision: a body that ends
// right after the last trailer line, without the empty line, is accepted, as the framing is
// complete and the trailer values are verified by their signature or checksums.
func (c *chunkReader) readTrailers() error {
	c.trailers = http.Header{}
	var canonical strings.Builder
	var sig string
	budget := maxTrailerBytes
	for fields := 0; ; fields++ {
		line, err := c.readLine(min(budget, maxChunkLine))
		if err == io.EOF || line == "" && err == nil {
			break
		}
		if err != nil {
			return err
		}
		budget -= len(line) + 2
		name, value, ok := strings.Cut(line, ":")
		name = strings.ToLower(strings.TrimSpace(name))
		value = strings.TrimSpace(value)
		if !ok || fields == maxTrailerFields {
			return malformed("A trailer line is malformed.")
		}
		if name == "x-amz-trailer-signature" {
			sig = value
			continue
		}
		if !c.isDeclared(name) || c.trailers.Get(name) != "" {
			return malformed("The trailer " + name + " was not declared in x-amz-trailer, or repeats.")
		}
		c.trailers.Set(name, value)
		canonical.WriteString(name + ":" + value + "\n")
	}
	for _, d := range c.declared {
		if c.trailers.Get(d) == "" {
			return malformed("The trailer " + d + " declared in x-amz-trailer is missing.")
		}
	}
	return c.checkTrailerSignature(canonical.String(), sig)
}

func (c *chunkReader) isDeclared(name string) bool {
	for _, d := range c.declared {
		if d == name {
			return true
		}
	}
	return false
}

func (c *chunkReader) checkTrailerSignature(canonical, sig string) error {
	if !c.signedTrailer {
		return nil
	}
	sts := stringToSign("AWS4-HMAC-SHA256-TRAILER", c.amzDate, c.scope, []string{c.prev}, sha256Hex(canonical))
	if sig == "" || !signatureMatches(c.key, sts, sig) {
		return fail(ErrSignatureMismatch, "The trailer signature we calculated does not match the signature you provided.")
	}
	return nil
}

// readLine reads one CRLF-terminated line of at most max bytes, without the CRLF. A body
// that ends exactly where a line would start gives io.EOF; one that ends inside a line gives
// ErrIncompleteBody.
func (c *chunkReader) readLine(max int) (string, error) {
	line, err := c.src.ReadSlice('\n')
	switch {
	case errors.Is(err, bufio.ErrBufferFull) || len(line) > max+2:
		return "", malformed("An aws-chunked line is too long.")
	case err == io.EOF && len(line) == 0:
		return "", io.EOF
	case err != nil:
		return "", bodyError(err)
	case len(line) < 2 || line[len(line)-2] != '\r':
		return "", malformed("An aws-chunked line does not end in CRLF.")
	}
	return string(line[:len(line)-2]), nil
}

// bodyError turns an early end of the body into ErrIncompleteBody and leaves every other
// error of the underlying body as it is.
func bodyError(err error) error {
	if err == io.EOF {
		return truncated()
	}
	return err
}
