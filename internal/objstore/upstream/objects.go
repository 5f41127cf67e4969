package upstream

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// PutObject streams body to the upstream (see holdBack and spool) with the
// precondition as If-Match / If-None-Match, and describes the stored version
// from the PUT's answer (see putInfo).
//
// The wire layer fills opts.Meta.Checksums as the body ends (a trailing
// checksum), so the metadata headers are written once a body read whole has
// been read; a streamed body's headers leave first, and its checksums are
// recorded in the state bucket once the upstream has stored it (mp=1 tells
// readers to look there). A reader in between sees the object without them.
func (b *Backend) PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts objstore.PutOptions) (objstore.ObjectInfo, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	if err := refuseDataKey(opts.Encrypt); err != nil {
		return objstore.ObjectInfo{}, err
	}
	h := make(http.Header, 8)
	if err := b.setPrecondition(ctx, h, name, key, opts.Precondition); err != nil {
		return objstore.ObjectInfo{}, err
	}
	m := opts.Meta
	later := size > smallBody && (m.ChecksumType != "" || len(m.Checksums) > 0)
	c := &call{op: "PutObject", method: http.MethodPut, bucket: name, key: key, header: h}
	resp, err := b.sendBody(ctx, c, body, size, func() { setMeta(h, m, later) })
	if err != nil {
		if opts.Precondition.IfMatch != "" {
			return objstore.ObjectInfo{}, b.missingKeyOrBucket(ctx, name, err)
		}
		return objstore.ObjectInfo{}, notFoundIsBucket(err)
	}
	drain(resp.Body)
	etag := objstore.NormalizeETag(resp.Header.Get("ETag"))
	if later {
		rec := completedRecord{ETag: etag, Checksums: m.Checksums, ChecksumType: m.ChecksumType}
		if err := b.putJSON(ctx, completedKey(name, key), rec); err != nil {
			return objstore.ObjectInfo{}, err
		}
	}
	return b.putInfo(bucket, key, etag, c.size, m, resp.Header)
}

// putInfo describes the version a PUT stored from the PUT's answer, without
// a HEAD (which cost a second upstream round trip per PUT). S3's PUT answer
// has no Last-Modified (some upstreams add one, preferred when present), but
// its Date is when the upstream had committed the version: both have second
// precision, and the stored Last-Modified is one second earlier only when
// the commit and the answer straddle a second. A PUT's LastModified is not
// sent to S3 clients (GET, HEAD and listings read the upstream's own).
func (b *Backend) putInfo(bucket, key, etag string, size int64, m objstore.ObjectMeta, h http.Header) (objstore.ObjectInfo, error) {
	if etag == "" {
		return objstore.ObjectInfo{}, b.badAnswer("PutObject", "no ETag")
	}
	lm, err := http.ParseTime(h.Get("Last-Modified"))
	if err != nil {
		lm, err = http.ParseTime(h.Get("Date"))
	}
	if err != nil {
		return objstore.ObjectInfo{}, b.badAnswer("PutObject", "no Date")
	}
	return objstore.ObjectInfo{Bucket: bucket, Key: key, Size: size, ETag: etag, LastModified: lm, Meta: m,
		VersionID: h.Get("X-Amz-Version-Id"), IsLatest: true}, nil
}

// sendBody sends c with body, held back or spooled, and returns the body's
// own error, unwrapped, when it failed. headers, when not nil, completes
// c.header just before sending: after the body, when it is read whole first.
func (b *Backend) sendBody(ctx context.Context, c *call, body io.Reader, size int64, headers func()) (*http.Response, error) {
	if headers == nil {
		headers = func() {}
	}
	switch {
	case size < 0:
		f, n, err := spool(b.opt.SpoolDir, body)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		c.body, c.size = f, n
		headers()
		return b.do(ctx, c)
	case size <= smallBody:
		data, err := readSmall(body, size)
		if err != nil {
			return nil, err
		}
		c.body, c.size = bytes.NewReader(data), size
		headers()
		return b.do(ctx, c)
	}
	headers()
	// The transport pulls 32 KiB at a time; reading the client's body in 256 KiB takes an
	// eighth of the system calls and hashes in longer runs.
	hb := newHoldBack(bufio.NewReaderSize(body, 256<<10), size)
	c.body, c.size = hb, size
	resp, err := b.do(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotConn: hb.gotConn}), c)
	if hb.err != nil {
		if resp != nil {
			drain(resp.Body)
		}
		return nil, hb.err
	}
	return resp, err
}

