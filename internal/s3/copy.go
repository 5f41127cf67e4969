package s3

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/sse"
)

// copySource is the object named by x-amz-copy-source.
type copySource struct {
	bucket, key string
	// versionID is the version named by "?versionId=", "" for the current one.
	versionID string
}

// copySource parses x-amz-copy-source: "bucket/key" or "/bucket/key", URL-encoded, with an
// optional "?versionId=" naming the source version.
func (c *call) copySource() (copySource, error) {
	v := c.header("x-amz-copy-source")
	bad := func(why string) error {
		e := errInvalidArgument.because(why, nil).with(Field{"ArgumentName", "x-amz-copy-source"}, Field{"ArgumentValue", v})
		e.Message = "Copy Source must mention the source bucket and key: sourcebucket/sourcekey"
		return e
	}
	path, query, hasQuery := strings.Cut(v, "?")
	var vid string
	if hasQuery {
		q, err := url.ParseQuery(query)
		if err != nil || len(q) != 1 || len(q["versionId"]) != 1 {
			return copySource{}, bad("x-amz-copy-source has a query other than one versionId")
		}
		if vid = q.Get("versionId"); !plausibleVersionID(vid) || vid == "" {
			return copySource{}, invalidVersionID(vid, nil)
		}
	}
	dec, err := url.PathUnescape(path)
	if err != nil {
		return copySource{}, bad("x-amz-copy-source is not URL-encoded correctly")
	}
	if strings.HasPrefix(dec, "arn:") {
		return copySource{}, errNotImplemented.because("access point copy sources are not implemented by inkan", nil)
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(dec, "/"), "/")
	if bucket == "" || key == "" {
		return copySource{}, bad("x-amz-copy-source names no bucket and key")
	}
	if err := objstore.CheckNames(key); err != nil {
		// A header, not the URI: InvalidArgument naming it, as for any other bad copy
		// source, where the URI's own key gets InvalidURI (checkNames).
		return copySource{}, bad("the copy source key " + err.Error())
	}
	if why := bucketNameProblem(bucket); why != "" {
		return copySource{}, errInvalidBucketName.because(why, nil).with(Field{"BucketName", bucket})
	}
	return copySource{bucket: bucket, key: key, versionID: vid}, nil
}

// copyKeys are CopyObject's and UploadPartCopy's condition keys.
func copyKeys(c *call) policy.Keys {
	k := sseKeys(c)
	k["s3:x-amz-copy-source"] = []string{c.header("x-amz-copy-source")}
	if v := c.header("x-amz-metadata-directive"); v != "" {
		k["s3:x-amz-metadata-directive"] = []string{v}
	}
	return k
}

// readSource authorizes reading the source (s3:GetObject on it, reference §6, or
// s3:GetObjectVersion with s3:versionid for a named version) and checks the
// x-amz-copy-source-if-* conditions and the source's SSE-C key; it returns the source's
// description, whose ETag the copy then requires so that a concurrent overwrite cannot
// slip in, and its opener. A source whose current version is a delete marker is a missing
// key; one that names a delete marker is S3's 400 InvalidRequest.
//
// The source is read before the authorization so that s3:ExistingObjectTag/<key> holds its
// tags; a missing source is answered only after the caller was authorized.
func (h *Handler) readSource(c *call, src copySource) (objstore.ObjectInfo, openedSource, error) {
	out := openedSource{CopySource: objstore.CopySource{Bucket: src.bucket, Key: src.key, VersionID: src.versionID}}
	info, err := h.o.Backend.HeadObject(c.ctx, src.bucket, src.key, src.versionID)
	var keys policy.Keys
	if err == nil {
		keys = existingTagKeys(info.Meta.Tags)
	}
	action := "s3:GetObject"
	if src.versionID != "" {
		if keys == nil {
			keys = policy.Keys{}
		}
		action, keys["s3:versionid"] = "s3:GetObjectVersion", []string{src.versionID}
	}
	if err := h.authorize(c, action, src.bucket, src.key, keys); err != nil {
		return objstore.ObjectInfo{}, out, err
	}
	customer, cerr := parseCustomerKey(c.r, hdrCopyCustomer)
	if cerr != nil {
		return objstore.ObjectInfo{}, out, cerr
	}
	var dm *objstore.DeleteMarkerError
	if errors.As(err, &dm) && dm.Named {
		e := errInvalidRequest.because("the copy source names a delete marker", err)
		e.Message = "The source of a copy request may not specifically refer to a delete marker by version id."
		return info, out, e
	}
	if err != nil {
		return info, out, h.missingSource(c, src, err)
	}
	if err := copyConditions(c, info); err != nil {
		return info, out, err
	}
	if err := h.checkReadKey(c, info.Encryption, customer); err != nil {
		return info, out, err
	}
	out.IfMatch, out.Keys, out.Customer = info.ETag, h.opener(c, customer, nil), customer
	return info, out, nil
}

// missingSource applies the 404-or-403 rule to the copy source's bucket.
func (h *Handler) missingSource(c *call, src copySource, err error) error {
	inner := *c
	inner.bucket, inner.key = src.bucket, src.key
	inner.op = &operation{name: c.op.name, action: "s3:GetObject"}
	inner.query = url.Values{}
	if src.versionID != "" {
		inner.op.action = "s3:GetObjectVersion"
		inner.query.Set("versionId", src.versionID)
	}
	err = h.missingObject(&inner, bucketError(&inner, err))
	c.denial = inner.denial
	return err
}

// openedSource is a copy source as the backend reads it, with the request's SSE-C key for
// it (nil without one).
type openedSource struct {
	objstore.CopySource
	Customer *sse.CustomerKey
}

