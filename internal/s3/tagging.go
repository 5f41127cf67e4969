package s3

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// Object and bucket tagging (reference §2,
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-tagging.html). An object's
// tags are part of its metadata in the backend (objstore.ObjectMeta.Tags), written with the
// object (x-amz-tagging, the POST form's tagging field) or alone (PutObjectTagging); a
// bucket's are a bucket setting ("tagging"), like its CORS rules.

// S3's limits on tags.
const (
	maxObjectTags = 10
	maxBucketTags = 50
	// Lengths count UTF-16 code units, as AWS stores tags (reference §2).
	maxTagKey   = 128
	maxTagValue = 256
)

// taggingSetting is the bucket setting that holds a bucket's tags.
const taggingSetting = "tagging"

// The errors of tags, with AWS's codes and messages (reference §2).
var (
	errInvalidTagKey   = &Error{Code: "InvalidTag", Status: 400, Message: "The TagKey you have provided is invalid"}
	errInvalidTagValue = &Error{Code: "InvalidTag", Status: 400, Message: "The TagValue you have provided is invalid"}
	errDuplicateTag    = &Error{Code: "InvalidTag", Status: 400, Message: "Cannot provide multiple Tags with the same key"}
	// errReservedTag is AWS's answer to a key in the aws: namespace, in any case (quoted
	// from S3's answers in cloud-custodian/cloud-custodian#370 and
	// thenickdude/snap-to-s3#8).
	errReservedTag    = &Error{Code: "InvalidTag", Status: 400, Message: "Your TagKey cannot be prefixed with aws:"}
	errTooManyObjTags = &Error{Code: "BadRequest", Status: 400, Message: "Object tags cannot be greater than 10"}
	// errTooManyBucketTags: versitygw's text (UNCONFIRMED for AWS; the code is AWS's).
	errTooManyBucketTags = &Error{Code: "BadRequest", Status: 400, Message: "Bucket tag count cannot be greater than 50"}
	errTaggingHeader     = &Error{Code: "InvalidArgument", Status: 400,
		Message: "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
		Extra:   []Field{{"ArgumentName", "x-amz-tagging"}}}
)

var (
	opGetObjectTagging    = operation{"GetObjectTagging", "s3:GetObjectTagging", nil, (*Handler).getObjectTagging}
	opPutObjectTagging    = operation{"PutObjectTagging", "s3:PutObjectTagging", nil, (*Handler).putObjectTagging}
	opDeleteObjectTagging = operation{"DeleteObjectTagging", "s3:DeleteObjectTagging", nil, (*Handler).deleteObjectTagging}
	opPutBucketTagging    = operation{"PutBucketTagging", "s3:PutBucketTagging", nil, (*Handler).putBucketTagging}
)

// tagging is S3's Tagging document, of objects and buckets.
type tagging struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Tags    []tagXML `xml:"TagSet>Tag"`
}

type tagXML struct {
	Key   *string
	Value *string
}

// taggingOf renders tags sorted by key.
func taggingOf(tags map[string]string) tagging {
	doc := tagging{Xmlns: xmlns, Tags: []tagXML{}}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		v := tags[k]
		doc.Tags = append(doc.Tags, tagXML{Key: &k, Value: &v})
	}
	return doc
}

// checkTag applies S3's rules to one tag: a key of 1 to 128 and a value of at most 256
// UTF-16 code units, of letters, digits, spaces and + - = . _ : / @ (AWS's rule for
// user-defined tags, as versitygw implements it), and no key in the reserved aws:
// namespace.
func checkTag(k, v string) error {
	switch n := utf16Len(k); {
	case n == 0 || n > maxTagKey || !tagChars(k):
		return errInvalidTagKey.because("tag key "+strconv.Quote(k)+" is empty, longer than 128 characters or has a character S3 refuses", nil).
			with(Field{"TagKey", k})
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return errReservedTag.because("tag key "+strconv.Quote(k)+" is in the reserved aws: namespace", nil).with(Field{"TagKey", k})
	}
	if utf16Len(v) > maxTagValue || !tagChars(v) {
		return errInvalidTagValue.because("the value of tag "+strconv.Quote(k)+" is longer than 256 characters or has a character S3 refuses", nil).
			with(Field{"TagKey", k}, Field{"TagValue", v})
	}
	return nil
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

func tagChars(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.Is(unicode.Z, r) && !unicode.IsNumber(r) && !strings.ContainsRune("_.:/=+-@", r) {
			return false
		}
	}
	return true
}

