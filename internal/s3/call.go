package s3

import (
	"context"
	"net/http"
	"net/url"

	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// call is one request as the handlers see it: addressed, authenticated and routed.
type call struct {
	w         http.ResponseWriter
	r         *http.Request
	ctx       context.Context
	requestID string
	hostID    string
	query     url.Values

	bucket, key string
	op          *operation

	// principal is the authenticated caller, nil for an anonymous request.
	principal *iam.Principal
	// auth is the verified signature, nil for an anonymous request; it decodes the body.
	auth *sigv4.Verified
	// authInfo is what the signature claimed (presigned or not, payload hash); set as soon
	// as it parses, so that a refused caller is audited by the key it claimed.
	authInfo *sigv4.Auth
	// form is set when the signature came from a POST form's fields (s3:authtype POST).
	form bool
	// denial holds the details of the last denial for the audit record.
	denial denial
	// tags are the tags the request writes, once read (writtenTags).
	tags *requestTags
	// uploadEncryption reads the encryption of the routed multipart upload, for the
	// condition keys of its parts (sse.go); set by the dispatcher.
	uploadEncryption func() objstore.Encryption
}

// denial is what the audit record of a refused request needs beyond the error.
type denial struct {
	action, resource string
}

// resource is the ARN the routed request acts on.
func (c *call) resource() string { return resourceARN(c.bucket, c.key) }

// resourceARN is the ARN of a bucket (key ""), an object, or every bucket (bucket "",
// for ListBuckets), as reference §6 names them.
func resourceARN(bucket, key string) string {
	switch {
	case bucket == "":
		return "arn:aws:s3:::*"
	case key == "":
		return "arn:aws:s3:::" + bucket
	}
	return "arn:aws:s3:::" + bucket + "/" + key
}

func (c *call) opName() string {
	if c.op == nil {
		return ""
	}
	return c.op.name
}

// checkBucketName refuses a bucket name that S3 would not accept.
func (c *call) checkBucketName() error {
	if c.bucket == "" {
		return nil
	}
	if why := bucketNameProblem(c.bucket); why != "" {
		return errInvalidBucketName.because(why, nil).with(Field{"BucketName", c.bucket})
	}
	return nil
}

// nameParams are the query parameters that carry keys or parts of keys.
var nameParams = [...]string{"prefix", "delimiter", "marker", "start-after", "key-marker"}

// checkNames refuses a request whose key, decoded from the path, is not valid UTF-8 or
// holds U+0000, as AWS does (reference §13: 400 InvalidURI "Couldn't parse the specified
// URI.", a bare 400 for HEAD; writeError drops the body of HEAD answers).
//
// Decisions: AWS's answer to NUL is unconfirmed; inkan refuses it the same way, since no
// listing could carry it in XML and no S3-compatible upstream stores it (objstore.CheckKey).
// The query parameters that name keys (prefix, delimiter, marker, start-after, key-marker)
// are part of the same URI, so the same bytes there get the same InvalidURI. The key in
// x-amz-copy-source is a header, not the URI: copySource answers InvalidArgument for it.
// Called after authentication, as the bucket-name check is, so that only a caller the
// endpoint knows learns how its URI was read.
func (c *call) checkNames() error {
	if c.key != "" {
		if err := objstore.CheckNames(c.key); err != nil {
			return errInvalidURI.because("the object key "+err.Error(), err)
		}
	}
	for _, p := range nameParams {
		for _, v := range c.query[p] {
			if err := objstore.CheckNames(v); err != nil {
				return errInvalidURI.because("the "+p+" parameter "+err.Error(), err)
			}
		}
	}
	return nil
}

// header returns the request header named name.
func (c *call) header(name string) string { return c.r.Header.Get(name) }
