package lifecycle

import (
	"context"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// The two backend calls whose signatures the versioning branch changes (HeadObject takes
// a version id, DeleteObject returns a DeleteResult). At the merge this file is deleted
// and calls_versioned.go.draft renamed calls_versioned.go (see versions.go.draft).

// headCurrent describes the current version of key.
func headCurrent(ctx context.Context, b objstore.Backend, bucket, key string) (objstore.ObjectInfo, error) {
	return b.HeadObject(ctx, bucket, key)
}

// deleteObject deletes key as opts say.
func deleteObject(ctx context.Context, b objstore.Backend, bucket, key string, opts objstore.DeleteOptions) error {
	return b.DeleteObject(ctx, bucket, key, opts)
}
