package localfs

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// The index stores metadata in a small binary form rather than JSON, which
// would replace invalid UTF-8 in header values with U+FFFD: every string is
// a uvarint length and its bytes, a map is a uvarint count and its pairs in
// key order. The first byte is a format version.
//
// Version 2 is version 1 followed by the parts of a multipart object (a
// uvarint count, then per part its size as a uvarint and its checksums as a
// map), which GetObject by part number and ObjectParts read; objects written
// before it have none recorded.
//
// Version 3 is version 2 (a part count, possibly 0, and the parts) followed
// by the object's tags as a map; it is written only for an object with tags,
// so rows of untagged objects keep the older forms and older rows decode
// with no tags.
//
// Version 4 is written for encrypted objects and uploads: version 3 (its
// tags map possibly empty), then the encryption type and the sealed data key
// as strings (objstore.Encryption). Unencrypted rows keep versions 1 to 3.
const (
	metaVersion      = 1
	metaVersionParts = 2
	metaVersionTags  = 3
	metaVersionSSE   = 4
)

func encodeMeta(m objstore.ObjectMeta) []byte {
	return encodeObjectMeta(m, nil)
}

// encodeObjectMeta encodes an object's metadata and, when it has some, its
// parts.
func encodeObjectMeta(m objstore.ObjectMeta, parts []objstore.PartInfo) []byte {
	return encodeStored(m, parts, objstore.Encryption{})
}

// encodeStored encodes an object's or upload's metadata, parts and
// encryption.
func encodeStored(m objstore.ObjectMeta, parts []objstore.PartInfo, enc objstore.Encryption) []byte {
	b := []byte{metaVersion}
	switch {
	case enc.Type != "":
		b[0] = metaVersionSSE
	case m.Tags != nil:
		b[0] = metaVersionTags
	case len(parts) > 0:
		b[0] = metaVersionParts
	}
	for _, s := range []string{m.ContentType, m.ContentEncoding, m.ContentDisposition,
		m.ContentLanguage, m.CacheControl, m.Expires, m.ChecksumType} {
		b = appendString(b, s)
	}
	b = appendMap(b, m.UserMeta)
	b = appendMap(b, m.Checksums)
	if b[0] == metaVersion {
		return b
	}
	b = binary.AppendUvarint(b, uint64(len(parts)))
	for _, p := range parts {
		b = appendMap(binary.AppendUvarint(b, uint64(p.Size)), p.Checksums)
	}
	if b[0] >= metaVersionTags {
		b = appendMap(b, m.Tags)
	}
	if b[0] == metaVersionSSE {
		b = appendString(appendString(b, enc.Type), string(enc.Sealed))
	}
	return b
}

func decodeMeta(b []byte) (objstore.ObjectMeta, error) {
	m, _, err := decodeObjectMeta(b)
	return m, err
}

// decodeObjectMeta decodes what encodeObjectMeta wrote; parts are numbered
// from 1 in order.
func decodeObjectMeta(b []byte) (objstore.ObjectMeta, []objstore.PartInfo, error) {
	m, parts, _, err := decodeStored(b)
	return m, parts, err
}

// decodeStored decodes what encodeStored wrote.
func decodeStored(b []byte) (objstore.ObjectMeta, []objstore.PartInfo, objstore.Encryption, error) {
	var (
		m   objstore.ObjectMeta
		enc objstore.Encryption
	)
	if len(b) == 0 || b[0] < metaVersion || b[0] > metaVersionSSE {
		return m, nil, enc, fmt.Errorf("%w: metadata format", errCorruptIndex)
	}
	d := decoder{b: b[1:]}
	for _, s := range []*string{&m.ContentType, &m.ContentEncoding, &m.ContentDisposition,
		&m.ContentLanguage, &m.CacheControl, &m.Expires, &m.ChecksumType} {
		*s = d.string()
	}
	m.UserMeta = d.stringMap()
	m.Checksums = d.stringMap()
	var parts []objstore.PartInfo
	if b[0] >= metaVersionParts {
		n := d.uvarint()
		if n > uint64(len(d.b)) {
			d.bad = true
		}
		for i := uint64(0); i < n && !d.bad; i++ {
			p := objstore.PartInfo{Number: int(i) + 1, Size: int64(d.uvarint())}
			p.Checksums = d.stringMap()
			parts = append(parts, p)
		}
	}
	if b[0] >= metaVersionTags {
		m.Tags = d.stringMap()
	}
	if b[0] == metaVersionSSE {
		enc.Type = d.string()
		if sealed := d.string(); sealed != "" {
			enc.Sealed = []byte(sealed)
		}
		if enc.Type == "" {
			d.bad = true
		}
	}
	return m, parts, enc, d.finish()
}

// encodeChecksums and decodeChecksums store a part's checksums.
func encodeChecksums(m map[string]string) []byte {
	return appendMap([]byte{metaVersion}, m)
}

func decodeChecksums(b []byte) (map[string]string, error) {
	if len(b) == 0 || b[0] != metaVersion {
		return nil, fmt.Errorf("%w: checksums format", errCorruptIndex)
	}
	d := decoder{b: b[1:]}
	m := d.stringMap()
	return m, d.finish()
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// appendMap writes a nil map as count 0 and a non-nil one as count+1, so
// that nil and empty maps round-trip.
func appendMap(b []byte, m map[string]string) []byte {
	if m == nil {
		return binary.AppendUvarint(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(m))+1)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b = appendString(appendString(b, k), m[k])
	}
	return b
}

// decoder reads what the append functions wrote; after the first error it
// returns zero values and finish reports the error.
type decoder struct {
	b   []byte
	bad bool
}

func (d *decoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.b)) {
		d.bad = true
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

func (d *decoder) stringMap() map[string]string {
	n := d.uvarint()
	if d.bad || n == 0 {
		return nil
	}
	if n-1 > uint64(len(d.b)) { // each pair takes at least two bytes
		d.bad = true
		return nil
	}
	m := make(map[string]string, n-1)
	for range n - 1 {
		k := d.string()
		m[k] = d.string()
	}
	if d.bad {
		return nil
	}
	return m
}

func (d *decoder) finish() error {
	if d.bad || len(d.b) != 0 {
		return fmt.Errorf("%w: metadata encoding", errCorruptIndex)
	}
	return nil
}
