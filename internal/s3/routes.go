package s3

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy"
)

// operation is one S3 API operation: the IAM action the dispatcher authorizes on the
// routed bucket or object before running it (reference §6), the condition keys the request
// adds, and the handler.
type operation struct {
	name string
	// action is authorized by the dispatcher on the routed resource; "" when the handler
	// authorizes itself (DeleteObjects checks every key).
	action string
	// keys returns the operation's own condition keys (s3:prefix…); nil = none.
	keys func(c *call) policy.Keys
	run  func(h *Handler, c *call) error
}

// The operations, by name.
var (
	opListBuckets         = operation{"ListBuckets", "s3:ListAllMyBuckets", nil, (*Handler).listBuckets}
	opCreateBucket        = operation{"CreateBucket", "s3:CreateBucket", nil, (*Handler).createBucket}
	opDeleteBucket        = operation{"DeleteBucket", "s3:DeleteBucket", nil, (*Handler).deleteBucket}
	opHeadBucket          = operation{"HeadBucket", "s3:ListBucket", nil, (*Handler).headBucket}
	opGetBucketLocation   = operation{"GetBucketLocation", "s3:GetBucketLocation", nil, (*Handler).getBucketLocation}
	opGetBucketVersioning = operation{"GetBucketVersioning", "s3:GetBucketVersioning", nil, (*Handler).getBucketVersioning}
	opPutBucketVersioning = operation{"PutBucketVersioning", "s3:PutBucketVersioning", nil, (*Handler).putBucketVersioning}
	opGetBucketPolicy     = operation{"GetBucketPolicy", "s3:GetBucketPolicy", nil, (*Handler).getBucketPolicy}
	opPutBucketPolicy     = operation{"PutBucketPolicy", "s3:PutBucketPolicy", nil, (*Handler).putBucketPolicy}
	opDeleteBucketPolicy  = operation{"DeleteBucketPolicy", "s3:DeleteBucketPolicy", nil, (*Handler).deleteBucketPolicy}
	opListObjects         = operation{"ListObjects", "s3:ListBucket", listKeys, (*Handler).listObjects}
	opListObjectsV2       = operation{"ListObjectsV2", "s3:ListBucket", listKeys, (*Handler).listObjectsV2}
	opListUploads         = operation{"ListMultipartUploads", "s3:ListBucketMultipartUploads", nil, (*Handler).listMultipartUploads}
	opListVersions        = operation{"ListObjectVersions", "s3:ListBucketVersions", listKeys, (*Handler).listObjectVersions}
	opDeleteObjects       = operation{"DeleteObjects", "", nil, (*Handler).deleteObjects}
	opGetObject           = operation{"GetObject", "s3:GetObject", nil, (*Handler).getObject}
	opHeadObject          = operation{"HeadObject", "s3:GetObject", nil, (*Handler).headObject}
	opPutObject           = operation{"PutObject", "s3:PutObject", sseKeys, (*Handler).putObject}
	opCopyObject          = operation{"CopyObject", "s3:PutObject", copyKeys, (*Handler).copyObject}
	opDeleteObject        = operation{"DeleteObject", "s3:DeleteObject", deleteKeys, (*Handler).deleteObject}
	opCreateUpload        = operation{"CreateMultipartUpload", "s3:PutObject", sseKeys, (*Handler).createMultipartUpload}
	opUploadPart          = operation{"UploadPart", "s3:PutObject", uploadSSEKeys, (*Handler).uploadPart}
	opUploadPartCopy      = operation{"UploadPartCopy", "s3:PutObject", uploadPartCopyKeys, (*Handler).uploadPartCopy}
	opCompleteUpload      = operation{"CompleteMultipartUpload", "s3:PutObject", uploadSSEKeys, (*Handler).completeMultipartUpload}
	opAbortUpload         = operation{"AbortMultipartUpload", "s3:AbortMultipartUpload", nil, (*Handler).abortMultipartUpload}
	opListParts           = operation{"ListParts", "s3:ListMultipartUploadParts", nil, (*Handler).listParts}
	opGetObjectAttributes = operation{"GetObjectAttributes", "s3:GetObjectAttributes", nil, (*Handler).getObjectAttributes}
)

// bucketOperation is the route table of requests naming a bucket and no key: method and
// subresource ("" for none) to operation, nil when inkan does not implement it.
func bucketOperation(method, sub string) *operation {
	switch method + " " + sub {
	case "GET ":
		return &opListObjects
	case "GET location":
		return &opGetBucketLocation
	case "GET versioning":
		return &opGetBucketVersioning
	case "PUT versioning":
		return &opPutBucketVersioning
	case "GET policy":
		return &opGetBucketPolicy
	case "PUT policy":
		return &opPutBucketPolicy
	case "DELETE policy":
		return &opDeleteBucketPolicy
	case "GET uploads":
		return &opListUploads
	case "HEAD ":
		return &opHeadBucket
	case "PUT ":
		return &opCreateBucket
	case "DELETE ":
		return &opDeleteBucket
	case "POST delete":
		return &opDeleteObjects
	case "POST ":
		return &opPostObject
	case "GET versions":
		return &opListVersions
	}
	return settingOperation(method, sub)
}

