package upstream

import (
	"context"
	"net/http"
	"strings"
	"unicode/utf8"

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
	if opts.Delimiter != "" {
		return b.listRolledUp(ctx, name, opts, bucket)
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
	if opts.MaxKeys > 1000 {
		q[2].value = "1000"
	}
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

// listRolledUp lists with a delimiter by listing the keys upstream without
// one and rolling them up here, skipping past each common prefix with
// start-after.
//
// Decision: SeaweedFS answers delimiter listings in its directory order,
// where the prefix "a/" (directory a) comes before "a-b/" and "a.c",
// against S3's byte order, so pages would be unsorted and paging by
// NextAfter would lose entries. Its listings without a delimiter are in
// byte order, as are versitygw's and S3's. The cost is an upstream request
// per common prefix whose keys run past the upstream page, instead of one
// request per page.
func (b *Backend) listRolledUp(ctx context.Context, name string, opts objstore.ListOptions, bucket string) (objstore.ListResult, error) {
	var out objstore.ListResult
	start, lastCP := opts.After, ""
	if cp, ok := objstore.CommonPrefix(opts.After, opts.Prefix, opts.Delimiter); ok {
		start, lastCP = skipPast(cp), cp // After inside a prefix skips it
	}
	for {
		res, err := b.listPage(ctx, name, objstore.ListOptions{Prefix: opts.Prefix, After: start, MaxKeys: 1000}, "")
		if err != nil {
			return objstore.ListResult{}, err
		}
		page := b.pageOf(bucket, res, "")
		for _, o := range page.Objects {
			switch cp, ok := objstore.CommonPrefix(o.Key, opts.Prefix, opts.Delimiter); {
			case o.Key <= opts.After || (lastCP != "" && strings.HasPrefix(o.Key, lastCP)):
				continue
			case len(out.Objects)+len(out.CommonPrefixes) == opts.MaxKeys:
				out.IsTruncated = true
				return out, nil
			case ok:
				out.CommonPrefixes = append(out.CommonPrefixes, cp)
				lastCP, out.NextAfter = cp, cp
			default:
				out.Objects = append(out.Objects, o)
				out.NextAfter = o.Key
			}
		}
		if !res.IsTruncated || len(page.Objects) == 0 {
			out.NextAfter = ""
			return out, nil
		}
		start = page.Objects[len(page.Objects)-1].Key
		if lastCP != "" && strings.HasPrefix(start, lastCP) {
			start = skipPast(lastCP)
		}
	}
}

// skipPast returns a start-after at or beyond nearly every key that starts
// with prefix: prefix followed by U+10FFFF (the greatest UTF-8 sequence) up
// to MaxKeyLength bytes. Keys longer still are skipped as they are read.
func skipPast(prefix string) string {
	n := (objstore.MaxKeyLength - len(prefix)) / utf8.UTFMax
	return prefix + strings.Repeat(string(utf8.MaxRune), max(n, 1))
}
