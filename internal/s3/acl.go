package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"strings"

	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/policy"
)

// ACLs the way AWS has them since April 2023 (reference §3,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html): every
// object belongs to the bucket owner and ACLs grant nothing. inkan has one account per
// deployment, so whatever Object Ownership a bucket reports, an ACL can never grant anyone
// but the owner: ACL writes that would grant anything else are refused with
// AccessControlListNotSupported under every ownership setting (a BucketOwnerPreferred or
// ObjectWriter bucket stores and reports its setting, and nothing more), rather than
// accepted as a grant inkan would not honour.
//
// Public access blocks are stored per bucket and honoured where they mean something here:
// BlockPublicPolicy refuses a bucket policy that is public, RestrictPublicBuckets makes a
// public bucket policy grant nothing to anonymous callers (every signed caller is a
// principal of the account). BlockPublicAcls and IgnorePublicAcls are stored and reported:
// no ACL is ever public here.
//
// Decisions:
//   - A bucket created through inkan starts with the block all on (stored at CreateBucket),
//     as new AWS buckets do since April 2023; a bucket without the setting (created before
//     this release, or upstream by another client) answers NoSuchPublicAccessBlockConfiguration
//     and blocks nothing, as an old AWS bucket does, so that upgrading inkan does not cut the
//     anonymous readers of an existing public bucket.
//   - PutObject (and copies, uploads, POST forms) with x-amz-acl: private is accepted: under
//     BucketOwnerEnforced it means what the owner has anyway, issue 13 lists it among the
//     accepted ACLs, and clients that always send it (R's aws.s3, PHP's Flysystem) keep
//     working. UNCONFIRMED on AWS: reports (cloudyr/aws.s3#435) suggest AWS refuses it there.
//     PutBucketAcl with any canned ACL, private included, is refused as AWS refuses it
//     (hashicorp/terraform-provider-aws#34079).

// The settings of this file.
const (
	ownershipSetting    = "ownershipControls"
	publicAccessSetting = "publicAccessBlock"
	// deletedSetting marks a setting deleted, where its absence means the default.
	deletedSetting = "deleted"
)

var (
	errNoOwnershipControls = &Error{Code: "OwnershipControlsNotFoundError", Status: 404, Message: "The bucket ownership controls were not found"}
	errBothACLs            = &Error{Code: "InvalidRequest", Status: 400, Message: "Specifying both Canned ACLs and Header Grants is not allowed"}
	errBucketACLOwnership  = &Error{Code: "InvalidBucketAclWithObjectOwnership", Status: 400,
		Message: "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting"}
)

var (
	opPutBucketACL    = operation{"PutBucketAcl", "s3:PutBucketAcl", nil, (*Handler).putBucketACL}
	opPutOwnership    = operation{"PutBucketOwnershipControls", "s3:PutBucketOwnershipControls", nil, (*Handler).putOwnershipControls}
	opDeleteOwnership = operation{"DeleteBucketOwnershipControls", "s3:PutBucketOwnershipControls", nil, (*Handler).deleteOwnershipControls}
	opPutPublicAccess = operation{"PutPublicAccessBlock", "s3:PutBucketPublicAccessBlock", nil, (*Handler).putPublicAccessBlock}
)

// checkACLHeaders applies §3 to a write's x-amz-acl and x-amz-grant-* headers (PutObject,
// CopyObject, CreateMultipartUpload, a POST form's acl field, CreateBucket): no ACL, the
// canned private or bucket-owner-full-control, or grants of FULL_CONTROL to the owner alone
// are accepted; both kinds at once are InvalidRequest; anything else refused with refusal.
func (h *Handler) checkACLHeaders(hdr http.Header, refusal *Error) error {
	canned := hdr.Get("x-amz-acl")
	if canned != "" && hasGrants(hdr) {
		return errBothACLs.because("the request names a canned ACL and grant headers", nil)
	}
	if canned != "" && canned != "private" && canned != "bucket-owner-full-control" {
		return refusal.because("the canned ACL "+canned+" grants others", nil)
	}
	if why := h.grantHeadersProblem(hdr); why != "" {
		return refusal.because(why, nil)
	}
	return nil
}

// hasGrants reports whether hdr has x-amz-grant-* headers.
func hasGrants(hdr http.Header) bool {
	for name := range hdr {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-grant-") {
			return true
		}
	}
	return false
}

// grantHeadersProblem returns why x-amz-grant-* headers would grant anything beyond the
// owner's FULL_CONTROL, "" when they would not.
func (h *Handler) grantHeadersProblem(hdr http.Header) string {
	for name, values := range hdr {
		lower := strings.ToLower(name)
		v := strings.Join(values, ",")
		switch {
		case lower == "x-amz-grant-full-control" && v != `id="`+h.owner.ID+`"` && v != "id="+h.owner.ID:
			return "x-amz-grant-full-control names another grantee"
		case strings.HasPrefix(lower, "x-amz-grant-") && lower != "x-amz-grant-full-control":
			return "header " + lower + " grants a permission"
		}
	}
	return ""
}

