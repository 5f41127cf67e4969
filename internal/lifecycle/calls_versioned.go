package lifecycle

import (
	"context"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// The backend calls whose signatures the versioning branch changed.

// headCurrent describes the current version of key (a current delete marker is
// ErrNoSuchKey, wrapped in a *objstore.DeleteMarkerError).
func headCurrent(ctx context.Context, b objstore.Backend, bucket, key string) (objstore.ObjectInfo, error) {
	return b.HeadObject(ctx, bucket, key, "")
}

// deleteObject deletes key as opts say: the current object, a delete marker placed in a
// versioned bucket, or the version opts.VersionID, permanently.
func deleteObject(ctx context.Context, b objstore.Backend, bucket, key string, opts objstore.DeleteOptions) error {
	_, err := b.DeleteObject(ctx, bucket, key, opts)
	return err
}
