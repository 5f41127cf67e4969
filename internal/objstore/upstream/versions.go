package upstream

import (
	"context"
	"fmt"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// Versioning is not forwarded: the state this backend keeps beside the
// upstream (reserved metadata, the state bucket's completed-checksum
// records, keyed by object key) describes one version per key, so versions
// kept upstream would be described with another version's checksums.
// PutBucketVersioning is refused with objstore.ErrNotImplemented, buckets
// report no versioning state, every object is its key's null version, and
// a version id other than objstore.NullVersion is refused the same way.

// errVersioning is the refusal of every versioned request.
var errVersioning = fmt.Errorf("%w: the upstream backend does not keep object versions", objstore.ErrNotImplemented)

// currentOnly refuses a version id other than the null version, which is
// the current object of an unversioned bucket.
func currentOnly(versionID string) error {
	if versionID == "" || versionID == objstore.NullVersion {
		return nil
	}
	return errVersioning
}

// PutBucketVersioning implements objstore.Buckets: refused (see above),
// after checking the bucket so that a missing one is still NoSuchBucket.
func (b *Backend) PutBucketVersioning(ctx context.Context, bucket, status string) error {
	name, err := b.bucketName(bucket)
	if err != nil {
		return err
	}
	if err := b.headBucket(ctx, name); err != nil {
		return err
	}
	return errVersioning
}

// ListObjectVersions implements objstore.Objects: ListObjects, each object
// its key's null version. A VersionIDMarker names the key marker's only
// version, so the listing continues after the key marker in any case.
func (b *Backend) ListObjectVersions(ctx context.Context, bucket string, opts objstore.ListVersionsOptions) (objstore.ListVersionsResult, error) {
	page, err := b.ListObjects(ctx, bucket, objstore.ListOptions{Prefix: opts.Prefix, Delimiter: opts.Delimiter,
		After: opts.KeyMarker, MaxKeys: opts.MaxKeys})
	if err != nil {
		return objstore.ListVersionsResult{}, err
	}
	res := objstore.ListVersionsResult{CommonPrefixes: page.CommonPrefixes, IsTruncated: page.IsTruncated}
	for _, o := range page.Objects {
		o.VersionID, o.IsLatest = objstore.NullVersion, true
		res.Versions = append(res.Versions, o)
	}
	if page.IsTruncated {
		res.NextKeyMarker = page.NextAfter
		if n := len(page.Objects); n > 0 && page.Objects[n-1].Key == page.NextAfter {
			res.NextVersionIDMarker = objstore.NullVersion
		}
	}
	return res, nil
}
