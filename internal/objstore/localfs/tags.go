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
	var stored map[string]string
	if len(tags) > 0 {
		stored = maps.Clone(tags)
	}
	var info objstore.ObjectInfo
	err := b.idx.write(ctx, func(w *wtx) error {
		// The version is the current object (a row of objects) or a
		// noncurrent one (a row of versions); a delete marker has no tags.
		r, err := lookupRead(w, bucket, key, versionID)
		if err != nil {
			return err
		}
		r.info.Meta.Tags = stored
		meta := encodeStored(r.info.Meta, r.parts, r.info.Encryption)
		if cur, cerr := lookupObject(w, bucket, key); cerr == nil && cur.info.VersionID == r.info.VersionID {
			_, err = w.exec(`UPDATE objects SET meta = ? WHERE bucket = ? AND key = ?`, meta, bucket, []byte(key))
		} else {
			_, err = w.exec(`UPDATE versions SET meta = ? WHERE bucket = ? AND key = ? AND vid = ?`,
				meta, bucket, []byte(key), r.info.VersionID)
		}
		if err != nil {
			return fmt.Errorf("localfs: write object tags: %w", err)
		}
		info = b.shown(r.info)
		return nil
	})
	return info, err
}
