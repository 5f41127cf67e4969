package upstream

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// CreateBucket creates the upstream bucket; BucketAlreadyOwnedByYou and
// BucketAlreadyExists are ErrBucketExists.
func (b *Backend) CreateBucket(ctx context.Context, bucket string) error {
	name, err := b.bucketName(bucket)
	if err != nil {
		return err
	}
	return b.createBucket(ctx, "CreateBucket", name)
}

func (b *Backend) createBucket(ctx context.Context, op, name string) error {
	c := &call{op: op, method: http.MethodPut, bucket: name}
	if b.opt.Region != "us-east-1" {
		doc := []byte(`<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>` +
			b.opt.Region + `</LocationConstraint></CreateBucketConfiguration>`)
		c.body, c.size, c.payloadHash = bytes.NewReader(doc), int64(len(doc)), sigv4.PayloadHash(doc)
	}
	_, err := b.doDiscard(ctx, c)
	return err
}

// DeleteBucket deletes an empty bucket after aborting its uploads in
// progress (the contract's S3 behaviour, which some upstreams refuse: they
// count uploads as content).
func (b *Backend) DeleteBucket(ctx context.Context, bucket string) error {
	name, err := b.bucketName(bucket)
	if err != nil {
		return err
	}
	page, err := b.listObjects(ctx, name, objstore.ListOptions{MaxKeys: 1}, "")
	if err != nil {
		return err
	}
	if len(page.Objects) > 0 {
		return objstore.ErrBucketNotEmpty
	}
	if err := b.abortAll(ctx, bucket, name); err != nil {
		return err
	}
	_, err = b.doDiscard(ctx, &call{op: "DeleteBucket", method: http.MethodDelete, bucket: name})
	return err
}

// HeadBucket describes a bucket. S3's HeadBucket has no creation date, so the
// bucket is looked up in ListBuckets; one that exists but is not listed (the
// credentials may not list it) is described without a date.
func (b *Backend) HeadBucket(ctx context.Context, bucket string) (objstore.BucketInfo, error) {
	name, err := b.bucketName(bucket)
	if err != nil {
		return objstore.BucketInfo{}, err
	}
	all, err := b.ListBuckets(ctx)
	if err != nil {
		return objstore.BucketInfo{}, err
	}
	info := objstore.BucketInfo{Name: bucket}
	if i := slices.IndexFunc(all, func(bi objstore.BucketInfo) bool { return bi.Name == bucket }); i >= 0 {
		info = all[i]
	} else if err := b.headBucket(ctx, name); err != nil {
		return objstore.BucketInfo{}, err
	}
	// The versioning state is the upstream's: one more request, which
	// ListBuckets does not make for every bucket (its Versioning stays "").
	info.Versioning, err = b.bucketVersioning(ctx, name)
	return info, err
}

// headBucket checks that the upstream bucket exists (ErrNoSuchBucket).
func (b *Backend) headBucket(ctx context.Context, name string) error {
	_, err := b.doDiscard(ctx, &call{op: "HeadBucket", method: http.MethodHead, bucket: name})
	return bucketMissing(err)
}

// bucketMissing turns a bodiless 404 (HEAD) into ErrNoSuchBucket.
func bucketMissing(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Status == http.StatusNotFound {
		e.Code, e.kind = "NoSuchBucket", objstore.ErrNoSuchBucket
	}
	return err
}

type listBucketsResult struct {
	Buckets []struct {
		Name         string
		CreationDate string
	} `xml:"Buckets>Bucket"`
	ContinuationToken string
}

// ListBuckets lists the upstream buckets with the prefix, prefix stripped,
// sorted by name.
func (b *Backend) ListBuckets(ctx context.Context) ([]objstore.BucketInfo, error) {
	var out []objstore.BucketInfo
	token := ""
	for range 1000 {
		q := []param{{name: "max-buckets", value: "10000"}}
		if b.opt.BucketPrefix != "" {
			q = append(q, param{name: "prefix", value: b.opt.BucketPrefix})
		}
		if token != "" {
			q = append(q, param{name: "continuation-token", value: token})
		}
		var res listBucketsResult
		if err := b.getXML(ctx, &call{op: "ListBuckets", method: http.MethodGet, query: sortedParams(q)}, &res); err != nil {
			return nil, err
		}
		for _, bk := range res.Buckets {
			if name, ok := b.inkanBucket(bk.Name); ok {
				created, _ := time.Parse(time.RFC3339Nano, bk.CreationDate)
				out = append(out, objstore.BucketInfo{Name: name, Created: created})
			}
		}
		if token = res.ContinuationToken; token == "" {
			break
		}
	}
	slices.SortFunc(out, func(a, c objstore.BucketInfo) int { return strings.Compare(a.Name, c.Name) })
	return out, nil
}