// checkTags applies the count limit, then checkTag to each tag in key order.
func checkTags(tags map[string]string, limit int, tooMany *Error) error {
	if len(tags) > limit {
		return tooMany.because(strconv.Itoa(len(tags))+" tags given; at most "+strconv.Itoa(limit)+" are allowed", nil)
	}
	for _, t := range taggingOf(tags).Tags {
		if err := checkTag(*t.Key, *t.Value); err != nil {
			return err
		}
	}
	return nil
}

// parseTaggingHeader reads x-amz-tagging ("k1=v1&k2=v2", URL-query encoded) into object
// tags; nil for an empty header. A key without "=" has an empty value, as in S3.
func parseTaggingHeader(v string) (map[string]string, error) {
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, errTaggingHeader.because("x-amz-tagging is not URL-query encoded: "+err.Error(), err)
	}
	tags := make(map[string]string, len(q))
	for k, vs := range q {
		if len(vs) != 1 || !utf8.ValidString(k) || !utf8.ValidString(vs[0]) {
			return nil, errTaggingHeader.because("x-amz-tagging names tag "+strconv.Quote(k)+" twice or is not UTF-8", nil)
		}
		tags[k] = vs[0]
	}
	return tags, checkTags(tags, maxObjectTags, errTooManyObjTags)
}

// parseTagging reads a Tagging document of at most limit tags; a key given twice is
// InvalidTag, a tag without a Key MalformedXML.
func parseTagging(body io.Reader, limit int, tooMany *Error) (map[string]string, error) {
	var doc tagging
	if err := decodeXML(body, &doc); err != nil {
		return nil, err
	}
	return doc.tags(limit, tooMany)
}

// tags checks a decoded Tagging document and returns its tags.
func (doc *tagging) tags(limit int, tooMany *Error) (map[string]string, error) {
	if doc.XMLName.Local != "Tagging" {
		return nil, errMalformedXML.because("the document is not a Tagging", nil)
	}
	tags := make(map[string]string, len(doc.Tags))
	for _, t := range doc.Tags {
		if t.Key == nil {
			return nil, errMalformedXML.because("a Tag has no Key", nil)
		}
		if _, dup := tags[*t.Key]; dup {
			return nil, errDuplicateTag.because("tag "+strconv.Quote(*t.Key)+" is given twice", nil).with(Field{"TagKey", *t.Key})
		}
		v := ""
		if t.Value != nil {
			v = *t.Value
		}
		tags[*t.Key] = v
	}
	return tags, checkTags(tags, limit, tooMany)
}

// requestTags are the tags a request writes, read once (conditionKeys needs them before
// the handler runs): set reports whether the request sets tags at all.
type requestTags struct {
	tags map[string]string
	set  bool
	err  error
}

// writtenTags returns the tags the routed write sets: x-amz-tagging of PutObject,
// CreateMultipartUpload and a CopyObject with x-amz-tagging-directive REPLACE, the body
// of PutObjectTagging. It reads them once.
func (c *call) writtenTags() *requestTags {
	if c.tags != nil {
		return c.tags
	}
	c.tags = &requestTags{}
	switch c.opName() {
	case "PutObject", "CreateMultipartUpload":
		c.tags.tags, c.tags.err = parseTaggingHeader(c.header("x-amz-tagging"))
		c.tags.set = c.tags.tags != nil
	case "CopyObject":
		if c.header("x-amz-tagging-directive") == "REPLACE" {
			c.tags.tags, c.tags.err = parseTaggingHeader(c.header("x-amz-tagging"))
			c.tags.set = true
		}
	case "PutObjectTagging":
		c.tags.set = true
		if !c.hasBodyChecksum() {
			c.tags.err = errMissingContentMD5.because("PutObjectTagging needs Content-MD5 or an x-amz-checksum-* header or trailer", nil)
			return c.tags
		}
		p, err := c.payload()
		if err != nil {
			c.tags.err = err
			return c.tags
		}
		c.tags.tags, c.tags.err = parseTagging(p, maxObjectTags, errTooManyObjTags)
	}
	return c.tags
}

