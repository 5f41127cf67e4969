package s3

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/inkan-dev/inkan/internal/objstore"
)

// Lifecycle (reference §5, https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html):
// the configuration is validated by the lifecycle package and stored as a bucket setting
// ("lifecycle"), which the lifecycle worker executes in the background. Requests see it in
// x-amz-expiration (PutObject, CompleteMultipartUpload, GetObject, HeadObject) and
// x-amz-abort-date with x-amz-abort-rule-id (CreateMultipartUpload, ListParts: the answers
// whose API reference lists them; UploadPart's lists neither). The headers depend on the
// object's creation and the rules only, never on the time now, so they need no clock:
// they say when the worker, on its own clock, will act.

var (
	opPutLifecycle = operation{"PutBucketLifecycleConfiguration", "s3:PutLifecycleConfiguration", nil, (*Handler).putBucketLifecycle}
	opGetLifecycle = operation{"GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration", nil, (*Handler).getBucketLifecycle}
	// DeleteBucketLifecycle is authorized as s3:PutLifecycleConfiguration, as S3 documents it.
	opDeleteLifecycle = operation{"DeleteBucketLifecycle", "s3:PutLifecycleConfiguration", nil, (*Handler).deleteBucketLifecycle}
)

var (
	errMissingBody         = &Error{Code: "MissingRequestBodyError", Status: 400, Message: "Request Body is empty"}
	errInvalidStorageClass = &Error{Code: "InvalidStorageClass", Status: 400, Message: "The storage class you specified is not valid"}
)

// headerMinimumSize is the request and response header that says which objects S3 would
// not transition by default; inkan transitions nothing, but keeps and echoes the value.
const headerMinimumSize = "x-amz-transition-default-minimum-object-size"

// maxLifecycleSize bounds the document: 1000 rules of a few hundred bytes each.
const maxLifecycleSize = 2 << 20

// lifecycleSchema lists every element of a LifecycleConfiguration: any other is MalformedXML.
var lifecycleSchema = schemaOf("LifecycleConfiguration", lifecycleRulePaths()...)

func lifecycleRulePaths() []string {
	paths := []string{"Rule"}
	add := func(parent string, children ...string) {
		for _, c := range children {
			paths = append(paths, parent+"/"+c)
		}
	}
	sizes := []string{"ObjectSizeGreaterThan", "ObjectSizeLessThan"}
	add("Rule", "ID", "Prefix", "Filter", "Status", "Expiration", "Transition", "NoncurrentVersionTransition",
		"NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload")
	add("Rule/Filter", append([]string{"Prefix", "Tag", "And"}, sizes...)...)
	add("Rule/Filter/Tag", "Key", "Value")
	add("Rule/Filter/And", append([]string{"Prefix", "Tag"}, sizes...)...)
	add("Rule/Filter/And/Tag", "Key", "Value")
	add("Rule/Expiration", "Date", "Days", "ExpiredObjectDeleteMarker")
	add("Rule/Transition", "Date", "Days", "StorageClass")
	add("Rule/NoncurrentVersionTransition", "NoncurrentDays", "StorageClass", "NewerNoncurrentVersions")
	add("Rule/NoncurrentVersionExpiration", "NoncurrentDays", "NewerNoncurrentVersions")
	add("Rule/AbortIncompleteMultipartUpload", "DaysAfterInitiation")
	return paths
}