// writtenInfo describes the version a write just stored: a HEAD gives its
// LastModified and size. When a concurrent writer has already replaced it
// (another ETag), the write is described from what it knows.
func (b *Backend) writtenInfo(ctx context.Context, bucket, name, key, etag string, h http.Header) (objstore.ObjectInfo, error) {
	info, err := b.head(ctx, bucket, name, key)
	if err == nil && (etag == "" || info.ETag == etag) {
		return info, nil
	}
	if errors.Is(err, objstore.ErrUnavailable) || errors.Is(err, context.Canceled) {
		return objstore.ObjectInfo{}, err
	}
	lm, _ := http.ParseTime(h.Get("Date"))
	return objstore.ObjectInfo{Bucket: bucket, Key: key, ETag: etag, LastModified: lm,
		PartsCount: partsCount("", etag)}, nil
}

// GetObject opens the object, ranged when opts.Range is set. The range is
// resolved here with Range.Resolve, so that upstreams that ignore a range
// (an empty object, "bytes=50-10") still answer as the contract says.
func (b *Backend) GetObject(ctx context.Context, bucket, key string, opts objstore.GetOptions) (*objstore.Object, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return nil, err
	}
	r := opts.Range
	if r != nil && r.Suffix && r.SuffixLength <= 0 {
		if _, err := b.headVersion(ctx, bucket, name, key, opts.VersionID); err != nil {
			return nil, err
		}
		_, _, err := r.Resolve(0)
		return nil, err
	}
	c := &call{op: "GetObject", method: http.MethodGet, bucket: name, key: key}
	if r != nil {
		c.header = header("Range", rangeHeader(*r))
	}
	if opts.PartNumber > 0 {
		c.query = []param{{name: "partNumber", value: strconv.Itoa(opts.PartNumber)}}
	}
	c.query = sortedParams(append(c.query, versionParam(opts.VersionID)...))
	resp, err := b.do(ctx, c)
	if err != nil {
		if errors.Is(err, objstore.ErrInvalidRange) && r != nil {
			return nil, fmt.Errorf("%w: %s", objstore.ErrInvalidRange, rangeHeader(*r))
		}
		return nil, err
	}
	var obj *objstore.Object
	var mp bool
	if opts.PartNumber > 0 {
		obj, mp, err = b.openPart(bucket, key, resp, opts.PartNumber)
	} else {
		obj, mp, err = b.openObject(bucket, key, resp, r)
	}
	if err == nil && mp {
		err = b.completedChecksums(ctx, name, key, &obj.Info)
	}
	if err == nil {
		err = b.readTags(ctx, name, key, opts.VersionID, resp.Header, &obj.Info)
	}
	if err != nil {
		drain(resp.Body)
		return nil, err
	}
	return obj, nil
}

// openObject describes a GET answer and positions its body on the range.
func (b *Backend) openObject(bucket, key string, resp *http.Response, r *objstore.Range) (*objstore.Object, bool, error) {
	size, offset, length, ok := resp.ContentLength, int64(0), resp.ContentLength, resp.ContentLength >= 0
	if resp.StatusCode == http.StatusPartialContent {
		offset, length, size, ok = parseContentRange(resp.Header.Get("Content-Range"))
		ok = ok && length == resp.ContentLength
	}
	if !ok {
		return nil, false, b.badAnswer("GetObject", "no usable Content-Length or Content-Range")
	}
	info, mp, err := b.objectInfo("GetObject", bucket, key, resp.Header, size)
	if err != nil {
		return nil, false, err
	}
	obj := &objstore.Object{Info: info, Body: objectBody{resp.Body}, Offset: offset, Length: length, Ranged: r != nil}
	if r == nil || resp.StatusCode == http.StatusPartialContent {
		return obj, mp, nil
	}
	// The upstream served the whole object: serve the range from it.
	if obj.Offset, obj.Length, err = r.Resolve(size); err != nil {
		return nil, false, err
	}
	if _, err := io.CopyN(io.Discard, resp.Body, obj.Offset); err != nil {
		return nil, false, unavailable("GetObject", "skipping to the range: "+err.Error(), err)
	}
	obj.Body = limitedBody{io.LimitReader(resp.Body, obj.Length), resp.Body}
	return obj, mp, nil
}

