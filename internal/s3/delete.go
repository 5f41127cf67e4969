package s3

import (
	"io"
	"strconv"

	"github.com/inkan-dev/inkan/internal/checksum"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/policy"
)

// maxDeleteKeys is the most keys one DeleteObjects may name.
const maxDeleteKeys = 1000

// deleteObjects removes up to 1,000 keys. The body must carry Content-MD5 or an
// x-amz-checksum-* value (S3 requires one; botocore ≥ 1.36 sends CRC32 instead of MD5).
// Every key is authorized on its own (s3:DeleteObject on the object); a denied or failed
// key is reported in the result, the others are deleted.
// UNCONFIRMED: whether S3 reports a denied key inside the 200 DeleteResult; inkan does,
// with code AccessDenied, and audits the denial.
func (h *Handler) deleteObjects(c *call) error {
	if !c.hasBodyChecksum() {
		return errMissingContentMD5.because("DeleteObjects needs Content-MD5 or an x-amz-checksum-* header or trailer", nil)
	}
	p, err := c.payload()
	if err != nil {
		return err
	}
	req, err := parseDeleteRequest(p)
	if err != nil {
		return err
	}
	if err := h.requireBucket(c); err != nil {
		return err
	}
	res := deleteResult{Xmlns: xmlns}
	for _, o := range req.Objects {
		done, e := h.deleteOne(c, o)
		if e != nil {
			res.Errors = append(res.Errors, deleteError{Key: o.Key, VersionID: o.VersionID, Code: e.Code, Message: e.Message})
			continue
		}
		if !req.Quiet {
			res.Deleted = append(res.Deleted, deleted(o, done))
		}
	}
	return writeXML(c.w, res)
}

// parseDeleteRequest reads DeleteObjects' body: 1 to 1,000 objects, each with a key.
func parseDeleteRequest(body io.Reader) (*deleteRequest, error) {
	var req deleteRequest
	if err := decodeXML(body, &req); err != nil {
		return nil, err
	}
	if n := len(req.Objects); n == 0 || n > maxDeleteKeys {
		return nil, errMalformedXML.because("DeleteObjects names "+strconv.Itoa(n)+" keys; 1 to 1000 are allowed", nil)
	}
	for i, o := range req.Objects {
		if o.Key == "" {
			return nil, errMalformedXML.because("object "+strconv.Itoa(i+1)+" of DeleteObjects has no key", nil)
		}
	}
	return &req, nil
}

// deleteOne authorizes and deletes one key of DeleteObjects; a denial is audited here,
// since the request as a whole succeeds. An <ETag> makes it a conditional delete, as
// If-Match does for DeleteObject; its failure is reported for that key (PreconditionFailed,
// or NoSuchKey for a key without an object). A <VersionId> removes that version, which
// also needs s3:DeleteObjectVersion, as DeleteObject with versionId does.
func (h *Handler) deleteOne(c *call, o deleteObject) (objstore.DeleteResult, *Error) {
	var res objstore.DeleteResult
	if o.LastModifiedTime != "" || o.Size != "" {
		return res, errNotImplemented.because("LastModifiedTime and Size conditions are for directory buckets, which inkan does not implement", nil)
	}
	if o.VersionID != "" && !plausibleVersionID(o.VersionID) {
		return res, invalidVersionID(o.VersionID, nil)
	}
	denied := func(err error) (objstore.DeleteResult, *Error) {
		e := s3Error(err)
		h.audit(c, e)
		return res, e
	}
	keys := ifMatchKeys(o.ETag)
	if o.VersionID != "" {
		// The request names a version: s3:versionid is in its context for both actions.
		keys = policy.Keys{"s3:versionid": {o.VersionID}}
		for k, v := range ifMatchKeys(o.ETag) {
			keys[k] = v
		}
	}
	if err := h.authorize(c, "s3:DeleteObject", c.bucket, o.Key, keys); err != nil {
		return denied(err)
	}
	if o.VersionID != "" {
		if err := h.authorize(c, "s3:DeleteObjectVersion", c.bucket, o.Key, keys); err != nil {
			return denied(err)
		}
	}
	opts, err := h.deleteConditions(c, o.Key, o.ETag)
	if err != nil {
		return denied(err)
	}
	opts.VersionID = o.VersionID
	if res, err = h.o.Backend.DeleteObject(c.ctx, c.bucket, o.Key, opts); err != nil {
		e := s3Error(err)
		if e.Status >= 500 {
			h.o.Logger.Error("s3 delete of one key failed", "request_id", c.requestID, "err", err)
		}
		return res, e
	}
	return res, nil
}

// deleted is the <Deleted> entry of a key DeleteObjects deleted: the version removed, or
// the delete marker created or removed [M DeletedObject].
func deleted(o deleteObject, res objstore.DeleteResult) deletedEntry {
	d := deletedEntry{Key: o.Key, VersionID: o.VersionID}
	if res.DeleteMarker {
		d.DeleteMarker, d.DeleteMarkerVersionID = true, res.VersionID
	}
	return d
}

// deleteConditions reads the condition of a delete of key (If-Match, or a DeleteObjects
// <ETag>). A condition on an ETag also needs s3:GetObject on the object, as S3 asks: it
// tells whether the object is the one the caller read. The directory-bucket conditions
// (x-amz-if-match-last-modified-time, x-amz-if-match-size) are refused: inkan has no
// directory buckets, and ignoring them would be a wrong success.
func (h *Handler) deleteConditions(c *call, key, ifMatch string) (objstore.DeleteOptions, error) {
	for _, name := range [...]string{"x-amz-if-match-last-modified-time", "x-amz-if-match-size"} {
		if c.header(name) != "" {
			return objstore.DeleteOptions{}, errNotImplemented.because(name+" is a condition of directory buckets, which inkan does not implement", nil).
				with(Field{"Header", name})
		}
	}
	if ifMatch != "" && objstore.NormalizeETag(ifMatch) != "*" {
		if err := h.authorize(c, "s3:GetObject", c.bucket, key, nil); err != nil {
			return objstore.DeleteOptions{}, err
		}
	}
	return objstore.DeleteOptions{IfMatch: ifMatch}, nil
}

// ifMatchKeys is the s3:if-match condition key of a conditional write or delete, which
// lets a policy require conditional deletes (reference §9); nil without a condition.
func ifMatchKeys(v string) policy.Keys {
	if v == "" {
		return nil
	}
	return policy.Keys{"s3:if-match": {v}}
}

// deleteKeys are DeleteObject's condition keys.
func deleteKeys(c *call) policy.Keys { return ifMatchKeys(c.header("If-Match")) }

// hasBodyChecksum reports whether the request carries a checksum of its body.
func (c *call) hasBodyChecksum() bool {
	if c.header("Content-MD5") != "" || c.header("x-amz-trailer") != "" {
		return true
	}
	for _, a := range checksum.Algorithms() {
		if c.header(a.Header()) != "" {
			return true
		}
	}
	return false
}
