package s3

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/checksum"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// maxObjectSize is the largest single PUT S3 accepts (5 GiB).
const maxObjectSize = 5 << 30

// payload is a request body on its way to the backend: decoded from its framing,
// verified against its signature, and checked against every checksum the client sent
// (Content-MD5, x-amz-checksum-* in a header or an aws-chunked trailer). Reading it to
// io.EOF proves all of that; any failure is returned by Read instead of io.EOF, so the
// backend stores nothing.
type payload struct {
	io.Reader
	// size is the decoded body length, -1 when unknown (chunked transfer).
	size int64
	// alg is the algorithm of the checksum kept with the data, "" for none.
	alg checksum.Algorithm
	// sums receives, at a clean EOF, the checksums to keep with the object: the
	// algorithm names of the x-amz-checksum-* values the client sent or asked for.
	sums map[string]string
}

// payload prepares the request body. Headers that announce checksums are validated here,
// before anything is read, as S3 does.
func (c *call) payload() (*payload, error) {
	return c.body(true)
}

// completionBody prepares CompleteMultipartUpload's body, whose x-amz-checksum-* headers
// announce the assembled object's checksum, not the body's: only the signature and
// Content-MD5 apply to it.
func (c *call) completionBody() (*payload, error) {
	return c.body(false)
}

func (c *call) body(checksumHeaders bool) (*payload, error) {
	// An HTTP/1 PUT framed by neither Content-Length nor Transfer-Encoding has, by the
	// protocol, an empty body; S3 does not guess that the client meant one: 411.
	if c.r.Method == http.MethodPut && c.r.ProtoMajor == 1 && len(c.r.TransferEncoding) == 0 &&
		len(c.r.Header.Values("Content-Length")) == 0 {
		return nil, errMissingContentLength.because("the PUT carries neither Content-Length nor Transfer-Encoding", nil)
	}
	body, signed, size, err := c.decodedBody()
	if err != nil {
		return nil, err
	}
	if size > maxObjectSize {
		return nil, errEntityTooLarge.because("the body is "+strconv.FormatInt(size, 10)+" bytes; at most 5 GiB may be put at once", nil).
			with(Field{"ProposedSize", strconv.FormatInt(size, 10)}, Field{"MaxSizeAllowed", strconv.FormatInt(maxObjectSize, 10)})
	}
	cr := checksum.NewReader(body)
	if v := c.header("Content-MD5"); v != "" {
		if err := cr.Expect(checksum.MD5, v); err != nil {
			return nil, errInvalidDigest.because("Content-MD5 "+strconv.Quote(v)+" is not the base64 of 16 bytes", err)
		}
	}
	var alg checksum.Algorithm
	if checksumHeaders {
		if alg, err = c.checksumAlgorithm(cr, signed); err != nil {
			return nil, err
		}
	}
	p := &payload{size: size, alg: alg, sums: map[string]string{}}
	p.Reader = &sumsOnEOF{r: cr, alg: alg, sums: p.sums}
	return p, nil
}

// decodedBody returns the body as the client meant it: through the signature's payload
// reader (hex SHA-256 checked at EOF, aws-chunked decoded with its chunk and trailer
// signatures) and its decoded length. The *sigv4.Body, nil for an anonymous request,
// knows the trailers once the body has ended.
func (c *call) decodedBody() (io.Reader, *sigv4.Body, int64, error) {
	if c.r.Body == nil || c.r.Body == http.NoBody {
		return http.NoBody, nil, 0, nil
	}
	raw := &clientBody{r: c.r.Body}
	if c.auth == nil {
		if isAWSChunked(c.r) {
			return nil, nil, 0, errNotImplemented.because("aws-chunked bodies need a signed request", nil)
		}
		return raw, nil, c.r.ContentLength, nil
	}
	body, err := c.auth.Body(raw, c.r.ContentLength)
	if err != nil {
		return nil, nil, 0, sigv4Error(err)
	}
	return body, body, body.DecodedLength(), nil
}

