package checksum

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// Algorithm names an object checksum algorithm with the spelling S3 uses in
// x-amz-sdk-checksum-algorithm and x-amz-checksum-algorithm.
type Algorithm string

// The algorithms S3 accepts for object checksums, and MD5 for Content-MD5.
const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
	MD5       Algorithm = "MD5"
)

// ErrUnknownAlgorithm is returned (wrapped) by Parse and FromHeader for a name that is not
// one of the algorithms above.
var ErrUnknownAlgorithm = errors.New("checksum: unknown algorithm")

// ErrInvalidValue is returned (wrapped) for an expected checksum that is not base64 of a
// digest of the algorithm's size; S3 answers it with InvalidRequest
// ("Value for x-amz-checksum-crc32 header is invalid.").
var ErrInvalidValue = errors.New("checksum: invalid value")

// Algorithms lists the object checksum algorithms S3 accepts in x-amz-checksum-* headers, in
// the order S3 documents them. MD5 is not among them: it only travels as Content-MD5.
func Algorithms() []Algorithm {
	return []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}
}

// crc64NVMEPoly is the CRC-64/NVME polynomial 0xad93d23594c93659 in the bit-reversed form
// hash/crc64 expects. Tables are built per hash (a few microseconds), which keeps the package
// free of package-level state.
const crc64NVMEPoly = 0x9a6c9329ac4bc9b5

// Parse returns the algorithm named by name, ignoring case ("crc32", "CRC32C", "md5").
// Anything else is an error wrapping ErrUnknownAlgorithm.
func Parse(name string) (Algorithm, error) {
	a := Algorithm(strings.ToUpper(strings.TrimSpace(name)))
	switch a {
	case CRC32, CRC32C, CRC64NVME, SHA1, SHA256, MD5:
		return a, nil
	}
	return "", fmt.Errorf("%w %q", ErrUnknownAlgorithm, name)
}

// FromHeader returns the algorithm whose checksum travels in the header named name
// ("x-amz-checksum-crc32", any case; "Content-MD5" for MD5). Other names are an error
// wrapping ErrUnknownAlgorithm.
func FromHeader(name string) (Algorithm, error) {
	lower := strings.ToLower(name)
	if lower == "content-md5" {
		return MD5, nil
	}
	suffix, ok := strings.CutPrefix(lower, "x-amz-checksum-")
	if !ok || strings.EqualFold(suffix, "md5") {
		return "", fmt.Errorf("%w: header %q", ErrUnknownAlgorithm, name)
	}
	return Parse(suffix)
}

// Header returns the lower-case name of the header that carries this algorithm's checksum:
// "x-amz-checksum-crc32", …, and "content-md5" for MD5. It returns "" for an unknown algorithm.
func (a Algorithm) Header() string {
	switch a {
	case MD5:
		return "content-md5"
	case CRC32, CRC32C, CRC64NVME, SHA1, SHA256:
		return "x-amz-checksum-" + strings.ToLower(string(a))
	}
	return ""
}

// New returns a fresh hash for the algorithm; Sum of it is the big-endian digest S3 encodes.
// It returns nil for an unknown algorithm, so callers must have obtained a from Parse,
// FromHeader or the constants.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case CRC64NVME:
		return crc64.New(crc64.MakeTable(crc64NVMEPoly))
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	case MD5:
		return md5.New()
	}
	return nil
}

// Size returns the length in bytes of the algorithm's raw digest, 0 for an unknown algorithm.
func (a Algorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return crc32.Size
	case CRC64NVME:
		return crc64.Size
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	case MD5:
		return md5.Size
	}
	return 0
}

// IsCRC reports whether the algorithm is one of the CRCs, the only ones S3 allows for the
// FULL_OBJECT multipart checksum type.
func (a Algorithm) IsCRC() bool {
	return a == CRC32 || a == CRC32C || a == CRC64NVME
}

// Encode returns the wire form of a raw digest: standard base64 with padding.
func Encode(sum []byte) string {
	return base64.StdEncoding.EncodeToString(sum)
}

// Decode returns the raw digest carried by value, the base64 wire form of a checksum of
// algorithm a. A value that is not padded standard base64 of exactly a.Size() bytes is an
// error wrapping ErrInvalidValue.
func (a Algorithm) Decode(value string) ([]byte, error) {
	raw, err := base64.StdEncoding.Strict().DecodeString(value)
	if err != nil || len(raw) != a.Size() || a.Size() == 0 {
		return nil, fmt.Errorf("%w: %s value %q", ErrInvalidValue, a, value)
	}
	return raw, nil
}

// Sum returns the wire form of the checksum of data.
func (a Algorithm) Sum(data []byte) string {
	h := a.New()
	h.Write(data)
	return Encode(h.Sum(nil))
}
