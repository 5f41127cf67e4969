package s3

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/inkan-dev/inkan/internal/objstore"
)

// maxPolicySize is S3's limit on a bucket policy document (20 KB).
const maxPolicySize = 20 << 10

// listBuckets lists every bucket, with the optional prefix and max-buckets paging of
// the current API.
func (h *Handler) listBuckets(c *call) error {
	all, err := h.o.Backend.ListBuckets(c.ctx)
	if err != nil {
		return err
	}
	res := listAllMyBucketsResult{Xmlns: xmlns, Owner: h.owner, Prefix: c.query.Get("prefix")}
	limit, err := intParam(c.query, "max-buckets", 10000, 1, 10000)
	if err != nil {
		return err
	}
	after, err := decodeToken(c.query.Get("continuation-token"))
	if err != nil {
		return err
	}
	for _, b := range all {
		if !strings.HasPrefix(b.Name, res.Prefix) || b.Name <= after {
			continue
		}
		if len(res.Buckets) == limit {
			res.ContinuationToken = encodeToken(res.Buckets[len(res.Buckets)-1].Name)
			break
		}
		res.Buckets = append(res.Buckets, bucketEntry{Name: b.Name, CreationDate: s3Time(b.Created), BucketRegion: h.region})
	}
	return writeXML(c.w, res)
}

// createBucket creates the bucket. The location constraint, when given, must be this
// endpoint's region. A bucket gets no policy, whatever an earlier bucket of the same name
// had.
func (h *Handler) createBucket(c *call) error {
	if v := c.header("x-amz-bucket-object-lock-enabled"); strings.EqualFold(v, "true") {
		return errNotImplemented.because("object lock is not implemented by inkan", nil)
	}
	if err := c.refuseUnsupported(); err != nil {
		return err
	}
	if err := h.checkACLHeaders(c.r.Header, errBucketACLOwnership); err != nil {
		return err
	}
	if err := h.checkLocation(c); err != nil {
		return err
	}
	exists := errBucketExists.because("bucket "+c.bucket+" exists", nil).with(Field{"BucketName", c.bucket})
	if _, err := h.o.Backend.HeadBucket(c.ctx, c.bucket); !errors.Is(err, objstore.ErrNoSuchBucket) {
		if err == nil {
			return exists
		}
		return err
	}
	// A policy left by a deleted bucket of the same name (a crash between the two
	// deletions) must not govern the new one.
	if err := h.o.Auth.DeleteBucketPolicy(c.ctx, c.bucket); err != nil && iam.KindOf(err) != iam.KindNoSuchEntity {
		return err
	}
	// So must its settings (an encryption configuration unblocking SSE-C, say); the new
	// bucket's own are stored before it exists, so that it never exists without its public
	// access block.
	for _, name := range bucketSettings {
		if err := h.o.Auth.DeleteBucketSetting(c.ctx, c.bucket, name); err != nil {
			return err
		}
	}
	if err := h.initialSettings(c); err != nil {
		return err
	}
	if c.tags != nil && len(c.tags.tags) > 0 {
		if err := h.putSetting(c, taggingSetting, taggingOf(c.tags.tags)); err != nil {
			return err
		}
	}
	if err := h.o.Backend.CreateBucket(c.ctx, c.bucket); err != nil {
		if errors.Is(err, objstore.ErrBucketExists) {
			return exists
		}
		return err
	}
	c.w.Header().Set("Location", "/"+c.bucket)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// checkLocation reads CreateBucket's optional body. With a pinned region, S3's rules hold:
// a constraint naming another region is IllegalLocationConstraintException and "us-east-1"
// spelled out is InvalidLocationConstraint. Without one (Options.Region ""), every region
// is this endpoint's, so any constraint is accepted: the AWS CLI sends its configured
// region there, and refusing it would make "aws s3 mb" fail for everyone outside us-east-1.
func (h *Handler) checkLocation(c *call) error {
	p, err := c.payload()
	if err != nil {
		return err
	}
	data, err := io.ReadAll(io.LimitReader(p, maxXMLBody+1))
	if err != nil {
		return err
	}
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil
	}
	var cfg createBucketConfiguration
	if err := decodeStrictXML(strings.NewReader(string(data)), &cfg, createBucketSchema); err != nil {
		return err
	}
	if cfg.Tags != nil {
		if err := h.createTags(c, cfg.Tags.Tags); err != nil {
			return err
		}
	}
	lc := cfg.LocationConstraint
	switch {
	case cfg.Location != nil || cfg.Bucket != nil:
		return errNotImplemented.because("directory buckets are not implemented by inkan", nil)
	case h.o.Region == "":
		return nil
	case lc == "" || lc == h.region:
		if lc == "us-east-1" {
			return errInvalidLocation.because("us-east-1 is named by an empty location constraint", nil).
				with(Field{"LocationConstraint", lc})
		}
		return nil
	}
	return (&Error{Code: "IllegalLocationConstraintException", Status: 400,
		Message: "The " + lc + " location constraint is incompatible for the region specific endpoint this request was sent to."}).
		because("this endpoint serves region "+h.region, nil)
}

// bucketSettings are the settings a bucket's deletion removes.
var bucketSettings = []string{corsSetting, lifecycle.Setting, taggingSetting, ownershipSetting, publicAccessSetting, encryptionSetting}

