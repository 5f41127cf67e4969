package localfs

import (
	"context"
	"fmt"
	"maps"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// PutObjectTags implements objstore.Backend: the tags live in the object's
// index row (codec format 3), so replacing them is one row update through the
// index's group commit; no data file is touched, and the ETag and
// LastModified stay.
func (b *Backend) PutObjectTags(ctx context.Context, bucket, key, versionID string, tags map[string]string) (objstore.ObjectInfo, error) {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return objstore.ObjectInfo{}, err
	}
	// Until localfs keeps versions, "null" names the current (and only)
	// version; any other id names a version that cannot exist. The versioning
	// work replaces this check with a lookup of the version's row.
	if versionID != "" && versionID != "null" {
		return objstore.ObjectInfo{}, fmt.Errorf("%w: version %q of %q", objstore.ErrNoSuchKey, versionID, key)
	}
	var stored map[string]string
	if len(tags) > 0 {
		stored = maps.Clone(tags)
	}
	var info objstore.ObjectInfo
	err := b.idx.write(ctx, func(w *wtx) error {
		r, err := lookupObject(w, bucket, key)
		if err != nil {
			return err
		}
		r.info.Meta.Tags = stored
		if _, err := w.exec(`UPDATE objects SET meta = ? WHERE bucket = ? AND key = ?`,
			encodeObjectMeta(r.info.Meta, r.parts), bucket, []byte(key)); err != nil {
			return fmt.Errorf("localfs: write object tags: %w", err)
		}
		info = r.info
		return nil
	})
	return info, err
}