// putBucketLifecycle validates and stores the configuration, replacing any.
func (h *Handler) putBucketLifecycle(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if !c.hasBodyChecksum() {
		return errMissingContentMD5.because("PutBucketLifecycleConfiguration needs Content-MD5 or an x-amz-checksum-* header or trailer", nil)
	}
	minSize := c.header(headerMinimumSize)
	switch minSize {
	case "":
		minSize = lifecycle.MinimumSizeAll128K
	case lifecycle.MinimumSizeAll128K, lifecycle.MinimumSizeVariesByType:
	default:
		// Decision (UNCONFIRMED code): another value is an invalid argument of the header.
		return errInvalidArgument.because(headerMinimumSize+" is "+minSize, nil).with(Field{"ArgumentName", headerMinimumSize})
	}
	cfg, err := decodeLifecycle(c)
	if err != nil {
		return err
	}
	cfg.Xmlns = xmlns
	doc, err := xmlDocument(cfg)
	if err != nil {
		return err
	}
	stored := lifecycle.Stored{Document: string(doc), MinimumSize: minSize}
	if err := h.o.Auth.PutBucketSetting(c.ctx, c.bucket, lifecycle.Setting, stored.Encode()); err != nil {
		return err
	}
	c.w.Header().Set(headerMinimumSize, minSize)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// decodeLifecycle reads the body strictly and checks the configuration, mapping the
// lifecycle package's refusals to S3's codes.
func decodeLifecycle(c *call) (*lifecycle.Configuration, error) {
	p, err := c.payload()
	if err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(p, maxLifecycleSize+1))
	if err != nil {
		return nil, err
	}
	switch {
	case len(data) == 0:
		return nil, errMissingBody.because("PutBucketLifecycleConfiguration has no body", nil)
	case len(data) > maxLifecycleSize:
		return nil, errMaxMessageLength.because("a lifecycle configuration is at most 2 MiB", nil)
	}
	var cfg lifecycle.Configuration
	if err := decodeStrictXML(bytes.NewReader(data), &cfg, lifecycleSchema); err != nil {
		return nil, err
	}
	if err := cfg.Check(); err != nil {
		return nil, lifecycleError(err)
	}
	return &cfg, nil
}

// lifecycleError maps a refused configuration to S3's error.
func lifecycleError(err error) error {
	var ce *lifecycle.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	var e *Error
	switch ce.Kind {
	case lifecycle.KindInvalidArgument:
		e = errInvalidArgument.because(ce.Message, err)
		e.Message = ce.Message
	case lifecycle.KindInvalidStorageClass:
		e = errInvalidStorageClass.because(ce.Message, err)
	case lifecycle.KindNotImplemented:
		e = errNotImplemented.because(ce.Message, err)
		e.Message = ce.Message
	default:
		e = errMalformedXML.because(ce.Message, err)
	}
	return e
}

// getBucketLifecycle answers the stored configuration, or NoSuchLifecycleConfiguration.
func (h *Handler) getBucketLifecycle(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	setting, ok := h.o.Auth.BucketSetting(c.bucket, lifecycle.Setting)
	if !ok {
		return errNoSuchLifecycle.because("bucket "+c.bucket+" has no lifecycle configuration", nil).with(Field{"BucketName", c.bucket})
	}
	stored, _, err := lifecycle.Decode(setting)
	if err != nil {
		return errInternal.because("the stored lifecycle configuration does not parse", err)
	}
	c.w.Header().Set(headerMinimumSize, stored.MinimumSize)
	return writeRaw(c.w, stored.Document)
}

// deleteBucketLifecycle removes the configuration; 204 whether there was one or not.
func (h *Handler) deleteBucketLifecycle(c *call) error {
	return h.removeSetting(c, lifecycle.Setting)
}

// lifecycleConfig returns the bucket's configuration, nil when it has none or it does not
// parse (then no header is sent, and the worker, which logs it, does nothing either).
func (h *Handler) lifecycleConfig(bucket string) *lifecycle.Configuration {
	setting, ok := h.o.Auth.BucketSetting(bucket, lifecycle.Setting)
	return h.lifecycles.get(bucket, setting, ok, func(setting string) *lifecycle.Configuration {
		_, cfg, _ := lifecycle.Decode(setting)
		return cfg
	})
}

// setExpiration adds x-amz-expiration when an enabled rule expires the object.
func (h *Handler) setExpiration(c *call, info objstore.ObjectInfo) {
	cfg := h.lifecycleConfig(c.bucket)
	if cfg == nil {
		return
	}
	if d, ok := cfg.Expiry(lifecycle.ObjectOf(info, true)); ok {
		c.w.Header().Set("x-amz-expiration", lifecycle.ExpirationHeader(d))
	}
}

// setAbortDate adds x-amz-abort-date and x-amz-abort-rule-id when an enabled rule aborts
// the upload of key initiated at initiated.
func (h *Handler) setAbortDate(c *call, key string, initiated time.Time) {
	cfg := h.lifecycleConfig(c.bucket)
	if cfg == nil {
		return
	}
	if d, ok := cfg.AbortDate(key, initiated); ok {
		c.w.Header().Set("x-amz-abort-date", d.At.UTC().Format(http.TimeFormat))
		c.w.Header().Set("x-amz-abort-rule-id", d.RuleID)
	}
}
