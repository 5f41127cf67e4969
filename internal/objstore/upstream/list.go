package upstream

import (
	"context"
	"net/http"

	"github.com/inkan-dev/inkan/internal/objstore"
)

type listObjectsResult struct {
	IsTruncated           bool
	NextContinuationToken string
	EncodingType          string
	Contents              []struct {
		Key          string
		LastModified string
		ETag         string
		Size         int64
	}
	CommonPrefixes []struct{ Prefix string }
}

// ListObjects passes the listing through to ListObjectsV2, keys URL-encoded
// on the wire (encoding-type=url) so that any byte survives XML. S3's
// start-after is exclusive of keys only: a common prefix that contains After
// (or equals it) comes back, and is dropped here, as the contract makes After
// exclusive of prefixes too; a page emptied so is followed by the next one.
func (b *Backend) ListObjects(ctx context.Context, bucket string, opts objstore.ListOptions) (objstore.ListResult, error) {
	name, empty, err := b.listName(bucket, opts.Prefix, opts.Delimiter, opts.After)
	if err != nil {
		return objstore.ListResult{}, err
	}
	if opts.MaxKeys <= 0 || empty {
		return objstore.ListResult{}, b.headBucket(ctx, name)
	}
	return b.listObjects(ctx, name, opts, bucket)
}

// listObjects lists upstream bucket name; objects are described as being in
// bucket.
func (b *Backend) listObjects(ctx context.Context, name string, opts objstore.ListOptions, bucket string) (objstore.ListResult, error) {
	token := ""
	for {
		res, err := b.listPage(ctx, name, opts, token)
		if err != nil {
			return objstore.ListResult{}, err
		}
		page := b.pageOf(bucket, res, opts.After)
		if len(page.Objects)+len(page.CommonPrefixes) > 0 || !res.IsTruncated || res.NextContinuationToken == "" {
			return page, nil
		}
		token = res.NextContinuationToken
	}
}

func (b *Backend) listPage(ctx context.Context, name string, opts objstore.ListOptions, token string) (*listObjectsResult, error) {
	q := []param{{name: "list-type", value: "2"}, {name: "encoding-type", value: "url"},
		{name: "max-keys", value: itoa(opts.MaxKeys)}, {name: "prefix", value: opts.Prefix}}
	if opts.Delimiter != "" {
		q = append(q, param{name: "delimiter", value: opts.Delimiter})
	}
	if token != "" {
		q = append(q, param{name: "continuation-token", value: token})
	} else if opts.After != "" {
		q = append(q, param{name: "start-after", value: opts.After})
	}
	var res listObjectsResult
	err := b.getXML(ctx, &call{op: "ListObjectsV2", method: http.MethodGet, bucket: name, query: sortedParams(q)}, &res)
	return &res, err
}

// pageOf converts an upstream page, dropping entries not after after.
func (b *Backend) pageOf(bucket string, res *listObjectsResult, after string) objstore.ListResult {
	dec := decoder(res.EncodingType)
	var out objstore.ListResult
	for _, c := range res.Contents {
		if k := dec(c.Key); k > after {
			out.Objects = append(out.Objects, objstore.ObjectInfo{Bucket: bucket, Key: k, Size: c.Size,
				ETag: objstore.NormalizeETag(c.ETag), LastModified: lastModified(c.LastModified),
				PartsCount: partsCount("", objstore.NormalizeETag(c.ETag))})
		}
	}
	for _, p := range res.CommonPrefixes {
		if cp := dec(p.Prefix); cp > after {
			out.CommonPrefixes = append(out.CommonPrefixes, cp)
		}
	}
	out.IsTruncated = res.IsTruncated
	if out.IsTruncated {
		if n := len(out.Objects); n > 0 {
			out.NextAfter = out.Objects[n-1].Key
		}
		if n := len(out.CommonPrefixes); n > 0 && out.CommonPrefixes[n-1] > out.NextAfter {
			out.NextAfter = out.CommonPrefixes[n-1]
		}
	}
	return out
}
