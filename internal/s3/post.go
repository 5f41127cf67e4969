package s3

import (
	"encoding/xml"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/checksum"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// Browser uploads: POST Object with a SigV4 POST policy (reference §7,
// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html). The form's own
// signature authenticates it, the policy bounds it, and the policy engine authorizes the
// signer for s3:PutObject on the key like any PutObject. The file streams to the backend:
// memory is bounded by maxFormFields whatever the file's size.

// maxFormFields bounds the bytes of the form fields before the file, S3's 20 KB.
const maxFormFields = 20 << 10

var opPostObject = operation{"PostObject", "", nil, (*Handler).postObject}

// postForm is a POST upload's fields (lower-case names, the file excluded) and its file.
type postForm struct {
	fields   map[string]string
	file     io.Reader
	filename string
}

// postObject stores the form's file under its key, once the signature, the policy and the
// policy engine allow it, and answers as success_action_redirect or success_action_status
// ask.
func (h *Handler) postObject(c *call) error {
	f, err := readPostForm(c.r)
	if err != nil {
		return err
	}
	pol, err := h.authenticatePost(c, f)
	if err != nil {
		return err
	}
	c.key = strings.ReplaceAll(f.fields["key"], "${filename}", f.filename)
	if c.key == "" {
		return errInvalidArgument.because("the form's key is empty once ${filename} is replaced", nil).with(Field{"ArgumentName", "key"})
	}
	if err := c.checkNames(); err != nil {
		return err
	}
	hdr := f.header()
	form := *c.r
	form.Header = hdr
	tags, err := h.authorizePost(c, f, &form)
	if err != nil {
		return err
	}
	h.sampleAllow(c, "s3:PutObject")
	if err := refuseUnsupported(hdr); err != nil {
		return err
	}
	meta, err := objectMetaFrom(hdr)
	if err != nil {
		return err
	}
	meta.Tags = tags
	req, dk, err := h.writeEncryption(c, &form)
	if err != nil {
		return err
	}
	body, err := f.body(hdr, pol)
	if err != nil {
		return err
	}
	meta.Checksums = body.sums
	if body.alg != "" {
		meta.ChecksumType = "FULL_OBJECT"
	}
	info, err := h.o.Backend.PutObject(c.ctx, c.bucket, c.key, body, -1, objstore.PutOptions{Meta: meta, Encrypt: dk})
	if err != nil {
		return err
	}
	setSSEHeaders(c.w.Header(), info.Encryption, req.customer)
	return h.postAnswer(c, f, info.ETag)
}

// authorizePost authorizes the form's upload as s3:PutObject with the condition keys of its
// acl and tagging fields (the tagging field is a Tagging document), and, when it sets tags,
// s3:PutObjectTagging too, and with the encryption condition keys of its
// x-amz-server-side-encryption* fields; it returns the tags. form is the request with the
// form's fields as its headers.
func (h *Handler) authorizePost(c *call, f *postForm, form *http.Request) (map[string]string, error) {
	hdr := form.Header
	keys := sseKeys(&call{r: form})
	var tags map[string]string
	if doc, ok := f.fields["tagging"]; ok {
		var err error
		if tags, err = parseTagging(strings.NewReader(doc), maxObjectTags, errTooManyObjTags); err != nil {
			return nil, err
		}
		maps.Copy(keys, requestTagKeys(tags))
	}
	if v := hdr.Get("x-amz-acl"); v != "" {
		keys["s3:x-amz-acl"] = []string{v}
	}
	if err := h.authorize(c, "s3:PutObject", c.bucket, c.key, keys); err != nil {
		return nil, err
	}
	if err := h.checkACLHeaders(hdr, errACLNotSupported); err != nil {
		return nil, err
	}
	if len(tags) > 0 {
		if err := h.authorize(c, "s3:PutObjectTagging", c.bucket, c.key, requestTagKeys(tags)); err != nil {
			return nil, err
		}
	}
	return tags, nil
}

// readPostForm reads the fields up to the file, which must be the form's field "file";
// fields after it are ignored, as S3 ignores them. A field may appear once.
func readPostForm(r *http.Request) (*postForm, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, errMalformedPOST.because("the body is not multipart/form-data", err)
	}
	f := &postForm{fields: map[string]string{}}
	left := int64(maxFormFields)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, errInvalidArgument.because("the form has no file field", nil).with(Field{"ArgumentName", "file"}, Field{"ArgumentValue", "0"})
		}
		if err != nil {
			return nil, errMalformedPOST.because("the multipart body does not parse", err)
		}
		name := strings.ToLower(part.FormName())
		if name == "file" {
			f.file, f.filename = part, part.FileName()
			return f, f.required()
		}
		v, err := io.ReadAll(io.LimitReader(part, left+1))
		if err != nil {
			return nil, errMalformedPOST.because("a form field does not read", err)
		}
		if left -= int64(len(v) + len(name)); left < 0 {
			return nil, errFieldsTooLarge.because("the form fields before the file exceed 20 KB", nil)
		}
		if _, dup := f.fields[name]; dup || name == "" {
			return nil, errInvalidArgument.because("the form field "+strconv.Quote(name)+" appears twice or has no name", nil).
				with(Field{"ArgumentName", name})
		}
		f.fields[name] = string(v)
	}
}