// openPart describes the answer to a GET of one part. An upstream answers 206 with the
// part's Content-Range; a 200 is the whole object, which is part 1 only of an object that
// is not multipart (an upstream that ignored partNumber on a multipart object is refused:
// serving the whole object as a part would be a wrong answer).
func (b *Backend) openPart(bucket, key string, resp *http.Response, n int) (*objstore.Object, bool, error) {
	obj, mp, err := b.openObject(bucket, key, resp, nil)
	if err != nil {
		return nil, false, err
	}
	if obj.Info.PartsCount == 1 && !strings.Contains(obj.Info.ETag, "-") {
		// SeaweedFS counts a plain object as one part on a part read; it has none.
		obj.Info.PartsCount = 0
	}
	if resp.StatusCode == http.StatusPartialContent {
		obj.Ranged = true
		return obj, mp, nil
	}
	switch {
	case n > 1 && obj.Info.PartsCount <= 1:
		return nil, false, fmt.Errorf("%w: part %d of an object of 1 part", objstore.ErrInvalidPartNumber, n)
	case obj.Info.PartsCount > 1:
		return nil, false, b.badAnswer("GetObject", "the whole of a multipart object for partNumber="+strconv.Itoa(n))
	}
	obj.Ranged = true
	return obj, mp, nil
}

type limitedBody struct {
	io.Reader
	io.Closer
}

// rangeHeader renders r as an HTTP Range header value.
func rangeHeader(r objstore.Range) string {
	switch {
	case r.Suffix:
		return "bytes=-" + strconv.FormatInt(r.SuffixLength, 10)
	case r.Last < 0:
		return "bytes=" + strconv.FormatInt(r.First, 10) + "-"
	}
	return "bytes=" + strconv.FormatInt(r.First, 10) + "-" + strconv.FormatInt(r.Last, 10)
}

