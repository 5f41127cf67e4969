package upstream

import (
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// reservedMeta is the user-metadata entry (x-amz-meta-inkan) in which the
// backend keeps what S3 headers cannot carry faithfully. Its value is a
// URL-encoded form, ASCII only:
//
//	ck.<ALG>=<value>  a checksum (objstore.ObjectMeta.Checksums)
//	ckt=<type>        ObjectMeta.ChecksumType
//	0=<h>.<h>…        content headers that were not given (ct ce cd cl cc
//	                  ex): upstreams default a Content-Type, and some keep a
//	                  source's headers through a REPLACE copy
//	exp=<value>       Expires as given (upstreams may re-render dates)
//	h.<Header>=<v>    a content header whose value is not printable ASCII,
//	                  which no HTTP header can carry
//	m.<name>=         a user-metadata entry with an empty value, which
//	                  some upstreams drop or fail to sign
//	mp=1              checksums may be in the state bucket (completedRecord):
//	                  a multipart object created through inkan, or a
//	                  streamed PUT whose checksums came with the body's end
//
// It is hidden from UserMeta on read. Objects written by other clients lack
// it, and are described by their headers alone.
const reservedMeta = "inkan"

// contentHeaders are the content headers of ObjectMeta, in one place for
// writing and reading.
var contentHeaders = [...]struct {
	name, short string
	field       func(*objstore.ObjectMeta) *string
}{
	{"Content-Type", "ct", func(m *objstore.ObjectMeta) *string { return &m.ContentType }},
	{"Content-Encoding", "ce", func(m *objstore.ObjectMeta) *string { return &m.ContentEncoding }},
	{"Content-Disposition", "cd", func(m *objstore.ObjectMeta) *string { return &m.ContentDisposition }},
	{"Content-Language", "cl", func(m *objstore.ObjectMeta) *string { return &m.ContentLanguage }},
	{"Cache-Control", "cc", func(m *objstore.ObjectMeta) *string { return &m.CacheControl }},
	{"Expires", "ex", func(m *objstore.ObjectMeta) *string { return &m.Expires }},
}

// setMeta writes m as request headers. stateSums marks an object whose
// checksums may be in the state bucket (mp=1). User metadata values that are not printable ASCII travel as RFC
// 2047 encoded words, as AWS itself returns them.
func setMeta(h http.Header, m objstore.ObjectMeta, stateSums bool) {
	r := url.Values{}
	var absent []string
	for _, c := range contentHeaders {
		switch v := *c.field(&m); {
		case v == "":
			absent = append(absent, c.short)
		case !printable(v):
			r.Set("h."+c.name, v)
		default:
			h.Set(c.name, v)
		}
	}
	for k, v := range m.UserMeta {
		switch {
		case k == reservedMeta: // never let a client forge the backend's own entry
		case v == "":
			r.Set("m."+k, "")
		default:
			h.Set("X-Amz-Meta-"+k, encodeMetaValue(v))
		}
	}
	for alg, v := range m.Checksums {
		r.Set("ck."+alg, v)
	}
	if m.ChecksumType != "" {
		r.Set("ckt", m.ChecksumType)
	}
	r.Set("0", strings.Join(absent, "."))
	if m.Expires != "" {
		r.Set("exp", m.Expires)
	}
	if stateSums {
		r.Set("mp", "1")
	}
	setTags(h, m.Tags)
	h.Set("X-Amz-Meta-"+reservedMeta, r.Encode())
}

// objectMeta reads the metadata of a HEAD or GET answer. multipart reports
// mp=1 (see reservedMeta).
func objectMeta(h http.Header) (m objstore.ObjectMeta, multipart bool) {
	for _, c := range contentHeaders {
		*c.field(&m) = h.Get(c.name)
	}
	var reserved string
	for name, values := range h {
		k, ok := cutPrefixFold(name, "x-amz-meta-")
		if !ok || len(values) == 0 {
			continue
		}
		k = strings.ToLower(k)
		if k == reservedMeta {
			reserved = values[0]
			continue
		}
		if m.UserMeta == nil {
			m.UserMeta = map[string]string{}
		}
		m.UserMeta[k] = decodeMetaValue(strings.Join(values, ","))
	}
	if reserved == "" {
		return m, false
	}
	r, _ := url.ParseQuery(reserved)
	for name, v := range r {
		if alg, ok := strings.CutPrefix(name, "ck."); ok && len(v) > 0 {
			if m.Checksums == nil {
				m.Checksums = map[string]string{}
			}
			m.Checksums[alg] = v[0]
		}
	}
	for name, v := range r {
		if hdr, ok := strings.CutPrefix(name, "h."); ok {
			for _, c := range contentHeaders {
				if c.name == hdr {
					*c.field(&m) = v[0]
				}
			}
		}
		if k, ok := strings.CutPrefix(name, "m."); ok {
			if m.UserMeta == nil {
				m.UserMeta = map[string]string{}
			}
			m.UserMeta[k] = v[0]
		}
	}
	m.ChecksumType = r.Get("ckt")
	for _, short := range strings.Split(r.Get("0"), ".") {
		for _, c := range contentHeaders {
			if c.short == short {
				*c.field(&m) = ""
			}
		}
	}
	if r.Has("exp") {
		m.Expires = r.Get("exp")
	}
	return m, r.Get("mp") == "1"
}

// objectInfo describes an object from a HEAD or GET answer.
func (b *Backend) objectInfo(op, bucket, key string, h http.Header, size int64) (objstore.ObjectInfo, bool, error) {
	etag := objstore.NormalizeETag(h.Get("ETag"))
	lm, err := http.ParseTime(h.Get("Last-Modified"))
	if etag == "" || err != nil {
		return objstore.ObjectInfo{}, false, b.badAnswer(op, "no ETag or Last-Modified")
	}
	meta, mp := objectMeta(h)
	info := objstore.ObjectInfo{Bucket: bucket, Key: key, Size: size, ETag: etag, LastModified: lm, Meta: meta,
		VersionID: h.Get("X-Amz-Version-Id"), IsLatest: true}
	info.PartsCount = partsCount(h.Get("X-Amz-Mp-Parts-Count"), etag)
	return info, mp, nil
}

// partsCount is x-amz-mp-parts-count, or the "-N" suffix of a multipart ETag.
func partsCount(header, etag string) int {
	if n, err := strconv.Atoi(header); err == nil && n > 0 {
		return n
	}
	if i := strings.LastIndexByte(etag, '-'); i >= 0 {
		if n, err := strconv.Atoi(etag[i+1:]); err == nil && n > 0 {
			return n
		}
	}
	return 0
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) < len(prefix) || !strings.EqualFold(s[:len(prefix)], prefix) {
		return "", false
	}
	return s[len(prefix):], true
}

// encodeMetaValue passes printable ASCII as it is and encodes anything else
// as an RFC 2047 "B" word, the form S3 answers with.
func encodeMetaValue(v string) string {
	if printable(v) {
		return v
	}
	return mime.BEncoding.Encode("UTF-8", v)
}

// printable reports whether v is printable ASCII, safe in any header.
func printable(v string) bool {
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return false
		}
	}
	return true
}

// decodeMetaValue undoes encodeMetaValue; values that are not encoded words
// are returned as they are.
func decodeMetaValue(v string) string {
	if !strings.HasPrefix(v, "=?") {
		return v
	}
	if d, err := new(mime.WordDecoder).DecodeHeader(v); err == nil {
		return d
	}
	return v
}

// lastModified parses an XML timestamp (ISO 8601 with or without
// fractions); the zero time when it cannot.
func lastModified(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
