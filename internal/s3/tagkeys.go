package s3

import (
	"errors"
	"maps"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/policy"
)

// The condition keys of tags and ACLs (reference §2 and §3, from the Service Authorization
// Reference): s3:ExistingObjectTag/<key> holds the object's current tags for the actions
// that read or change an existing object's tags or ACL; s3:RequestObjectTag/<key> and
// the multivalued s3:RequestObjectTagKeys hold the tags a write sets; s3:x-amz-acl the
// canned ACL a request names. Condition key names are case-insensitive in IAM, so the tag
// key in a key name is lower-cased like the rest (two tags differing only in case give the
// key both values); values, and the keys listed in s3:RequestObjectTagKeys, keep their case.

// conditionKeys are the routed operation's condition keys: its own (s3:prefix…) and those
// of tags and ACLs. An object whose tags cannot be read fails the request: a Deny that
// names a tag must not be skipped because the store did not answer.
func (h *Handler) conditionKeys(c *call, op *operation) (policy.Keys, error) {
	keys := policy.Keys{}
	if op.keys != nil {
		maps.Copy(keys, op.keys(c))
	}
	if c.key != "" && readsExistingTags(op.action) && h.mayUseExistingTags(c, c.bucket) {
		vid, _ := c.versionID() // checked when the request was routed
		info, err := h.o.Backend.HeadObject(c.ctx, c.bucket, c.key, vid)
		switch {
		case err == nil:
			maps.Copy(keys, existingTagKeys(info.Meta.Tags))
		case !errors.Is(err, objstore.ErrNoSuchKey) && !errors.Is(err, objstore.ErrNoSuchBucket) &&
			!errors.Is(err, objstore.ErrNoSuchVersion) && !errors.Is(err, objstore.ErrInvalidVersionID) &&
			!errors.Is(err, objstore.ErrInvalidKey) && !errors.Is(err, objstore.ErrKeyTooLong):
			return nil, err
		}
	}
	if rt := c.writtenTags(); rt.set && rt.err == nil {
		maps.Copy(keys, requestTagKeys(rt.tags))
	}
	if v := c.header("x-amz-acl"); v != "" && aclKeyApplies(op.action) {
		keys["s3:x-amz-acl"] = []string{v}
	}
	return keys, nil
}

// existingTagPrefix is the prefix of the s3:ExistingObjectTag/<key> condition keys.
const existingTagPrefix = "s3:existingobjecttag/"

// mayUseExistingTags reports whether a policy deciding the caller's request on bucket names
// s3:ExistingObjectTag/…: only then are the object's tags read before the decision (one
// read of the object store, a round trip on an upstream). A bucket policy that cannot be
// read counts as naming it; the decision then refuses the request anyway.
func (h *Handler) mayUseExistingTags(c *call, bucket string) bool {
	bp, err := h.o.Policies.BucketPolicy(c.ctx, bucket)
	if err != nil {
		return true
	}
	return h.o.Auth.UsesConditionKey(c.principal, bp, existingTagPrefix)
}

// readsExistingTags reports whether s3:ExistingObjectTag/<key> applies to action: the
// reads of an object, its tags, ACL and attributes, and the changes of its tags and ACL,
// but not PutObject or DeleteObject
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/tagging-and-policies.html).
func readsExistingTags(action string) bool {
	switch action {
	case "s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAcl", "s3:GetObjectVersionAcl",
		"s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes",
		"s3:PutObjectAcl", "s3:PutObjectVersionAcl", "s3:PutObjectTagging", "s3:PutObjectVersionTagging",
		"s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging":
		return true
	}
	return false
}

// aclKeyApplies reports whether s3:x-amz-acl applies to action.
func aclKeyApplies(action string) bool {
	switch action {
	case "s3:CreateBucket", "s3:PutBucketAcl", "s3:PutObject", "s3:PutObjectAcl", "s3:PutObjectVersionAcl":
		return true
	}
	return false
}

// existingTagKeys are s3:ExistingObjectTag/<key> of an object's tags.
func existingTagKeys(tags map[string]string) policy.Keys {
	return tagKeys(existingTagPrefix, tags)
}

// requestTagKeys are s3:RequestObjectTag/<key> of the tags a request writes, and
// s3:RequestObjectTagKeys listing their keys (present, with no values, for a write that
// sets no tags, so that ForAllValues holds and ForAnyValue does not).
func requestTagKeys(tags map[string]string) policy.Keys {
	k := tagKeys("s3:requestobjecttag/", tags)
	names := make([]string, 0, len(tags))
	for _, t := range taggingOf(tags).Tags {
		names = append(names, *t.Key)
	}
	k["s3:requestobjecttagkeys"] = names
	return k
}

func tagKeys(prefix string, tags map[string]string) policy.Keys {
	k := policy.Keys{}
	for name, v := range tags {
		key := prefix + strings.ToLower(name)
		k[key] = append(k[key], v)
	}
	return k
}
