package lifecycle_test

import (
	"context"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// The racing backend's methods of the signatures the versioning branch changes; at the
// merge this file gives way to racing_versioned_test.go.draft.

func (r *racing) HeadObject(ctx context.Context, bucket, key string) (objstore.ObjectInfo, error) {
	r.hook(&r.onHead)
	return r.Backend.HeadObject(ctx, bucket, key)
}

func (r *racing) DeleteObject(ctx context.Context, bucket, key string, opts objstore.DeleteOptions) error {
	r.hook(&r.onDelete)
	return r.Backend.DeleteObject(ctx, bucket, key, opts)
}