// deleteBucket removes an empty bucket, its policy and its settings.
func (h *Handler) deleteBucket(c *call) error {
	if err := h.o.Backend.DeleteBucket(c.ctx, c.bucket); err != nil {
		return bucketError(c, err)
	}
	if err := h.o.Auth.DeleteBucketPolicy(c.ctx, c.bucket); err != nil && iam.KindOf(err) != iam.KindNoSuchEntity {
		h.o.Logger.Error("bucket deleted but its policy was not", "request_id", c.requestID, "bucket", c.bucket, "err", err)
	}
	// A setting left behind would apply to a new bucket of the same name: a lifecycle
	// configuration would expire its objects.
	for _, name := range bucketSettings {
		if err := h.o.Auth.DeleteBucketSetting(c.ctx, c.bucket, name); err != nil {
			h.o.Logger.Error("bucket deleted but its "+name+" setting was not", "request_id", c.requestID, "bucket", c.bucket, "err", err)
		}
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// headBucket answers 200 with the bucket's region, or 404 without a body.
func (h *Handler) headBucket(c *call) error {
	if _, err := h.o.Backend.HeadBucket(c.ctx, c.bucket); err != nil {
		return bucketError(c, err)
	}
	c.w.Header().Set("x-amz-bucket-region", h.region)
	c.w.WriteHeader(http.StatusOK)
	return nil
}

// getBucketLocation answers the region; us-east-1 is an empty constraint, as in S3.
func (h *Handler) getBucketLocation(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	region := h.region
	if region == "us-east-1" {
		region = ""
	}
	return writeXML(c.w, locationConstraint{Xmlns: xmlns, Region: region})
}

// putBucketPolicy sets the bucket's policy: JSON, at most 20 KB, validated by the domain as
// a resource policy of this bucket (MalformedPolicy otherwise).
func (h *Handler) putBucketPolicy(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	p, err := c.payload()
	if err != nil {
		return err
	}
	doc, err := io.ReadAll(io.LimitReader(p, maxPolicySize+1))
	if err != nil {
		return err
	}
	if len(doc) > maxPolicySize {
		e := errMalformedPolicy.because("the policy is larger than 20 KB", nil)
		e.Message = "Policies must be less than 20 KB"
		return e
	}
	if err := h.checkPublicPolicy(c, doc); err != nil {
		return err
	}
	if err := h.o.Auth.PutBucketPolicy(c.ctx, c.bucket, string(doc)); err != nil {
		return policyError(err)
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// getBucketPolicy returns the policy document as it was put.
func (h *Handler) getBucketPolicy(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	doc, err := h.o.Auth.GetBucketPolicy(c.ctx, c.bucket)
	if err != nil {
		return policyError(err)
	}
	hdr := c.w.Header()
	hdr.Set("Content-Type", "application/json")
	hdr.Set("Content-Length", strconv.Itoa(len(doc)))
	c.w.WriteHeader(http.StatusOK)
	_, err = io.WriteString(c.w, doc)
	return err
}

// deleteBucketPolicy removes the policy; removing none succeeds, as in S3.
func (h *Handler) deleteBucketPolicy(c *call) error {
	if err := h.requireBucket(c); err != nil {
		return err
	}
	if err := h.o.Auth.DeleteBucketPolicy(c.ctx, c.bucket); err != nil && iam.KindOf(err) != iam.KindNoSuchEntity {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

// policyError maps the domain's answers about bucket policies.
func policyError(err error) error {
	var ie *iam.Error
	if !errors.As(err, &ie) {
		return err
	}
	switch ie.Kind {
	case iam.KindMalformedPolicy:
		e := errMalformedPolicy.because(ie.Reason, err)
		e.Message = ie.Message
		return e
	case iam.KindNoSuchEntity:
		return errNoSuchBucketPolicy.because(ie.Reason, err)
	}
	return err
}

// requireBucket answers NoSuchBucket for a bucket that does not exist.
func (h *Handler) requireBucket(c *call) error {
	_, err := h.o.Backend.HeadBucket(c.ctx, c.bucket)
	return bucketError(c, err)
}

// bucketError adds the bucket's name to NoSuchBucket and BucketNotEmpty, as S3 does.
func bucketError(c *call, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, objstore.ErrNoSuchBucket):
		return errNoSuchBucket.because("no bucket "+c.bucket, err).with(Field{"BucketName", c.bucket})
	case errors.Is(err, objstore.ErrBucketNotEmpty):
		return errBucketNotEmpty.because("bucket "+c.bucket+" holds objects", err).with(Field{"BucketName", c.bucket})
	}
	return err
}

// encodeToken and decodeToken make the opaque continuation tokens of listings: the
// exclusive start key, base64url-encoded.
func encodeToken(after string) string { return base64.RawURLEncoding.EncodeToString([]byte(after)) }

func decodeToken(token string) (string, error) {
	if token == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return "", errInvalidArgument.because("the continuation token does not decode", err).
			with(Field{"ArgumentName", "continuation-token"})
	}
	return string(b), nil
}

// intParam reads an integer query parameter, def when absent; values above max are
// clamped (as S3 caps max-keys at 1,000), values below min or not integers are refused.
func intParam(q map[string][]string, name string, def, lo, hi int) (int, error) {
	v, ok := q[name]
	if !ok || len(v) == 0 {
		return def, nil
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < lo {
		return 0, errInvalidArgument.because(name+" must be an integer of at least "+strconv.Itoa(lo), err).
			with(Field{"ArgumentName", name}, Field{"ArgumentValue", v[0]})
	}
	return min(n, hi), nil
}