// required checks that the fields S3 requires are there: key always, and the whole
// signature once any part of one is. A SigV2 form (AWSAccessKeyId) is refused as SigV2
// requests are.
func (f *postForm) required() error {
	if _, v2 := f.fields["awsaccesskeyid"]; v2 {
		return sigv4Error(&sigv4.Error{Kind: sigv4.ErrSigV2, Message: "Signature version 2 POST forms are not supported; sign with AWS4-HMAC-SHA256."})
	}
	names := []string{"key"}
	if f.signed() {
		names = append(names, "policy", "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature")
	}
	for _, n := range names {
		if f.fields[n] == "" {
			e := errInvalidArgument.because("the form has no "+n+" field", nil).with(Field{"ArgumentName", n})
			e.Message = "Bucket POST must contain a field named '" + n + "'.  If it is specified, please check the order of the fields."
			return e
		}
	}
	return nil
}

// signed reports whether the form carries a signature (an unsigned form is anonymous, and
// only a bucket policy can allow it).
func (f *postForm) signed() bool {
	for _, n := range [...]string{"policy", "x-amz-signature", "x-amz-credential", "x-amz-algorithm"} {
		if f.fields[n] != "" {
			return true
		}
	}
	return false
}

// authenticatePost verifies the form's signature and policy and resolves the signer; an
// unsigned form stays anonymous, with an unbounded size but S3's 5 GiB. The policy's
// conditions apply to the fields as sent (the key before ${filename} is replaced).
func (h *Handler) authenticatePost(c *call, f *postForm) (*postPolicy, error) {
	c.principal, c.auth, c.authInfo = nil, nil, nil
	if !f.signed() {
		return &postPolicy{maxSize: -1}, nil
	}
	a, err := sigv4.ParsePost(sigv4.PostForm{Algorithm: f.fields["x-amz-algorithm"], Credential: f.fields["x-amz-credential"],
		Date: f.fields["x-amz-date"], Signature: f.fields["x-amz-signature"], SecurityToken: f.fields["x-amz-security-token"], Policy: f.fields["policy"]})
	if err != nil {
		return nil, sigv4Error(err)
	}
	c.authInfo, c.form = a, true
	p, secret, err := h.o.Auth.Authenticate(c.ctx, a.AccessKeyID, a.SecurityToken)
	if err != nil {
		return nil, credentialError(err, a.SecurityToken != "")
	}
	if err := sigv4.VerifyPost(a, f.fields["policy"], secret, sigv4.Options{Region: h.o.Region}); err != nil {
		return nil, sigv4Error(err)
	}
	c.principal = p
	pol, err := parsePostPolicy(f.fields["policy"])
	if err != nil {
		return nil, err
	}
	if err := pol.check(f.fields, c.bucket, h.o.Now()); err != nil {
		c.denial = denial{action: "s3:PutObject", resource: resourceARN(c.bucket, f.fields["key"])}
		return nil, err
	}
	return pol, nil
}

// header is the form's fields that S3 reads as the headers of a PutObject: Content-Type
// and the other representation headers, x-amz-meta-*, x-amz-* settings, and acl and
// tagging as x-amz-acl and x-amz-tagging. Content-Type defaults to binary/octet-stream,
// not to the file part's type, as RESTObjectPOST documents it.
func (f *postForm) header() http.Header {
	h := http.Header{}
	for name, v := range f.fields {
		switch {
		case name == "acl":
			h.Set("x-amz-acl", v)
		case name == "content-type", name == "cache-control", name == "content-disposition", name == "content-encoding",
			name == "content-language", name == "expires", name == "content-md5":
			h.Set(name, v)
		case strings.HasPrefix(name, "x-amz-") && !postAuthField(name):
			h.Set(name, v)
		}
	}
	return h
}

