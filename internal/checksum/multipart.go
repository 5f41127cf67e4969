package checksum

import (
	"errors"
	"fmt"
	"strconv"
)

// ErrNotCRC is returned (wrapped) by FullObject for an algorithm that is not a CRC: S3 only
// offers the FULL_OBJECT checksum type for CRC32, CRC32C and CRC64NVME.
var ErrNotCRC = errors.New("checksum: full-object checksums need a CRC algorithm")

// Composite returns the checksum S3 reports for a multipart object of checksum type
// COMPOSITE: base64 of the algorithm applied to the concatenated raw part digests, followed
// by "-" and the number of parts (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html#large-object-checksums).
// parts are the base64 part checksums in part-number order. An empty list or a malformed
// part value is an error.
func Composite(a Algorithm, parts []string) (string, error) {
	if len(parts) == 0 {
		return "", fmt.Errorf("checksum: composite %s of no parts", a)
	}
	h := a.New()
	if h == nil {
		return "", fmt.Errorf("%w %q", ErrUnknownAlgorithm, a)
	}
	for i, p := range parts {
		raw, err := a.Decode(p)
		if err != nil {
			return "", fmt.Errorf("checksum: part %d: %w", i+1, err)
		}
		h.Write(raw)
	}
	return Encode(h.Sum(nil)) + "-" + strconv.Itoa(len(parts)), nil
}

// Part is one part of a multipart object as FullObject needs it: its base64 checksum and its
// length in bytes.
type Part struct {
	Checksum string
	Size     int64
}

// FullObject returns the base64 CRC of the whole object, computed from the part CRCs and
// sizes without reading the data again: the value S3 reports for the FULL_OBJECT checksum
// type. It works because these CRCs start and end with all bits inverted, so
// crc(A‖B) = crc(A)·x^(8·|B|) mod P ⊕ crc(B) (the method of zlib's crc32_combine).
// a must be a CRC (else ErrNotCRC); sizes must not be negative.
func FullObject(a Algorithm, parts []Part) (string, error) {
	spec, ok := crcSpecFor(a)
	if !ok {
		return "", fmt.Errorf("%w, not %s", ErrNotCRC, a)
	}
	powers := spec.powersOfX()
	var crc uint64
	for i, p := range parts {
		raw, err := a.Decode(p.Checksum)
		if err != nil {
			return "", fmt.Errorf("checksum: part %d: %w", i+1, err)
		}
		if p.Size < 0 {
			return "", fmt.Errorf("checksum: part %d has negative size %d", i+1, p.Size)
		}
		crc = spec.combine(powers, crc, bigEndian(raw), p.Size)
	}
	return Encode(spec.bytes(crc)), nil
}

// crcSpec describes a reflected CRC whose initial value and final XOR are all ones.
type crcSpec struct {
	poly  uint64 // reflected polynomial
	width uint   // 32 or 64
}

func crcSpecFor(a Algorithm) (crcSpec, bool) {
	switch a {
	case CRC32:
		return crcSpec{poly: 0xedb88320, width: 32}, true
	case CRC32C:
		return crcSpec{poly: 0x82f63b78, width: 32}, true
	case CRC64NVME:
		return crcSpec{poly: crc64NVMEPoly, width: 64}, true
	}
	return crcSpec{}, false
}

// mul returns a(x)·b(x) mod P in the reflected representation, where the top bit is x^0.
func (s crcSpec) mul(a, b uint64) uint64 {
	if a == 0 {
		return 0
	}
	m := uint64(1) << (s.width - 1)
	var p uint64
	for {
		if a&m != 0 {
			p ^= b
			if a&(m-1) == 0 {
				return p
			}
		}
		m >>= 1
		if b&1 != 0 {
			b = b>>1 ^ s.poly
		} else {
			b >>= 1
		}
	}
}

// powersOfX returns x^(2^k) mod P for k = 0..66, enough for any int64 byte count shifted
// by three (bits per byte).
func (s crcSpec) powersOfX() []uint64 {
	powers := make([]uint64, 67)
	powers[0] = uint64(1) << (s.width - 2) // x^1
	for k := 1; k < len(powers); k++ {
		powers[k] = s.mul(powers[k-1], powers[k-1])
	}
	return powers
}

// combine returns the CRC of A‖B from crcA, crcB and |B|.
func (s crcSpec) combine(powers []uint64, crcA, crcB uint64, sizeB int64) uint64 {
	shift := uint64(1) << (s.width - 1) // x^0
	for k, n := 3, uint64(sizeB); n != 0; k, n = k+1, n>>1 {
		if n&1 != 0 {
			shift = s.mul(powers[k], shift)
		}
	}
	return s.mul(shift, crcA) ^ crcB
}

func (s crcSpec) bytes(crc uint64) []byte {
	out := make([]byte, s.width/8)
	for i := range out {
		out[len(out)-1-i] = byte(crc >> (8 * i))
	}
	return out
}

func bigEndian(raw []byte) uint64 {
	var v uint64
	for _, b := range raw {
		v = v<<8 | uint64(b)
	}
	return v
}