// putBucketACL accepts only an ACL that changes nothing (grants or an AccessControlPolicy
// of the owner's FULL_CONTROL alone); any canned ACL, private included, is refused as AWS
// refuses it under BucketOwnerEnforced.
func (h *Handler) putBucketACL(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if v := c.header("x-amz-acl"); v != "" {
		if hasGrants(c.r.Header) {
			return errBothACLs.because("the request names a canned ACL and grant headers", nil)
		}
		return errACLNotSupported.because("PutBucketAcl with a canned ACL under BucketOwnerEnforced", nil)
	}
	if why := h.aclChange(c); why != "" {
		return errACLNotSupported.because(why, nil)
	}
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// ownershipXML is the OwnershipControls document.
type ownershipXML struct {
	XMLName xml.Name `xml:"OwnershipControls"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Rules   []struct {
		ObjectOwnership string
	} `xml:"Rule"`
}

func validOwnership(v string) bool {
	return v == "BucketOwnerEnforced" || v == "BucketOwnerPreferred" || v == "ObjectWriter"
}

// putOwnershipControls stores the bucket's Object Ownership (one rule, one of S3's three
// values). Whatever it says, ACLs still grant nothing here (see the top of this file).
func (h *Handler) putOwnershipControls(c *call) error {
	var doc ownershipXML
	if err := h.readSettingBody(c, &doc); err != nil {
		return err
	}
	if len(doc.Rules) != 1 || !validOwnership(doc.Rules[0].ObjectOwnership) {
		return errMalformedXML.because("OwnershipControls holds one Rule with ObjectOwnership BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter", nil)
	}
	return h.storeSetting(c, ownershipSetting, ownershipControls{Xmlns: xmlns, ObjectOwnership: doc.Rules[0].ObjectOwnership}, http.StatusOK)
}

// getOwnershipControls answers the stored setting, BucketOwnerEnforced when none was ever
// put (S3's default for new buckets), OwnershipControlsNotFoundError after a delete.
func (h *Handler) getOwnershipControls(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	doc, ok := h.o.Auth.BucketSetting(c.bucket, ownershipSetting)
	switch {
	case !ok:
		return writeXML(c.w, ownershipControls{Xmlns: xmlns, ObjectOwnership: "BucketOwnerEnforced"})
	case doc == deletedSetting:
		return errNoOwnershipControls.because("the ownership controls of bucket "+c.bucket+" were deleted", nil).with(Field{"BucketName", c.bucket})
	}
	return writeRaw(c.w, doc)
}

func (h *Handler) deleteOwnershipControls(c *call) error {
	return h.markDeleted(c, ownershipSetting)
}

// publicAccessBlock is the PublicAccessBlockConfiguration document; an absent element is
// false.
type publicAccessBlock struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	Xmlns                 string   `xml:"xmlns,attr,omitempty"`
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// allBlocked is the block of a new bucket.
var allBlocked = publicAccessBlock{Xmlns: xmlns, BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}

func (h *Handler) putPublicAccessBlock(c *call) error {
	var doc publicAccessBlock
	if err := h.readSettingBody(c, &doc); err != nil {
		return err
	}
	doc.Xmlns = xmlns
	return h.storeSetting(c, publicAccessSetting, doc, http.StatusOK)
}

// getPublicAccessBlock answers the stored block, NoSuchPublicAccessBlockConfiguration when
// the bucket has none.
func (h *Handler) getPublicAccessBlock(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	pab, ok := h.publicAccess(c.bucket)
	if !ok {
		return errNoPublicAccessBlock.because("bucket "+c.bucket+" has no public access block", nil).with(Field{"BucketName", c.bucket})
	}
	return writeXML(c.w, pab)
}

func (h *Handler) deletePublicAccessBlock(c *call) error {
	return h.markDeleted(c, publicAccessSetting)
}

// publicAccess returns the bucket's block; ok is false when it has none. A stored document
// that no longer parses blocks everything: it fails closed.
func (h *Handler) publicAccess(bucket string) (publicAccessBlock, bool) {
	doc, ok := h.o.Auth.BucketSetting(bucket, publicAccessSetting)
	if !ok || doc == deletedSetting {
		return publicAccessBlock{}, false
	}
	var pab publicAccessBlock
	if err := xml.Unmarshal([]byte(doc), &pab); err != nil {
		h.o.Logger.Error("stored public access block does not parse; the bucket blocks all public access", "bucket", bucket, "err", err)
		return allBlocked, true
	}
	pab.Xmlns = xmlns
	return pab, true
}

// checkPublicPolicy refuses, under BlockPublicPolicy, a bucket policy that is public: 403
// AccessDenied, as S3 answers. A document that does not parse is left to PutBucketPolicy's
// MalformedPolicy.
func (h *Handler) checkPublicPolicy(c *call, doc []byte) error {
	pab, ok := h.publicAccess(c.bucket)
	if !ok || !pab.BlockPublicPolicy || !isPublicPolicy(string(doc)) {
		return nil
	}
	if iam.ValidateBucketPolicy(c.bucket, string(doc)) != nil {
		return nil // PutBucketPolicy answers MalformedPolicy
	}
	c.denial = denial{action: "s3:PutBucketPolicy", resource: c.resource()}
	return errAccessDenied.because("the policy is public and bucket "+c.bucket+"'s public access block has BlockPublicPolicy", nil)
}

// restrictsAnonymous reports whether the bucket's RestrictPublicBuckets keeps an anonymous
// caller out: the bucket has a policy (bp, compiled), it is public, and the block restricts
// it. A policy whose document cannot be read restricts (fail closed). Only a restricted
// bucket's anonymous requests read the document.
func (h *Handler) restrictsAnonymous(c *call, bucket string, bp *policy.Policy) bool {
	if bp == nil {
		return false
	}
	pab, ok := h.publicAccess(bucket)
	if !ok || !pab.RestrictPublicBuckets {
		return false
	}
	doc, err := h.o.Auth.GetBucketPolicy(c.ctx, bucket)
	if iam.KindOf(err) == iam.KindNoSuchEntity {
		return false
	}
	return err != nil || isPublicPolicy(doc)
}

// initialSettings stores what a bucket created through inkan starts with: the public access
// block all on, and the Object Ownership x-amz-object-ownership names (BucketOwnerEnforced,
// the default, is not stored).
func (h *Handler) initialSettings(c *call) error {
	own := c.header("x-amz-object-ownership")
	if own != "" && !validOwnership(own) {
		return errInvalidArgument.because("x-amz-object-ownership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter", nil).
			with(Field{"ArgumentName", "x-amz-object-ownership"}, Field{"ArgumentValue", own})
	}
	if err := h.putSetting(c, publicAccessSetting, allBlocked); err != nil {
		return err
	}
	if own != "" && own != "BucketOwnerEnforced" {
		return h.putSetting(c, ownershipSetting, ownershipControls{Xmlns: xmlns, ObjectOwnership: own})
	}
	return h.o.Auth.DeleteBucketSetting(c.ctx, c.bucket, ownershipSetting)
}

// readSettingBody reads the XML body of a Put of a bucket setting, which needs a checksum.
func (h *Handler) readSettingBody(c *call, v any) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if !c.hasBodyChecksum() {
		return errMissingContentMD5.because(c.op.name+" needs Content-MD5 or an x-amz-checksum-* header or trailer", nil)
	}
	p, err := c.payload()
	if err != nil {
		return err
	}
	// 256 KiB holds 50 tags of the longest keys and values in 4-byte characters.
	return decodeXML(io.LimitReader(p, 256<<10), v)
}

// storeSetting stores doc as the bucket's setting name and answers status.
func (h *Handler) storeSetting(c *call, name string, doc any, status int) error {
	if err := h.putSetting(c, name, doc); err != nil {
		return err
	}
	c.w.WriteHeader(status)
	return nil
}

func (h *Handler) putSetting(c *call, name string, doc any) error {
	b, err := xmlDocument(doc)
	if err != nil {
		return err
	}
	return h.o.Auth.PutBucketSetting(c.ctx, c.bucket, name, string(b))
}

// serveSetting answers the bucket's stored setting name, or missing when it has none.
func (h *Handler) serveSetting(c *call, name string, missing *Error) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	doc, ok := h.o.Auth.BucketSetting(c.bucket, name)
	if !ok {
		return missing.because("bucket "+c.bucket+" has no "+name+" setting", nil).with(Field{"BucketName", c.bucket})
	}
	return writeRaw(c.w, doc)
}

// removeSetting removes the bucket's setting name: 204 whether it had one or not.
func (h *Handler) removeSetting(c *call, name string) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if err := h.o.Auth.DeleteBucketSetting(c.ctx, c.bucket, name); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// markDeleted records that the setting was deleted (its absence means the default): 204.
func (h *Handler) markDeleted(c *call, name string) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if err := h.o.Auth.PutBucketSetting(c.ctx, c.bucket, name, deletedSetting); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkWrite applies what every object write checks of its ACL and tags (PutObject,
// CreateMultipartUpload, CopyObject, POST): the ACL headers (§3), and the extra
// s3:PutObjectTagging of a write with tags. It returns the tags the request sets.
func (h *Handler) checkWrite(c *call) (map[string]string, error) {
	if err := h.checkACLHeaders(c.r.Header, errACLNotSupported); err != nil {
		return nil, err
	}
	if err := h.authorizeTagging(c); err != nil {
		return nil, err
	}
	return c.writtenTags().tags, nil
}
