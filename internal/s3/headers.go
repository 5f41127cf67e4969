package s3

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/checksum"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// maxUserMetadata is S3's limit on the x-amz-meta-* headers of an object: 2 KB of names
// and values.
const maxUserMetadata = 2 << 10

// defaultContentType is what S3 reports for an object written without a Content-Type.
const defaultContentType = "binary/octet-stream"

// objectMeta reads the metadata headers of a write (PutObject, CopyObject with REPLACE,
// CreateMultipartUpload).
func (c *call) objectMeta() (objstore.ObjectMeta, error) {
	return objectMetaFrom(c.r.Header)
}

// objectMetaFrom reads the metadata of a new object from h: a request's headers, or the
// fields of a POST form read as headers.
func objectMetaFrom(h http.Header) (objstore.ObjectMeta, error) {
	m := objstore.ObjectMeta{
		ContentType:        h.Get("Content-Type"),
		ContentEncoding:    sigv4.StripAWSChunked(h.Get("Content-Encoding")),
		ContentDisposition: h.Get("Content-Disposition"),
		ContentLanguage:    h.Get("Content-Language"),
		CacheControl:       h.Get("Cache-Control"),
		Expires:            h.Get("Expires"),
	}
	if m.ContentType == "" {
		m.ContentType = defaultContentType
	}
	size := 0
	for name, values := range h {
		lower := strings.ToLower(name)
		key, ok := strings.CutPrefix(lower, "x-amz-meta-")
		if !ok || key == "" {
			continue
		}
		if m.UserMeta == nil {
			m.UserMeta = map[string]string{}
		}
		v := strings.Join(values, ",")
		m.UserMeta[key] = v
		size += len(key) + len(v)
	}
	if size > maxUserMetadata {
		return m, errMetadataTooLarge.because("the x-amz-meta-* headers hold "+strconv.Itoa(size)+" bytes; at most 2048 are allowed", nil).
			with(Field{"Size", strconv.Itoa(size)}, Field{"MaxSizeAllowed", strconv.Itoa(maxUserMetadata)})
	}
	return m, nil
}

// refuseUnsupported answers NotImplemented for request headers that ask for features inkan
// does not have (object lock, other storage classes): storing the object without them
// would be a wrong success. Tags (tagging.go), ACLs (acl.go) and encryption headers
// (sse.go) are read by the handlers.
func (c *call) refuseUnsupported() error {
	return refuseUnsupported(c.r.Header)
}

// refuseUnsupported is refuseUnsupported of the headers h.
func refuseUnsupported(h http.Header) error {
	for name, values := range h {
		lower := strings.ToLower(name)
		v := strings.Join(values, ",")
		switch {
		case strings.HasPrefix(lower, "x-amz-object-lock-"),
			lower == "x-amz-website-redirect-location",
			lower == "x-amz-storage-class" && v != "STANDARD":
			return errNotImplemented.because("header "+lower+": "+strconv.Quote(v)+" is not implemented by inkan", nil).
				with(Field{"Header", lower})
		}
	}
	return nil
}

// setObjectHeaders writes the headers that describe an object on GET and HEAD, but for
// its checksums (setChecksumHeaders), which depend on the request.
func setObjectHeaders(h http.Header, info objstore.ObjectInfo) {
	m := info.Meta
	h.Set("ETag", quoteETag(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	ct := m.ContentType
	if ct == "" {
		ct = defaultContentType
	}
	h.Set("Content-Type", ct)
	for _, f := range [...]struct{ name, value string }{
		{"Content-Encoding", m.ContentEncoding}, {"Content-Disposition", m.ContentDisposition},
		{"Content-Language", m.ContentLanguage}, {"Cache-Control", m.CacheControl}, {"Expires", m.Expires},
	} {
		if f.value != "" {
			h.Set(f.name, f.value)
		}
	}
	for k, v := range m.UserMeta {
		h["x-amz-meta-"+k] = []string{v}
	}
}

// setChecksumHeaders echoes stored checksums as x-amz-checksum-* headers.
func setChecksumHeaders(h http.Header, sums map[string]string, typ string) {
	for name, v := range sums {
		if a, err := checksum.Parse(name); err == nil && a != checksum.MD5 && v != "" {
			h.Set(a.Header(), v)
		}
	}
	if len(sums) > 0 && typ != "" {
		h.Set("x-amz-checksum-type", typ)
	}
}

// responseOverrides applies the response-* query parameters of GetObject and HeadObject.
// S3 refuses them on anonymous requests.
func (c *call) responseOverrides(h http.Header) error {
	for _, o := range [...]struct{ param, header string }{
		{"response-content-type", "Content-Type"}, {"response-content-language", "Content-Language"},
		{"response-expires", "Expires"}, {"response-cache-control", "Cache-Control"},
		{"response-content-disposition", "Content-Disposition"}, {"response-content-encoding", "Content-Encoding"},
	} {
		v, ok := c.query[o.param]
		if !ok {
			continue
		}
		if c.principal == nil {
			return errInvalidRequest.because("response-* overrides need a signed request", nil).
				with(Field{"ArgumentName", o.param})
		}
		h.Set(o.header, strings.Join(v, ","))
	}
	return nil
}

func quoteETag(etag string) string { return `"` + etag + `"` }

// readConditions evaluates If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since for GET and HEAD in RFC 9110 §13.2.2 order, which is also S3's: a true
// If-Match overrides a false If-Unmodified-Since, and a false If-None-Match overrides a true
// If-Modified-Since. It returns PreconditionFailed (412), NotModified (304) or nil.
func readConditions(h http.Header, info objstore.ObjectInfo) error {
	lm := info.LastModified.Truncate(time.Second)
	if v := h.Get("If-Match"); v != "" {
		if !etagListMatches(v, info.ETag) {
			return errPreconditionFailed.because("If-Match "+v+" does not match ETag "+quoteETag(info.ETag), nil).
				with(Field{"Condition", "If-Match"})
		}
	} else if t, ok := httpDate(h.Get("If-Unmodified-Since")); ok && lm.After(t) {
		return errPreconditionFailed.because("the object was modified after If-Unmodified-Since", nil).
			with(Field{"Condition", "If-Unmodified-Since"})
	}
	if v := h.Get("If-None-Match"); v != "" {
		if etagListMatches(v, info.ETag) {
			return errNotModified
		}
	} else if t, ok := httpDate(h.Get("If-Modified-Since")); ok && !lm.After(t) {
		return errNotModified
	}
	return nil
}

// etagListMatches reports whether a comma-separated list of entity tags, or "*", names etag.
func etagListMatches(list, etag string) bool {
	for _, v := range strings.Split(list, ",") {
		v = strings.TrimSpace(v)
		if v == "*" || objstore.NormalizeETag(v) == etag {
			return true
		}
	}
	return false
}

func httpDate(v string) (time.Time, bool) {
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// parseRange reads a Range header: a single "bytes=first-last", "bytes=first-" or
// "bytes=-suffix". S3 serves only one range; anything else (several ranges, another unit,
// a malformed or backwards range) is ignored and the whole object served, as RFC 9110
// allows for a Range header a server does not understand.
func parseRange(v string) *objstore.Range {
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return nil
		}
		return &objstore.Range{Suffix: true, SuffixLength: n}
	}
	f, err := strconv.ParseInt(first, 10, 64)
	if err != nil || f < 0 {
		return nil
	}
	if last == "" {
		return &objstore.Range{First: f, Last: -1}
	}
	l, err := strconv.ParseInt(last, 10, 64)
	if err != nil || l < f {
		return nil
	}
	return &objstore.Range{First: f, Last: l}
}