// parseContentRange reads "bytes first-last/size".
func parseContentRange(v string) (offset, length, size int64, ok bool) {
	rest, ok := strings.CutPrefix(v, "bytes ")
	span, total, ok2 := strings.Cut(rest, "/")
	first, last, ok3 := strings.Cut(span, "-")
	if !ok || !ok2 || !ok3 {
		return 0, 0, 0, false
	}
	f, err1 := strconv.ParseInt(first, 10, 64)
	l, err2 := strconv.ParseInt(last, 10, 64)
	s, err3 := strconv.ParseInt(total, 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || f < 0 || l < f || l >= s {
		return 0, 0, 0, false
	}
	return f, l - f + 1, s, true
}

// HeadObject describes the object.
func (b *Backend) HeadObject(ctx context.Context, bucket, key, versionID string) (objstore.ObjectInfo, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	return b.headVersion(ctx, bucket, name, key, versionID)
}

// ObjectParts describes the object; the sizes and checksums of an upstream's parts are
// not read (that would take a request per part), so parts are nil.
func (b *Backend) ObjectParts(ctx context.Context, bucket, key, versionID string) (objstore.ObjectInfo, []objstore.PartInfo, error) {
	info, err := b.HeadObject(ctx, bucket, key, versionID)
	return info, nil, err
}

// head is HeadObject on the upstream name. A bodiless 404 is told apart
// (NoSuchKey or NoSuchBucket) with a HEAD of the bucket. The checksums of a
// multipart object completed through inkan are read from the state bucket.
func (b *Backend) head(ctx context.Context, bucket, name, key string) (objstore.ObjectInfo, error) {
	return b.headVersion(ctx, bucket, name, key, "")
}

// headVersion is head of version vid ("" for the current one).
func (b *Backend) headVersion(ctx context.Context, bucket, name, key, vid string) (objstore.ObjectInfo, error) {
	hdr, err := b.doDiscard(ctx, &call{op: "HeadObject", method: http.MethodHead, bucket: name, key: key, query: versionParam(vid)})
	for attempt := 0; err == nil && hdr.Get("ETag") == "" && attempt < maxRetries; attempt++ {
		// versitygw answers a HEAD of an object that a concurrent write or
		// copy is creating without its ETag (the file exists, its
		// attributes do not yet): read it again once the write is done.
		if !sleep(ctx, backoff(attempt)) {
			break
		}
		hdr, err = b.doDiscard(ctx, &call{op: "HeadObject", method: http.MethodHead, bucket: name, key: key, query: versionParam(vid)})
	}
	if err != nil {
		var e *Error
		if errors.As(err, &e) && e.Status == http.StatusNotFound {
			if berr := b.headBucket(ctx, name); berr != nil {
				return objstore.ObjectInfo{}, berr
			}
		}
		return objstore.ObjectInfo{}, err
	}
	size, perr := strconv.ParseInt(hdr.Get("Content-Length"), 10, 64)
	if perr != nil {
		return objstore.ObjectInfo{}, b.badAnswer("HeadObject", "no Content-Length")
	}
	info, mp, err := b.objectInfo("HeadObject", bucket, key, hdr, size)
	if err == nil && mp {
		err = b.completedChecksums(ctx, name, key, &info)
	}
	if err == nil {
		err = b.readTags(ctx, name, key, vid, hdr, &info)
	}
	return info, err
}

// DeleteObject deletes the key; S3 answers 204 for a missing key too. A
// conditional delete reads the current version, checks opts.IfMatch against
// it and sends the DELETE with If-Match of the ETag checked: atomic on an
// upstream that honours If-Match on DELETE (AWS S3 since 2025), a
// check-then-delete with a short race window on one that ignores it.
func (b *Backend) DeleteObject(ctx context.Context, bucket, key string, opts objstore.DeleteOptions) (objstore.DeleteResult, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return objstore.DeleteResult{}, err
	}
	return b.deleteObject(ctx, bucket, name, key, opts)
}

func (b *Backend) deleteObject(ctx context.Context, bucket, name, key string, opts objstore.DeleteOptions) (objstore.DeleteResult, error) {
	c := &call{op: "DeleteObject", method: http.MethodDelete, bucket: name, key: key, query: versionParam(opts.VersionID)}
	if opts.IfMatch != "" {
		c.header = http.Header{}
		if err := b.pinDeleted(ctx, c.header, bucket, name, key, opts); err != nil {
			return objstore.DeleteResult{}, err
		}
	}
	hdr, err := b.doDiscard(ctx, c)
	if err == nil {
		return deleteResult(hdr), nil
	}
	return objstore.DeleteResult{}, b.deleteFailed(ctx, name, key, opts, err)
}

// deleteFailed reads a failed DELETE's error.
func (b *Backend) deleteFailed(ctx context.Context, name, key string, opts objstore.DeleteOptions, err error) error {
	var e *Error
	if opts.IfMatch != "" && errors.As(err, &e) && e.Code == "NoSuchKey" {
		return fmt.Errorf("%w: %q was deleted while its delete was checked", objstore.ErrNoSuchKey, key)
	}
	if errors.As(err, &e) && (e.Code == "NoSuchKey" || e.Code == "NoSuchVersion" || e.Code == "ErrDirectoryNotEmpty") {
		// S3 deletes a missing key with 204, but versitygw answers NoSuchKey
		// to the loser of two concurrent deletes, and ErrDirectoryNotEmpty
		// for "dir/" when only keys under it exist: the key is gone either
		// way, once the bucket is known to exist.
		return b.headBucket(ctx, name)
	}
	return err
}

