package checksum

import (
	"bytes"
	"errors"
	"fmt"
	"hash"
	"io"
)

// ErrMissingValue is returned (wrapped) from Read when a checksum registered with
// ExpectLater has no value once the body has ended, e.g. a declared trailer never came.
var ErrMissingValue = errors.New("checksum: expected value missing")

// MismatchError is what Reader.Read returns at the end of a body whose checksum differs from
// the expected one; S3 answers it with BadDigest. Both values are base64 digests of the body,
// which are not secret.
type MismatchError struct {
	Algorithm Algorithm
	Expected  string
	Computed  string
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("checksum: the %s you specified did not match the calculated checksum (expected %s, computed %s)",
		e.Algorithm, e.Expected, e.Computed)
}

// Reader passes a body through unchanged while computing checksums of it, and at the end of
// the body compares them with expected values. A body that fails verification never ends in
// io.EOF: the last Read returns the *MismatchError (or an ErrMissingValue / ErrInvalidValue
// error) instead, so a consumer that keeps data only on a clean EOF keeps nothing. Errors of
// the source are returned as they are. After the first error every Read returns it again.
//
// Configure a Reader (Compute, Expect, ExpectLater) before the first Read. A Reader is not
// safe for concurrent use.
type Reader struct {
	src     io.Reader
	entries []*entry
	err     error
}

type entry struct {
	alg   Algorithm
	h     hash.Hash
	want  string                // expected base64 value, "" when none or not yet known
	later func() (string, bool) // source of the expected value at EOF, or nil
	sum   []byte                // set at EOF
}

// NewReader returns a Reader over src that computes nothing until told to.
func NewReader(src io.Reader) *Reader {
	return &Reader{src: src}
}

// Compute makes the Reader compute a's checksum, readable from Sum after EOF, without
// verifying it. Adding an algorithm twice is harmless. An unknown algorithm is an error.
func (r *Reader) Compute(a Algorithm) error {
	_, err := r.entry(a)
	return err
}

// Expect makes the Reader verify at EOF that the body's a checksum is value (base64). A
// malformed value is an error wrapping ErrInvalidValue, and so is a second, different
// expectation for the same algorithm.
func (r *Reader) Expect(a Algorithm, value string) error {
	if _, err := a.Decode(value); err != nil {
		return err
	}
	e, err := r.entry(a)
	if err != nil {
		return err
	}
	if e.later != nil || (e.want != "" && e.want != value) {
		return fmt.Errorf("%w: two different %s values", ErrInvalidValue, a)
	}
	e.want = value
	return nil
}

// ExpectLater makes the Reader verify a's checksum against a value that is only known once
// the source has ended, such as an aws-chunked trailer: value is called after the source
// returns io.EOF. If it reports false, Read fails with ErrMissingValue; a malformed value
// fails with ErrInvalidValue.
func (r *Reader) ExpectLater(a Algorithm, value func() (string, bool)) error {
	e, err := r.entry(a)
	if err != nil {
		return err
	}
	if e.want != "" || e.later != nil {
		return fmt.Errorf("%w: two expectations for %s", ErrInvalidValue, a)
	}
	e.later = value
	return nil
}

func (r *Reader) entry(a Algorithm) (*entry, error) {
	for _, e := range r.entries {
		if e.alg == a {
			return e, nil
		}
	}
	h := a.New()
	if h == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownAlgorithm, a)
	}
	e := &entry{alg: a, h: h}
	r.entries = append(r.entries, e)
	return e, nil
}

// Read reads from the source, feeding every byte to the checksums. At the source's EOF it
// verifies every expectation and returns io.EOF only if all hold.
func (r *Reader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.src.Read(p)
	for _, e := range r.entries {
		e.h.Write(p[:n])
	}
	switch {
	case err == io.EOF:
		r.err = r.finish()
	case err != nil:
		r.err = err
	}
	return n, r.err
}

// finish computes the sums and checks expectations; it returns io.EOF when all hold.
func (r *Reader) finish() error {
	for _, e := range r.entries {
		e.sum = e.h.Sum(nil)
	}
	for _, e := range r.entries {
		want := e.want
		if e.later != nil {
			v, ok := e.later()
			if !ok {
				return fmt.Errorf("%w: %s", ErrMissingValue, e.alg.Header())
			}
			want = v
		}
		if want == "" {
			continue
		}
		raw, err := e.alg.Decode(want)
		if err != nil {
			return err
		}
		if !bytes.Equal(raw, e.sum) {
			return &MismatchError{Algorithm: e.alg, Expected: want, Computed: Encode(e.sum)}
		}
	}
	return io.EOF
}

// Sum returns the base64 checksum of the whole body for a, once the source has ended
// (whether or not verification passed); before that, or for an algorithm never added, "".
func (r *Reader) Sum(a Algorithm) string {
	for _, e := range r.entries {
		if e.alg == a && e.sum != nil {
			return Encode(e.sum)
		}
	}
	return ""
}
