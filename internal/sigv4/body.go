package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxDeclaredTrailers bounds x-amz-trailer; clients send one checksum.
const maxDeclaredTrailers = 8

// Body is a request body as Verified.Body wraps it: reading it yields the payload (decoded
// from aws-chunked when the request streamed) and ends in io.EOF only once the payload is
// proven to be what was signed. Any failure is returned by Read in place of io.EOF and
// repeated by every later Read; errors of the underlying body come out unchanged. A Body is
// not safe for concurrent use.
type Body struct {
	r       io.Reader
	chunked *chunkReader
	size    int64
}

// Read reads the verified payload.
func (b *Body) Read(p []byte) (int, error) { return b.r.Read(p) }

// Trailers returns the trailing headers of an aws-chunked body (x-amz-checksum-* and the
// like, with canonical keys, the trailer signature removed) once Read has returned io.EOF.
// Before that, and for bodies without trailers, it returns nil. The values are not checked
// here: checksum verification belongs to the caller (internal/checksum).
func (b *Body) Trailers() http.Header {
	if b.chunked == nil || !b.chunked.ended {
		return nil
	}
	return b.chunked.trailers
}

// DecodedLength returns how many payload bytes the body yields: x-amz-decoded-content-length
// for aws-chunked bodies, else the content length given to Verified.Body (-1 when unknown).
func (b *Body) DecodedLength() int64 { return b.size }

// Body wraps the request body according to the signed payload mode:
//   - hex SHA-256: the body as is, its SHA-256 compared at the end
//     (ErrContentSHA256Mismatch);
//   - UNSIGNED-PAYLOAD: the body as is;
//   - STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER], STREAMING-UNSIGNED-PAYLOAD-TRAILER: the
//     aws-chunked framing decoded, each chunk signature and the trailer signature checked,
//     the total checked against x-amz-decoded-content-length, trailers kept for Trailers.
//
// contentLength is the request's Content-Length (-1 with Transfer-Encoding: chunked). An
// aws-chunked request without a usable x-amz-decoded-content-length, or with undeclarable
// trailers, is refused here with an *Error. Call Body once per request: the chunk signature
// chain starts again at the seed with every call.
//
// STREAMING-UNSIGNED-PAYLOAD-TRAILER data carries no signature; like UNSIGNED-PAYLOAD it is
// protected only by the checksum the caller verifies (the trailer, via internal/checksum).
func (v *Verified) Body(body io.Reader, contentLength int64) (*Body, error) {
	switch v.PayloadHash {
	case UnsignedPayload:
		return &Body{r: body, size: contentLength}, nil
	case StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrail:
		return v.chunkedBody(body, contentLength)
	}
	want, err := hex.DecodeString(v.PayloadHash)
	if err != nil || len(want) != sha256.Size {
		return nil, invalidContentSHA256()
	}
	return &Body{r: &hashedBody{src: body, h: sha256.New(), want: want}, size: contentLength}, nil
}

func (v *Verified) chunkedBody(body io.Reader, contentLength int64) (*Body, error) {
	decoded, err := strconv.ParseInt(strings.TrimSpace(v.decodedLength), 10, 64)
	if err != nil || decoded < 0 {
		return nil, fail(ErrMissingDecodedLength, "You must provide the Content-Length HTTP header.")
	}
	if contentLength >= 0 && contentLength < decoded {
		return nil, fail(ErrIncompleteBody, "The request body terminated unexpectedly")
	}
	c := &chunkReader{
		src:           bufio.NewReaderSize(body, 64<<10),
		want:          decoded,
		signedChunks:  v.PayloadHash != StreamingUnsignedPayloadTrail,
		trailer:       v.PayloadHash != StreamingPayload,
		signedTrailer: v.PayloadHash == StreamingPayloadTrailer,
		key:           v.key,
		amzDate:       v.Auth.Time.UTC().Format(amzDateFormat),
		scope:         v.Auth.Scope(),
		prev:          v.Auth.Signature,
		h:             sha256.New(),
	}
	if c.trailer {
		if c.declared, err = parseDeclaredTrailers(v.declaredTrails); err != nil {
			return nil, err
		}
	}
	return &Body{r: c, chunked: c, size: decoded}, nil
}

// StripAWSChunked returns a Content-Encoding value without the aws-chunked coding, which
// describes only the transfer framing and must not be stored with the object
// ("aws-chunked,gzip" becomes "gzip", "aws-chunked" becomes ""). Every other byte is kept
// as the client sent it ("deflate, gzip" stays "deflate, gzip"), since S3 returns the
// header as it was written.
func StripAWSChunked(contentEncoding string) string {
	var keep []string
	dropped := false
	for c := range strings.SplitSeq(contentEncoding, ",") {
		if strings.EqualFold(strings.TrimSpace(c), "aws-chunked") {
			dropped = true
			continue
		}
		keep = append(keep, c)
	}
	if !dropped {
		return contentEncoding
	}
	return strings.TrimSpace(strings.Join(keep, ","))
}

// parseDeclaredTrailers reads x-amz-trailer: comma-separated header names.
func parseDeclaredTrailers(s string) ([]string, error) {
	var names []string
	for n := range strings.SplitSeq(s, ",") {
		n = strings.ToLower(strings.TrimSpace(n))
		if n == "" {
			continue
		}
		if !validTrailerName(n) || len(names) == maxDeclaredTrailers {
			return nil, fail(ErrChunkEncoding, "The x-amz-trailer header is invalid.")
		}
		names = append(names, n)
	}
	return names, nil
}

func validTrailerName(n string) bool {
	if n == "" || n == "x-amz-trailer-signature" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// hashedBody passes the body through and compares its SHA-256 at the end.
type hashedBody struct {
	src  io.Reader
	h    hash.Hash
	want []byte
	err  error
}

func (b *hashedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.src.Read(p)
	b.h.Write(p[:n])
	switch {
	case err == io.EOF:
		if bytes.Equal(b.h.Sum(nil), b.want) {
			b.err = io.EOF
		} else {
			b.err = fail(ErrContentSHA256Mismatch, "The provided 'x-amz-content-sha256' header does not match what was computed.")
		}
	case err != nil:
		b.err = err
	}
	return n, b.err
}