// postAuthField reports whether a field belongs to the signature rather than the object.
func postAuthField(name string) bool {
	switch name {
	case "x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "x-amz-security-token":
		return true
	}
	return false
}

// body is the file on its way to the backend, within the policy's content-length-range and
// S3's 5 GiB, checked against the Content-MD5 and x-amz-checksum-* fields.
func (f *postForm) body(hdr http.Header, pol *postPolicy) (*payload, error) {
	limit := pol.maxSize
	if limit < 0 || limit > maxObjectSize {
		limit = maxObjectSize
	}
	cr := checksum.NewReader(&sizeRange{r: f.file, min: pol.minSize, max: limit})
	if v := hdr.Get("Content-MD5"); v != "" {
		if err := cr.Expect(checksum.MD5, v); err != nil {
			return nil, errInvalidDigest.because("Content-MD5 "+strconv.Quote(v)+" is not the base64 of 16 bytes", err)
		}
	}
	alg, err := expectChecksumHeaders(cr, hdr.Get)
	if err != nil {
		return nil, err
	}
	p := &payload{size: -1, alg: alg, sums: map[string]string{}}
	p.Reader = &sumsOnEOF{r: cr, alg: alg, sums: p.sums}
	return p, nil
}

// sizeRange fails a read past max with EntityTooLarge and an end before min with
// EntityTooSmall, so that the backend stores nothing out of range.
type sizeRange struct {
	r        io.Reader
	n        int64
	min, max int64
}

func (s *sizeRange) Read(p []byte) (int, error) {
	if int64(len(p)) > s.max-s.n+1 {
		p = p[:s.max-s.n+1]
	}
	n, err := s.r.Read(p)
	s.n += int64(n)
	switch {
	case s.n > s.max:
		return 0, errEntityTooLarge.because("the file is larger than the policy's content-length-range allows", nil).
			with(Field{"MaxSizeAllowed", strconv.FormatInt(s.max, 10)})
	case err == io.EOF && s.n < s.min:
		return n, errEntityTooSmall.because("the file is smaller than the policy's content-length-range allows", nil).
			with(Field{"ProposedSize", strconv.FormatInt(s.n, 10)}, Field{"MinSizeAllowed", strconv.FormatInt(s.min, 10)})
	case err != nil && err != io.EOF && !errors.As(err, new(*Error)):
		return n, errIncompleteBody.because("the file part ended early: "+err.Error(), err)
	}
	return n, err
}

// postResponse is the document of success_action_status 201.
type postResponse struct {
	XMLName  xml.Name `xml:"PostResponse"`
	Location string
	Bucket   string
	Key      string
	ETag     string
}

// postAnswer answers a stored upload: a 303 to success_action_redirect (or redirect) with
// bucket, key and etag appended when it is an absolute URL (S3 ignores one it cannot
// read), else success_action_status 200 (empty), 201 (PostResponse) or, for anything else
// or nothing, 204. Decision: 303 See Other is the redirect status (UNCONFIRMED: the AWS
// documentation says only "redirect"; a browser form needs a GET after its POST).
func (h *Handler) postAnswer(c *call, f *postForm, etag string) error {
	quoted := quoteETag(etag)
	hdr := c.w.Header()
	hdr.Set("ETag", quoted)
	location := h.objectURL(c)
	target := f.fields["success_action_redirect"]
	if target == "" {
		target = f.fields["redirect"]
	}
	if u, err := url.Parse(target); err == nil && u.IsAbs() && (u.Scheme == "http" || u.Scheme == "https") {
		q := u.Query()
		q.Set("bucket", c.bucket)
		q.Set("key", c.key)
		q.Set("etag", quoted)
		u.RawQuery = q.Encode()
		hdr.Set("Location", u.String())
		c.w.WriteHeader(http.StatusSeeOther)
		return nil
	}
	hdr.Set("Location", location)
	switch f.fields["success_action_status"] {
	case "200":
		c.w.WriteHeader(http.StatusOK)
		return nil
	case "201":
		return writeXMLStatus(c.w, http.StatusCreated, postResponse{Location: location, Bucket: c.bucket, Key: c.key, ETag: quoted})
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// objectURL is the URL of the routed object as the client addressed the endpoint.
func (h *Handler) objectURL(c *call) string {
	scheme := "http"
	if c.r.TLS != nil {
		scheme = "https"
	}
	path := "/" + sigv4.EscapePath(c.key)
	if _, virtual := h.virtualBucket(c.r.Host); !virtual {
		path = "/" + c.bucket + path
	}
	return scheme + "://" + c.r.Host + path
}
