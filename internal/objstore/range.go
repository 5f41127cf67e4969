package objstore

import "fmt"

// Range is a single HTTP byte range (RFC 9110 §14.1.2) as the wire layer
// parsed it from "bytes=First-Last", "bytes=First-" or "bytes=-SuffixLength".
// A Range header the wire layer cannot parse is ignored there (S3 then serves
// the whole object) and never reaches a backend.
type Range struct {
	// Suffix selects the last SuffixLength bytes; First and Last are ignored.
	Suffix       bool
	SuffixLength int64
	// First is the first byte; Last the last, inclusive, or negative for
	// "to the end".
	First, Last int64
}

// Resolve returns the offset and length of the bytes r selects in an object
// of size bytes. A Last beyond the end and a suffix longer than the object
// are clamped to the object, as RFC 9110 says. It returns ErrInvalidRange
// when nothing can be served: First at or past the end, Last before First, a
// negative First, a zero-length suffix, or any range of an empty object
// (S3 answers 416 for "bytes=0-0" of an empty object too).
func (r Range) Resolve(size int64) (offset, length int64, err error) {
	if r.Suffix {
		if r.SuffixLength <= 0 || size == 0 {
			return 0, 0, fmt.Errorf("%w: suffix of %d bytes of a %d-byte object", ErrInvalidRange, r.SuffixLength, size)
		}
		n := min(r.SuffixLength, size)
		return size - n, n, nil
	}
	if r.First < 0 || r.First >= size || (r.Last >= 0 && r.Last < r.First) {
		return 0, 0, fmt.Errorf("%w: bytes %d-%d of a %d-byte object", ErrInvalidRange, r.First, r.Last, size)
	}
	last := r.Last
	if last < 0 || last >= size {
		last = size - 1
	}
	return r.First, last - r.First + 1, nil
}

// PartSpan returns the offset and length of part n (from 1) of an object:
// for a multipart object (PartsCount > 0) the n-th of parts, its parts in
// order; for another object, part 1 is the whole object. A number outside
// the object's parts is ErrInvalidPartNumber; a multipart object whose parts
// the backend did not record (len(parts) != PartsCount) is ErrInvalidArgument.
func PartSpan(info ObjectInfo, parts []PartInfo, n int) (offset, length int64, err error) {
	count := max(info.PartsCount, 1)
	if n < 1 || n > count {
		return 0, 0, fmt.Errorf("%w: part %d of an object of %d parts", ErrInvalidPartNumber, n, count)
	}
	if info.PartsCount == 0 {
		return 0, info.Size, nil
	}
	if len(parts) != info.PartsCount {
		return 0, 0, fmt.Errorf("%w: the parts of this object were not recorded", ErrInvalidArgument)
	}
	for _, p := range parts[:n-1] {
		offset += p.Size
	}
	return offset, parts[n-1].Size, nil
}
