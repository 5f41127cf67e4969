package s3

import (
	"context"
	"net/http"
	"net/url"

	"github.com/inkan-dev/inkan/internal/iam"
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
	// denial holds the details of the last denial for the audit record.
	denial denial
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

// header returns the request header named name.
func (c *call) header(name string) string { return c.r.Header.Get(name) }