// isAWSChunked reports whether the body is framed as aws-chunked (any STREAMING-* payload).
func isAWSChunked(r *http.Request) bool {
	return strings.HasPrefix(r.Header.Get("x-amz-content-sha256"), "STREAMING-") ||
		strings.Contains(strings.ToLower(r.Header.Get("Content-Encoding")), "aws-chunked")
}

// checksumAlgorithm registers the one x-amz-checksum-* value the request announces, in a
// header or as a trailer, or the algorithm x-amz-sdk-checksum-algorithm asks for, and
// returns its algorithm ("" when none). S3 refuses two checksum headers.
func (c *call) checksumAlgorithm(cr *checksum.Reader, body *sigv4.Body) (checksum.Algorithm, error) {
	alg, err := expectChecksumHeaders(cr, c.header)
	if err != nil {
		return "", err
	}
	if t := c.header("x-amz-trailer"); t != "" {
		a, err := checksum.FromHeader(strings.TrimSpace(t))
		if err != nil || a == checksum.MD5 || alg != "" {
			return "", errInvalidRequest.because("x-amz-trailer "+strconv.Quote(t)+" does not name one x-amz-checksum-* trailer", err)
		}
		if body == nil || !strings.HasSuffix(c.header("x-amz-content-sha256"), "-TRAILER") {
			return "", errInvalidRequest.because("x-amz-trailer needs an aws-chunked STREAMING-*-TRAILER body", nil)
		}
		name := a.Header()
		trailer := func() (string, bool) {
			v := body.Trailers().Get(name)
			return v, v != ""
		}
		if err := cr.ExpectLater(a, trailer); err != nil {
			return "", invalidChecksumValue(a, err)
		}
		alg = a
	}
	if s := c.header("x-amz-sdk-checksum-algorithm"); s != "" {
		a, err := checksum.Parse(s)
		if err != nil || a == checksum.MD5 || (alg != "" && a != alg) {
			return "", errInvalidRequest.because("x-amz-sdk-checksum-algorithm "+strconv.Quote(s)+" is not the algorithm of the checksum sent", err)
		}
		if err := cr.Compute(a); err != nil {
			return "", err
		}
		alg = a
	}
	return alg, nil
}

// expectChecksumHeaders registers the one x-amz-checksum-* value that header (a request's
// headers, or a POST form's fields) holds, and returns its algorithm, "" for none.
func expectChecksumHeaders(cr *checksum.Reader, header func(string) string) (checksum.Algorithm, error) {
	var alg checksum.Algorithm
	for _, a := range checksum.Algorithms() {
		v := header(a.Header())
		if v == "" {
			continue
		}
		if alg != "" {
			e := errInvalidRequest.because("two x-amz-checksum-* headers", nil)
			e.Message = "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
			return "", e
		}
		if err := cr.Expect(a, v); err != nil {
			return "", invalidChecksumValue(a, err)
		}
		alg = a
	}
	return alg, nil
}

func invalidChecksumValue(a checksum.Algorithm, err error) *Error {
	e := errInvalidRequest.because(err.Error(), err)
	e.Message = "Value for " + a.Header() + " header is invalid."
	return e
}

// sumsOnEOF fills sums with the verified checksum when the body ends cleanly.
type sumsOnEOF struct {
	r    *checksum.Reader
	alg  checksum.Algorithm
	sums map[string]string
}

func (s *sumsOnEOF) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err == io.EOF && s.alg != "" {
		s.sums[string(s.alg)] = s.r.Sum(s.alg)
	}
	return n, err
}

// clientBody marks the errors of reading the request body off the connection (broken
// chunked framing, a body shorter than announced, a stall past the idle timeout) as the
// client's, so that s3Error answers them with a 4xx wherever they surface.
type clientBody struct{ r io.Reader }

func (b *clientBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = &bodyReadError{err}
	}
	return n, err
}

// bodyReadError is a failure to read the request body from the client.
type bodyReadError struct{ err error }

func (e *bodyReadError) Error() string { return "reading the request body: " + e.err.Error() }
func (e *bodyReadError) Unwrap() error { return e.err }