// objectOperation is the route table of requests naming an object. Copies are told apart
// from puts by copyVariant.
func objectOperation(method, sub string) *operation {
	switch method + " " + sub {
	case "GET ":
		return &opGetObject
	case "HEAD ":
		return &opHeadObject
	case "PUT ":
		return &opPutObject
	case "DELETE ":
		return &opDeleteObject
	case "POST uploads":
		return &opCreateUpload
	case "PUT uploadId":
		return &opUploadPart
	case "POST uploadId":
		return &opCompleteUpload
	case "DELETE uploadId":
		return &opAbortUpload
	case "GET uploadId":
		return &opListParts
	case "GET tagging":
		return &opGetObjectTagging
	case "PUT tagging":
		return &opPutObjectTagging
	case "DELETE tagging":
		return &opDeleteObjectTagging
	case "GET acl":
		return &opGetObjectACL
	case "PUT acl":
		return &opPutObjectACL
	case "GET legal-hold":
		return &opGetLegalHold
	case "PUT legal-hold":
		return &opPutLegalHold
	case "GET retention":
		return &opGetRetention
	case "PUT retention":
		return &opPutRetention
	case "GET attributes":
		return &opGetObjectAttributes
	}
	return nil
}

// route picks the operation a request names. Anything inkan does not implement is
// answered NotImplemented, never served as something else.
func route(c *call) (*operation, error) {
	sub, err := subresource(c.query)
	if err != nil {
		return nil, err
	}
	if _, err := c.versionID(); err != nil {
		return nil, err
	}
	var op *operation
	switch {
	case c.bucket == "":
		if c.r.Method == http.MethodGet && sub == "" {
			op = &opListBuckets
		}
	case c.key == "":
		op = bucketOperation(c.r.Method, sub)
		if op == &opListObjects && c.query.Get("list-type") != "" {
			if c.query.Get("list-type") != "2" {
				return nil, errInvalidArgument.because("list-type must be 2", nil).with(Field{"ArgumentName", "list-type"})
			}
			op = &opListObjectsV2
		}
	default:
		op = copyVariant(c, objectOperation(c.r.Method, sub))
	}
	if op == nil {
		return nil, notImplemented(c.r.Method, sub, c.bucket, c.key)
	}
	return op, nil
}

// copyVariant turns a put into its copy form when the request names a copy source.
func copyVariant(c *call, op *operation) *operation {
	if c.header("x-amz-copy-source") == "" {
		return op
	}
	switch op {
	case &opPutObject:
		return &opCopyObject
	case &opUploadPart:
		return &opUploadPartCopy
	}
	return op
}

func notImplemented(method, sub, bucket, key string) *Error {
	what := method + " on "
	switch {
	case bucket == "":
		what += "the service"
	case key == "":
		what += "a bucket"
	default:
		what += "an object"
	}
	if sub != "" {
		what += " with ?" + sub
	}
	return errNotImplemented.because(what+" is not implemented by inkan", nil)
}

// isSubresource reports whether a query parameter selects an operation.
func isSubresource(name string) bool {
	switch name {
	case "location", "versioning", "policy", "uploads", "delete", "uploadId", "tagging", "versions",
		// bucket settings (settings.go), and the sub-resources of features inkan lacks,
		// which route to NotImplemented by method
		"abac", "accelerate", "acl", "analytics", "cors", "encryption", "intelligent-tiering", "inventory",
		"lifecycle", "logging", "metadataConfiguration", "metadataTable", "metrics", "notification",
		"object-lock", "ownershipControls", "policyStatus", "publicAccessBlock", "replication",
		"requestPayment", "website", "attributes", "legal-hold", "retention":
		return true
	}
	return false
}

// isParameter reports whether a query parameter is one that operations read:
// "response-*" overrides and "X-Amz-*" presigning parameters are recognised by prefix.
func isParameter(name string) bool {
	switch name {
	case "list-type", "prefix", "delimiter", "max-keys", "marker", "continuation-token", "start-after",
		"encoding-type", "fetch-owner", "x-id", "max-uploads", "key-marker", "upload-id-marker", "max-parts",
		"part-number-marker", "max-buckets", "bucket-region", "partNumber", "versionId", "id", "version-id-marker",
		// mc adds MinIO's withUpdatedAt to GetBucketLifecycleConfiguration (mc stat).
		"withUpdatedAt":
		return true
	}
	lower := strings.ToLower(name)
	return strings.HasPrefix(lower, "x-amz-") || strings.HasPrefix(lower, "response-")
}

// subresource returns the one subresource the query names, "" for none. Any other
// parameter names a subresource inkan does not implement (?acl, ?tagging, ?cors…):
// NotImplemented, so that no client mistakes a plain GET for the answer it asked for.
func subresource(q url.Values) (string, error) {
	var subs []string
	for name := range q {
		switch {
		case isSubresource(name):
			subs = append(subs, name)
		case !isParameter(name):
			return "", errNotImplemented.because("the ?"+name+" subresource is not implemented by inkan", nil)
		}
	}
	switch len(subs) {
	case 0:
		return "", nil
	case 1:
		return subs[0], nil
	}
	sort.Strings(subs)
	return "", errInvalidRequest.because("the query names several subresources: "+strings.Join(subs, ", "), nil)
}
