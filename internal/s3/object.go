package s3

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// putObject stores the body: nothing is acknowledged before the backend made it durable,
// and nothing is stored when the signature, the payload hash or a checksum fails.
func (h *Handler) putObject(c *call) error {
	if err := c.refuseUnsupported(); err != nil {
		return err
	}
	meta, err := c.objectMeta()
	if err != nil {
		return err
	}
	if meta.Tags, err = h.checkWrite(c); err != nil {
		return err
	}
	req, dk, err := h.writeEncryption(c, c.r)
	if err != nil {
		return err
	}
	p, err := c.payload()
	if err != nil {
		return err
	}
	meta.Checksums = p.sums
	if p.alg != "" {
		meta.ChecksumType = "FULL_OBJECT"
	}
	info, err := h.o.Backend.PutObject(c.ctx, c.bucket, c.key, p, p.size, objstore.PutOptions{Meta: meta, Precondition: writeConditions(c), Encrypt: dk})
	if err != nil {
		return err
	}
	hdr := c.w.Header()
	hdr.Set("ETag", quoteETag(info.ETag))
	writtenVersionHeader(hdr, info.VersionID)
	setSSEHeaders(hdr, info.Encryption, req.customer)
	setChecksumHeaders(hdr, info.Meta.Checksums, info.Meta.ChecksumType)
	h.setExpiration(c, info)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// writeConditions are S3's conditional writes: If-None-Match "*" (create only) and
// If-Match "<etag>" (replace only that version), checked atomically by the backend.
func writeConditions(c *call) objstore.Precondition {
	return objstore.Precondition{IfMatch: c.header("If-Match"), IfNoneMatch: c.header("If-None-Match")}
}

// getObject serves the object, or the requested range of it.
func (h *Handler) getObject(c *call) error {
	return h.readObject(c, true)
}

// headObject describes the object like getObject, without its bytes.
func (h *Handler) headObject(c *call) error {
	return h.readObject(c, false)
}

func (h *Handler) readObject(c *call, withBody bool) error {
	if err := c.refuseUnsupported(); err != nil {
		return err
	}
	customer, err := parseReadSSE(c.r)
	if err != nil {
		return err
	}
	opts := objstore.GetOptions{Keys: h.opener(c, customer, nil)}
	opts.VersionID, _ = c.versionID() // checked by route
	if v := c.header("Range"); v != "" {
		opts.Range = parseRange(v)
	}
	if c.query.Has("partNumber") {
		n, err := c.partNumber()
		if err != nil {
			return err
		}
		if c.header("Range") != "" {
			e := errInvalidRequest.because("a read names both a Range and a partNumber", nil)
			e.Message = "Cannot specify both Range header and partNumber query parameter"
			return e
		}
		opts.PartNumber = n
	}
	obj, err := h.openObject(c, opts, withBody)
	if errors.Is(err, objstore.ErrInvalidPartNumber) {
		return h.invalidPartNumber(c, opts.PartNumber, err)
	}
	if err != nil {
		return h.readFailure(c, err, true)
	}
	if obj.Body != nil {
		defer obj.Body.Close()
	}
	if err := h.checkReadKey(c, obj.Info.Encryption, customer); err != nil {
		return err
	}
	hdr := c.w.Header()
	setObjectHeaders(hdr, obj.Info)
	if err := h.setTaggingCount(c, obj.Info); err != nil {
		return err
	}
	setVersionHeaders(hdr, obj.Info.VersionID, false)
	setSSEHeaders(hdr, obj.Info.Encryption, customer)
	// The checksum headers go on only once the conditions hold: S3 sends none on a 304 or
	// a 412, and botocore (≥ 1.36, which asks for checksums on every GetObject) wraps any
	// answer carrying one in a validating stream, so a 304 or 412 with one reaches the
	// caller as a TypeError instead of the error (reference §12).
	if err := readConditions(c.r.Header, obj.Info); err != nil {
		return err
	}
	h.setExpiration(c, obj.Info)
	if !obj.Ranged && strings.EqualFold(c.header("x-amz-checksum-mode"), "ENABLED") {
		setChecksumHeaders(hdr, obj.Info.Meta.Checksums, obj.Info.Meta.ChecksumType)
	}
	if err := c.responseOverrides(hdr); err != nil {
		return err
	}
	hdr.Set("Content-Length", strconv.FormatInt(obj.Length, 10))
	if opts.PartNumber > 0 && obj.Info.PartsCount > 0 {
		hdr.Set("x-amz-mp-parts-count", strconv.Itoa(obj.Info.PartsCount))
	}
	status := http.StatusOK
	// A part of an empty object is the empty object: 200 without Content-Range, as S3
	// answers it (reference §8).
	if obj.Ranged && !(opts.PartNumber > 0 && obj.Info.Size == 0) {
		status = http.StatusPartialContent
		hdr.Set("Content-Range", "bytes "+strconv.FormatInt(obj.Offset, 10)+"-"+
			strconv.FormatInt(obj.Offset+obj.Length-1, 10)+"/"+strconv.FormatInt(obj.Info.Size, 10))
	}
	c.w.WriteHeader(status)
	if withBody {
		// A failure here cannot be reported any more: the status line is gone. The client
		// sees a short body against Content-Length.
		if _, err := io.Copy(c.w, obj.Body); err != nil {
			h.o.Logger.Warn("s3 response body interrupted", "request_id", c.requestID, "err", err)
		}
	}
	return nil
}

// openObject opens the object for GET, or only describes it for HEAD (a HEAD with a
// Range resolves the range against the size, as S3 answers HEAD with 206 too). A HEAD of a
// part opens the part and closes it unread: only the backend knows where a part lies.
func (h *Handler) openObject(c *call, opts objstore.GetOptions, withBody bool) (*objstore.Object, error) {
	if withBody {
		return h.o.Backend.GetObject(c.ctx, c.bucket, c.key, opts)
	}
	if opts.PartNumber > 0 {
		obj, err := h.o.Backend.GetObject(c.ctx, c.bucket, c.key, opts)
		if err == nil {
			obj.Body.Close()
			obj.Body = nil
		}
		return obj, err
	}
	info, err := h.o.Backend.HeadObject(c.ctx, c.bucket, c.key, opts.VersionID)
	if err != nil {
		return nil, err
	}
	obj := &objstore.Object{Info: info, Length: info.Size}
	if opts.Range != nil {
		obj.Ranged = true
		if obj.Offset, obj.Length, err = opts.Range.Resolve(info.Size); err != nil {
			return nil, err
		}
	}
	return obj, nil
}

// invalidPartNumber is S3's 416 InvalidPartNumber for a part the object does not have,
// with the object's part count (1 for an object that is not multipart).
func (h *Handler) invalidPartNumber(c *call, n int, cause error) error {
	vid, _ := c.versionID()
	info, err := h.o.Backend.HeadObject(c.ctx, c.bucket, c.key, vid)
	if err != nil {
		return h.readFailure(c, err, true)
	}
	return errInvalidPartNumber.because(cause.Error(), cause).
		with(Field{"ActualPartCount", strconv.Itoa(max(info.PartsCount, 1))}, Field{"PartNumberRequested", strconv.Itoa(n)})
}

// missingObject applies S3's rule for a key that does not exist: NoSuchKey (404) only to a
// caller who may list the bucket, AccessDenied (403) to anyone else, so that a caller
// without s3:ListBucket cannot probe which keys exist (reference §6). A version id that
// names nothing is NoSuchVersion under the same rule.
func (h *Handler) missingObject(c *call, err error) error {
	if errors.Is(err, objstore.ErrNoSuchVersion) {
		if ok, aerr := h.allowed(c, "s3:ListBucket", c.bucket, "", listPolicyKeys(c.key)); aerr != nil || !ok {
			return h.missingObject(c, objstore.ErrNoSuchKey)
		}
		return errNoSuchVersion.because("no such version of "+strconv.Quote(c.key), err).
			with(Field{"Key", c.key}, Field{"VersionId", c.query.Get("versionId")})
	}
	if !errors.Is(err, objstore.ErrNoSuchKey) {
		return err
	}
	ok, aerr := h.allowed(c, "s3:ListBucket", c.bucket, "", listPolicyKeys(c.key))
	if aerr != nil {
		return aerr
	}
	if ok {
		return errNoSuchKey.because("no object "+strconv.Quote(c.key)+" in bucket "+c.bucket, err).with(Field{"Key", c.key})
	}
	c.denial = denial{action: c.op.action, resource: c.resource()}
	return errAccessDenied.because("the object does not exist and the caller may not s3:ListBucket "+c.bucket+
		", so S3 answers 403 rather than 404", err)
}

// deleteObject removes the key; deleting a missing key succeeds, as in S3. With If-Match
// it is S3's conditional delete (reference §9): the current version's ETag must match
// (412 PreconditionFailed otherwise), or any version must exist for "*" (404 NoSuchKey
// otherwise, under the 404-or-403 rule of missing objects).
//
// With versionId it removes that version permanently; S3 asks for s3:DeleteObject as well
// as the s3:DeleteObjectVersion the dispatcher authorized. The answer carries the
// version's or the new delete marker's id and x-amz-delete-marker (versioning.go).
func (h *Handler) deleteObject(c *call) error {
	opts, err := h.deleteConditions(c, c.key, c.header("If-Match"))
	if err != nil {
		return err
	}
	if opts.VersionID, _ = c.versionID(); opts.VersionID != "" {
		_, keys := c.versioned("s3:DeleteObject", deleteKeys(c))
		if err := h.authorize(c, "s3:DeleteObject", c.bucket, c.key, keys); err != nil {
			return err
		}
	}
	res, err := h.o.Backend.DeleteObject(c.ctx, c.bucket, c.key, opts)
	if err != nil {
		return h.missingObject(c, err)
	}
	setVersionHeaders(c.w.Header(), res.VersionID, res.DeleteMarker)
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}