// pinDeleted checks a conditional delete's opts.IfMatch against the version
// it deletes (the current one, or opts.VersionID's) and pins it with
// If-Match; a missing version is ErrNoSuchKey, as for the current one.
func (b *Backend) pinDeleted(ctx context.Context, h http.Header, bucket, name, key string, opts objstore.DeleteOptions) error {
	pre := objstore.Precondition{IfMatch: opts.IfMatch}
	if opts.VersionID == "" {
		return b.pinCurrent(ctx, h, name, key, pre, true)
	}
	info, err := b.headVersion(ctx, bucket, name, key, opts.VersionID)
	var dm *objstore.DeleteMarkerError
	if errors.Is(err, objstore.ErrNoSuchVersion) || errors.As(err, &dm) {
		return pre.Check(false, "")
	}
	if err != nil {
		return err
	}
	if err := pre.Check(true, info.ETag); err != nil {
		return err
	}
	h.Set("If-Match", quoteETag(info.ETag))
	return nil
}

// notFoundIsBucket reads a 404 on a write as the bucket's: a write of a key
// needs no existing key.
func notFoundIsBucket(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound && e.Code == "NoSuchKey" {
		e.Code, e.kind = "NoSuchBucket", objstore.ErrNoSuchBucket
	}
	return err
}

// missingKeyOrBucket tells a 404 on a conditional write apart: NoSuchKey
// (If-Match on a missing key) when the bucket exists.
func (b *Backend) missingKeyOrBucket(ctx context.Context, name string, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Status != http.StatusNotFound {
		return err
	}
	if berr := b.headBucket(ctx, name); berr != nil {
		return berr
	}
	e.Code, e.kind = "NoSuchKey", objstore.ErrNoSuchKey
	return err
}

// setPrecondition sends p as If-Match and If-None-Match. S3 supports
// If-None-Match only as "*", and some upstreams (versitygw) refuse
// "If-Match: *": both are emulated by reading the current version, checking
// p against it, and pinning it with If-Match (or requiring none with
// If-None-Match: *), so the write still commits only over the version that
// was checked.
func (b *Backend) setPrecondition(ctx context.Context, h http.Header, name, key string, p objstore.Precondition) error {
	im, inm := objstore.NormalizeETag(p.IfMatch), objstore.NormalizeETag(p.IfNoneMatch)
	if im != "" && im != "*" {
		h.Set("If-Match", quoteETag(im))
	}
	if inm == "*" {
		h.Set("If-None-Match", "*")
	}
	if im != "*" && (inm == "" || inm == "*") {
		return nil
	}
	return b.pinCurrent(ctx, h, name, key, p, true)
}

// pinCurrent reads the current version of key, checks p against it, and pins it in h
// (If-Match its ETag, or If-None-Match: * when there is none), so that the write commits
// only over the version that was checked. checkBucket tells a missing bucket from a
// missing key first (a write's destination bucket may not have been checked yet).
func (b *Backend) pinCurrent(ctx context.Context, h http.Header, name, key string, p objstore.Precondition, checkBucket bool) error {
	cur, err := b.doDiscard(ctx, &call{op: "HeadObject", method: http.MethodHead, bucket: name, key: key})
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		if checkBucket {
			if berr := b.headBucket(ctx, name); berr != nil {
				return berr
			}
		}
		if err := p.Check(false, ""); err != nil {
			return err
		}
		h.Set("If-None-Match", "*")
		return nil
	}
	if err != nil {
		return err
	}
	etag := objstore.NormalizeETag(cur.Get("ETag"))
	if err := p.Check(true, etag); err != nil {
		return err
	}
	h.Set("If-Match", quoteETag(etag))
	return nil
}

// quoteETag quotes an ETag for a header ("*" stays bare).
func quoteETag(etag string) string {
	etag = objstore.NormalizeETag(etag)
	if etag == "*" {
		return etag
	}
	return `"` + etag + `"`
}

// refuseDataKey refuses inkan's encryption at rest: the upstream S3 stores
// the bytes, with its own keys or none, and inkan's data keys cannot reach
// it (docs/upstream.md). The wire layer does not send data keys to this
// backend; this is the contract's guard.
func refuseDataKey(dk *objstore.DataKey) error {
	if dk != nil {
		return fmt.Errorf("%w: upstream backend", objstore.ErrEncryptionUnsupported)
	}
	return nil
}
