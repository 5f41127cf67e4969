package s3

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/policy"
)

// Bucket versioning (reference §1): the state lives in the object backend
// (objstore.BucketInfo.Versioning), version ids are the backend's.

// maxVersioningSize bounds a PutBucketVersioning body.
const maxVersioningSize = 1 << 10

// versioningConfiguration is PutBucketVersioning's body and GetBucketVersioning's answer:
// empty for a bucket whose versioning was never configured.
type versioningConfiguration struct {
	XMLName   xml.Name `xml:"VersioningConfiguration"`
	Xmlns     string   `xml:"xmlns,attr,omitempty"`
	Status    string   `xml:",omitempty"`
	MfaDelete string   `xml:",omitempty"`
}

// getBucketVersioning answers the bucket's versioning state. MfaDelete is never answered:
// inkan refuses to enable it, and does not remember a "Disabled" it was sent.
func (h *Handler) getBucketVersioning(c *call) error {
	info, err := h.o.Backend.HeadBucket(c.ctx, c.bucket)
	if err != nil {
		return bucketError(c, err)
	}
	return writeXML(c.w, versioningConfiguration{Xmlns: xmlns, Status: info.Versioning})
}

// putBucketVersioning sets the bucket's versioning state to Enabled or Suspended.
//
// Decisions: MFA delete is not implemented (inkan has no MFA devices): MfaDelete Enabled,
// or any x-amz-mfa header, is 501 NotImplemented, never a silent success; MfaDelete
// Disabled, the state every bucket has, is accepted. A Status other than Enabled or
// Suspended, or none, is MalformedXML, as the schema allows no other value. A backend that
// cannot keep versions (the upstream backend) answers 501 NotImplemented naming itself.
func (h *Handler) putBucketVersioning(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if !c.hasBodyChecksum() {
		return errMissingContentMD5.because("PutBucketVersioning needs Content-MD5 or an x-amz-checksum-* header or trailer", nil)
	}
	p, err := c.payload()
	if err != nil {
		return err
	}
	var cfg versioningConfiguration
	if err := decodeXML(io.LimitReader(p, maxVersioningSize+1), &cfg); err != nil {
		return err
	}
	switch {
	case c.header("x-amz-mfa") != "" || cfg.MfaDelete == "Enabled":
		return errNotImplemented.because("MFA delete is not implemented by inkan", nil)
	case cfg.MfaDelete != "" && cfg.MfaDelete != "Disabled":
		return errMalformedXML.because("MfaDelete must be Enabled or Disabled", nil)
	case cfg.Status != objstore.VersioningEnabled && cfg.Status != objstore.VersioningSuspended:
		return errMalformedXML.because("the versioning Status must be Enabled or Suspended", nil)
	}
	if err := h.o.Backend.PutBucketVersioning(c.ctx, c.bucket, cfg.Status); err != nil {
		return bucketError(c, err)
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// maxVersionIDLength bounds a version id before it reaches the backend; S3's are 32
// characters, and no backend issues ids near this long.
const maxVersionIDLength = 1024

// versionID is the request's versionId parameter, "" when absent. An empty value is
// refused as S3 does; an id no backend could issue (too long, not printable ASCII) is
// "Invalid version id specified", the answer the backend gives to ids of a form it never
// issues (objstore.ErrInvalidVersionID).
func (c *call) versionID() (string, error) {
	v, ok := c.query["versionId"]
	if !ok {
		return "", nil
	}
	if len(v) != 1 || v[0] == "" {
		e := errInvalidArgument.because("the versionId parameter is empty or repeated", nil).
			with(Field{"ArgumentName", "versionId"}, Field{"ArgumentValue", ""})
		e.Message = "Version id cannot be the empty string"
		return "", e
	}
	if !plausibleVersionID(v[0]) {
		return "", invalidVersionID(v[0], nil)
	}
	return v[0], nil
}

func plausibleVersionID(v string) bool {
	if len(v) > maxVersionIDLength {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] <= ' ' || v[i] > '~' {
			return false
		}
	}
	return true
}

func invalidVersionID(v string, cause error) *Error {
	e := errInvalidArgument.because("the version id names no version this store could have issued", cause).
		with(Field{"ArgumentName", "versionId"}, Field{"ArgumentValue", v})
	e.Message = "Invalid version id specified"
	return e
}

// versionedActions are the IAM actions S3 authorizes instead when a request names a
// version with versionId (reference §1, [IAM]).
var versionedActions = map[string]string{
	"s3:GetObject":           "s3:GetObjectVersion",
	"s3:DeleteObject":        "s3:DeleteObjectVersion",
	"s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
	"s3:GetObjectTagging":    "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging":    "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
	"s3:GetObjectAcl":        "s3:GetObjectVersionAcl",
	"s3:PutObjectAcl":        "s3:PutObjectVersionAcl",
}

// versioned is the action and condition keys a request is authorized with: the *Version*
// action, with the s3:versionid condition key, when it names a version and the action
// has one; else action and keys unchanged.
func (c *call) versioned(action string, keys policy.Keys) (string, policy.Keys) {
	vid := c.query.Get("versionId")
	va, ok := versionedActions[action]
	if !c.query.Has("versionId") || !ok || c.key == "" {
		return action, keys
	}
	k := policy.Keys{"s3:versionid": {vid}}
	for name, v := range keys {
		k[name] = v
	}
	return va, k
}

// setVersionHeaders adds x-amz-version-id (when the object has one: never in a bucket
// whose versioning was never configured) and, for a delete marker, x-amz-delete-marker.
func setVersionHeaders(h http.Header, versionID string, deleteMarker bool) {
	if versionID != "" {
		h.Set("x-amz-version-id", versionID)
	}
	if deleteMarker {
		h.Set("x-amz-delete-marker", "true")
	}
}

// writtenVersionHeader is x-amz-version-id on an answer to a write: the new version's id,
// omitted for the null version of a suspended bucket, as S3 omits it [VG].
func writtenVersionHeader(h http.Header, versionID string) {
	if versionID != objstore.NullVersion {
		setVersionHeaders(h, versionID, false)
	}
}

// readFailure answers a read of an object that failed. A delete marker found is answered
// with its headers (x-amz-delete-marker, x-amz-version-id) and: when the request named it
// by version id, 405 MethodNotAllowed for GET and HEAD, or 404 NoSuchKey for the other
// reads (GetObjectAttributes [VG]); else the 404 NoSuchKey of a missing key. Missing keys
// and versions get missingObject's 404-or-403 rule.
func (h *Handler) readFailure(c *call, err error, namedIs405 bool) error {
	var dm *objstore.DeleteMarkerError
	if !errors.As(err, &dm) {
		return h.missingObject(c, err)
	}
	hdr := c.w.Header()
	setVersionHeaders(hdr, dm.Info.VersionID, true)
	if !dm.Named || !namedIs405 {
		return h.missingObject(c, objstore.ErrNoSuchKey)
	}
	hdr.Set("Last-Modified", dm.Info.LastModified.UTC().Format(http.TimeFormat))
	return errMethodNotAllowed.because("the version named is a delete marker", err)
}