// copyConditions evaluates x-amz-copy-source-if-match, -if-unmodified-since,
// -if-none-match and -if-modified-since. Unlike GET, every failure is 412.
func copyConditions(c *call, info objstore.ObjectInfo) error {
	lm := info.LastModified.Truncate(time.Second)
	fail := func(cond string) error {
		return errPreconditionFailed.because(cond+" does not hold for the copy source", nil).with(Field{"Condition", cond})
	}
	if v := c.header("x-amz-copy-source-if-match"); v != "" {
		if !etagListMatches(v, info.ETag) {
			return fail("x-amz-copy-source-If-Match")
		}
	} else if t, ok := httpDate(c.header("x-amz-copy-source-if-unmodified-since")); ok && lm.After(t) {
		return fail("x-amz-copy-source-If-Unmodified-Since")
	}
	if v := c.header("x-amz-copy-source-if-none-match"); v != "" {
		if etagListMatches(v, info.ETag) {
			return fail("x-amz-copy-source-If-None-Match")
		}
	} else if t, ok := httpDate(c.header("x-amz-copy-source-if-modified-since")); ok && !lm.After(t) {
		return fail("x-amz-copy-source-If-Modified-Since")
	}
	return nil
}

// copyObject copies the source's current version to the target key, with its metadata
// (COPY) or the request's (REPLACE).
func (h *Handler) copyObject(c *call) error {
	if err := c.refuseUnsupported(); err != nil {
		return err
	}
	req, err := parseWriteSSE(c.r)
	if err != nil {
		return err
	}
	src, err := c.copySource()
	if err != nil {
		return err
	}
	opts := objstore.CopyOptions{Precondition: writeConditions(c)}
	tagDirective := c.header("x-amz-tagging-directive")
	if tagDirective != "" && tagDirective != "COPY" && tagDirective != "REPLACE" {
		return errInvalidArgument.because("x-amz-tagging-directive must be COPY or REPLACE", nil).
			with(Field{"ArgumentName", "x-amz-tagging-directive"}, Field{"ArgumentValue", tagDirective})
	}
	if _, err := h.checkWrite(c); err != nil {
		return err
	}
	switch d := c.header("x-amz-metadata-directive"); d {
	case "", "COPY":
		if src.bucket == c.bucket && src.key == c.key && !encryptionHeaders(c.r) {
			e := errInvalidRequest.because("a copy onto itself must replace the metadata", nil)
			e.Message = "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
			return e
		}
	case "REPLACE":
		meta, err := c.objectMeta()
		if err != nil {
			return err
		}
		opts.Meta = &meta
	default:
		return errInvalidArgument.because("x-amz-metadata-directive must be COPY or REPLACE", nil).
			with(Field{"ArgumentName", "x-amz-metadata-directive"}, Field{"ArgumentValue", d})
	}
	info, source, err := h.readSource(c, src)
	if err != nil {
		return err
	}
	if info.Size > maxObjectSize {
		return errInvalidRequest.because("the copy source is larger than 5 GiB; copy it with UploadPartCopy", nil)
	}
	copyTags(c, &opts, info, tagDirective)
	enc, err := h.copyEncryption(c, info, source.Customer, req)
	if err != nil {
		return err
	}
	opts.Reencrypt, opts.Encrypt = enc.Reencrypt, enc.Encrypt
	out, err := h.o.Backend.CopyObject(c.ctx, source.CopySource, c.bucket, c.key, opts)
	if err != nil {
		return bucketError(c, err)
	}
	copyVersionHeaders(c.w.Header(), info.VersionID, out.VersionID)
	setSSEHeaders(c.w.Header(), out.Encryption, req.customer)
	return writeXML(c.w, copyObjectResult{Xmlns: xmlns, ETag: quoteETag(out.ETag), LastModified: s3Time(out.LastModified),
		checksumFields: toChecksumFields(out.Meta.Checksums)})
}

// copyTags applies x-amz-tagging-directive: COPY (the default) keeps the source's tags,
// REPLACE sets the request's x-amz-tagging (none when it is absent), whatever the metadata
// directive says. The source's metadata, read under the ETag the copy pins, stands in for
// COPY metadata when only the tags are replaced.
func copyTags(c *call, opts *objstore.CopyOptions, src objstore.ObjectInfo, directive string) {
	tags := src.Meta.Tags
	if directive == "REPLACE" {
		tags = c.writtenTags().tags
	} else if opts.Meta == nil {
		return
	}
	if opts.Meta == nil {
		m := src.Meta
		opts.Meta = &m
	}
	opts.Meta.Tags = tags
}

// copyRange parses x-amz-copy-source-range, which must be "bytes=first-last" within the
// source.
func copyRange(v string, size int64) (*objstore.Range, error) {
	if v == "" {
		return nil, nil
	}
	r := parseRange(v)
	if r == nil || r.Suffix || r.Last < 0 || r.Last >= size {
		e := errInvalidArgument.because("x-amz-copy-source-range "+strconv.Quote(v)+" is not bytes=first-last within a source of "+
			strconv.FormatInt(size, 10)+" bytes", nil).with(Field{"ArgumentName", "x-amz-copy-source-range"})
		e.Message = "Range specified is not valid for source object of size: " + strconv.FormatInt(size, 10)
		return nil, e
	}
	return r, nil
}

// copyVersionHeaders are a copy's version headers: the source version's id
// (x-amz-copy-source-version-id, when it has one) and the copy's, "null" when the target
// bucket is not versioning (S3 reports that even for a bucket never versioned [M]).
func copyVersionHeaders(h http.Header, source, copied string) {
	if source != "" {
		h.Set("x-amz-copy-source-version-id", source)
	}
	if copied == "" {
		copied = objstore.NullVersion
	}
	h.Set("x-amz-version-id", copied)
}
