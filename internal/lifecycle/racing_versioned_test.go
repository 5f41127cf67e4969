package lifecycle_test

import (
	"context"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// The racing backend's methods of the signatures the versioning branch changed.

func (r *racing) HeadObject(ctx context.Context, bucket, key, versionID string) (objstore.ObjectInfo, error) {
	r.hook(&r.onHead)
	return r.Backend.HeadObject(ctx, bucket, key, versionID)
}

func (r *racing) DeleteObject(ctx context.Context, bucket, key string, opts objstore.DeleteOptions) (objstore.DeleteResult, error) {
	r.hook(&r.onDelete)
	return r.Backend.DeleteObject(ctx, bucket, key, opts)
}
