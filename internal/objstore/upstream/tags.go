package upstream

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// Object tags live in the upstream's own tagging (S3 PutObjectTagging and
// x-amz-tagging), so they are visible to the upstream's clients and replaced
// without rewriting the object: an upstream that lacks tagging answers
// NotImplemented, which reaches the client as 501 (objstore.ErrNotImplemented).
// HEAD and GET answers carry only x-amz-tagging-count; the tags themselves
// cost one GET ?tagging, sent only for an object that has some.

// tagSet is S3's Tagging document.
type tagSet struct {
	XMLName xml.Name `xml:"Tagging"`
	Xmlns   string   `xml:"xmlns,attr,omitempty"`
	Tags    []tag    `xml:"TagSet>Tag"`
}

type tag struct {
	Key   string
	Value string
}

// taggingHeader renders tags as x-amz-tagging: a URL query, keys sorted.
func taggingHeader(tags map[string]string) string {
	v := url.Values{}
	for k, val := range tags {
		v.Set(k, val)
	}
	return v.Encode()
}

// setTags writes tags as x-amz-tagging on a PUT, CreateMultipartUpload or
// CopyObject (which also needs X-Amz-Tagging-Directive: REPLACE).
func setTags(h http.Header, tags map[string]string) {
	if len(tags) > 0 {
		h.Set("X-Amz-Tagging", taggingHeader(tags))
	}
}

// readTags fills info's tags, of version vid ("" for the current one), when the
// answer h counts some.
func (b *Backend) readTags(ctx context.Context, name, key, vid string, h http.Header, info *objstore.ObjectInfo) error {
	if n, err := strconv.Atoi(h.Get("X-Amz-Tagging-Count")); err != nil || n <= 0 {
		return nil
	}
	var doc tagSet
	if err := b.getXML(ctx, &call{op: "GetObjectTagging", method: http.MethodGet, bucket: name, key: key,
		query: append([]param{{name: "tagging", bare: true}}, versionParam(vid)...)}, &doc); err != nil {
		return err
	}
	info.Meta.Tags = make(map[string]string, len(doc.Tags))
	for _, t := range doc.Tags {
		info.Meta.Tags[t.Key] = t.Value
	}
	return nil
}

// PutObjectTags implements objstore.Backend with the upstream's
// PutObjectTagging (DeleteObjectTagging for no tags), then describes the
// object again.
func (b *Backend) PutObjectTags(ctx context.Context, bucket, key, versionID string, tags map[string]string) (objstore.ObjectInfo, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	// S3 answers the tagging of a missing key with NoSuchKey, but not every
	// upstream does: read the version first, so the answer is the contract's
	// (a delete marker included).
	if _, err := b.headVersion(ctx, bucket, name, key, versionID); err != nil {
		return objstore.ObjectInfo{}, err
	}
	c := &call{op: "PutObjectTagging", method: http.MethodPut, bucket: name, key: key,
		query: append([]param{{name: "tagging", bare: true}}, versionParam(versionID)...), retry: true}
	if len(tags) == 0 {
		c.op, c.method = "DeleteObjectTagging", http.MethodDelete
	} else {
		doc := tagSet{Xmlns: "http://s3.amazonaws.com/doc/2006-03-01/"}
		keys := make([]string, 0, len(tags))
		for k := range tags {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			doc.Tags = append(doc.Tags, tag{Key: k, Value: tags[k]})
		}
		data, err := xml.Marshal(doc)
		if err != nil {
			return objstore.ObjectInfo{}, err
		}
		sum := md5.Sum(data)
		c.body, c.size, c.payloadHash = bytes.NewReader(data), int64(len(data)), sigv4.PayloadHash(data)
		c.header = header("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]), "Content-Type", "application/xml")
	}
	if _, err := b.doDiscard(ctx, c); err != nil {
		return objstore.ObjectInfo{}, err
	}
	return b.headVersion(ctx, bucket, name, key, versionID)
}