// createTags checks the Tags of a CreateBucketConfiguration, which the new bucket gets as
// its bucket tags, and authorizes them as s3:PutBucketTagging on the bucket (UNCONFIRMED:
// AWS documents no extra action for tags at creation that inkan has; PutBucketTagging is
// what setting them afterwards takes).
func (h *Handler) createTags(c *call, list []tagXML) error {
	doc := tagging{XMLName: xml.Name{Local: "Tagging"}, Tags: list}
	tags, err := doc.tags(maxBucketTags, errTooManyBucketTags)
	if err != nil {
		return err
	}
	if err := h.authorize(c, "s3:PutBucketTagging", c.bucket, "", nil); err != nil {
		return err
	}
	c.tags = &requestTags{tags: tags, set: true}
	return nil
}

// authorizeTagging checks the extra s3:PutObjectTagging that a write with tags needs
// (reference §2: PutObject and CopyObject with tags need it too), with the request's tags
// as condition keys.
func (h *Handler) authorizeTagging(c *call) error {
	rt := c.writtenTags()
	if rt.err != nil {
		return rt.err
	}
	if len(rt.tags) == 0 {
		return nil
	}
	return h.authorize(c, "s3:PutObjectTagging", c.bucket, c.key, requestTagKeys(rt.tags))
}

// getObjectTagging answers the object's tags (an empty TagSet when it has none). The AWS
// CLI asks for the source's tags before every multipart copy.
func (h *Handler) getObjectTagging(c *call) error {
	vid, _ := c.versionID() // checked when the request was routed
	info, err := h.o.Backend.HeadObject(c.ctx, c.bucket, c.key, vid)
	if err != nil {
		return h.readFailure(c, bucketError(c, err), false)
	}
	setVersionHeaders(c.w.Header(), info.VersionID, false)
	return writeXML(c.w, taggingOf(info.Meta.Tags))
}

// putObjectTagging replaces the object's tags; its ETag and Last-Modified stay.
func (h *Handler) putObjectTagging(c *call) error {
	rt := c.writtenTags()
	if rt.err != nil {
		return rt.err
	}
	return h.setObjectTags(c, rt.tags, http.StatusOK)
}

// deleteObjectTagging removes the object's tags: 204.
func (h *Handler) deleteObjectTagging(c *call) error {
	return h.setObjectTags(c, nil, http.StatusNoContent)
}

// setObjectTags replaces the tags of the version ?versionId names (the current one when
// none) and names the version in x-amz-version-id, as S3 does.
func (h *Handler) setObjectTags(c *call, tags map[string]string, status int) error {
	vid, _ := c.versionID() // checked when the request was routed
	info, err := h.o.Backend.PutObjectTags(c.ctx, c.bucket, c.key, vid, tags)
	if err != nil {
		return h.readFailure(c, bucketError(c, err), false)
	}
	setVersionHeaders(c.w.Header(), info.VersionID, false)
	c.w.WriteHeader(status)
	return nil
}

// putBucketTagging validates and stores the bucket's tags, in the form GetBucketTagging
// answers.
func (h *Handler) putBucketTagging(c *call) error {
	var doc tagging
	if err := h.readSettingBody(c, &doc); err != nil {
		return err
	}
	tags, err := doc.tags(maxBucketTags, errTooManyBucketTags)
	if err != nil {
		return err
	}
	return h.storeSetting(c, taggingSetting, taggingOf(tags), http.StatusOK)
}

// getBucketTagging answers the stored tags, or NoSuchTagSet.
func (h *Handler) getBucketTagging(c *call) error {
	return h.serveSetting(c, taggingSetting, errNoSuchTagSet)
}

// deleteBucketTagging removes the bucket's tags; 204 whether there were some or not.
func (h *Handler) deleteBucketTagging(c *call) error {
	return h.removeSetting(c, taggingSetting)
}

// setTaggingCount adds x-amz-tagging-count to a GET or HEAD of a tagged object when the
// caller may read its tags, as S3 does.
func (h *Handler) setTaggingCount(c *call, info objstore.ObjectInfo) error {
	if len(info.Meta.Tags) == 0 {
		return nil
	}
	ok, err := h.allowed(c, "s3:GetObjectTagging", c.bucket, c.key, existingTagKeys(info.Meta.Tags))
	if err != nil || !ok {
		return err
	}
	c.w.Header().Set("x-amz-tagging-count", strconv.Itoa(len(info.Meta.Tags)))
	return nil
}
