package localfs

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// PutObject implements objstore.Objects: the body goes to a temporary file
// (hashed on the way), which is fsynced and given its name in blobs/ before
// the index commit that makes it the current version.
func (b *Backend) PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts objstore.PutOptions) (objstore.ObjectInfo, error) {
	if err := b.checkWritable(bucket, key); err != nil {
		return objstore.ObjectInfo{}, err
	}
	aead, enc, err := newKeyAEAD(opts.Encrypt)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	wr, err := b.blobs.write(ctx, body, size, aead)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	r := objectRow{
		info: objstore.ObjectInfo{Bucket: bucket, Key: key, Size: wr.size,
			ETag: hex.EncodeToString(wr.md5[:]), LastModified: b.now(), Meta: opts.Meta, Encryption: enc},
		segs: []segment{{blob: wr.id, length: wr.size}},
	}
	info, err := b.replace(ctx, wr.dir, opts.Precondition, func(w *wtx) (objectRow, error) {
		return r, w.addBlob(wr.id)
	})
	if err := b.settle(wr, err); err != nil {
		return objstore.ObjectInfo{}, err
	}
	return info, nil
}

// replace commits the row build returns as the current version of its
// key, checking pre against the version it replaces, all in one write
// (after fsyncing dir, when set; see index.writeAfterSync).
func (b *Backend) replace(ctx context.Context, dir string, pre objstore.Precondition, build func(w *wtx) (objectRow, error)) (objstore.ObjectInfo, error) {
	var info objstore.ObjectInfo
	err := b.idx.submit(ctx, &txReq{syncDir: dir, fn: func(w *wtx) error {
		r, err := build(w)
		if err != nil {
			return err
		}
		if err := w.replaceObject(&r, pre, b.newVersionID); err != nil {
			return err
		}
		info = r.info
		return nil
	}})
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	return info, nil
}

// checkWritable fails early, before a body is read, for a bad name or a
// missing bucket; the commit checks the bucket again.
func (b *Backend) checkWritable(bucket, key string) error {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return err
	}
	if !b.buckets.has(bucket) {
		return fmt.Errorf("%w: %q", objstore.ErrNoSuchBucket, bucket)
	}
	return nil
}

// settle ends the life of a written data file as the commit decided.
func (b *Backend) settle(wr written, err error) error {
	if err != nil {
		b.blobs.discard(wr)
		return err
	}
	b.blobs.committed(wr)
	return nil
}

// GetObject implements objstore.Objects. The data files stay readable until
// Body is closed, whatever happens to the key meanwhile.
func (b *Backend) GetObject(ctx context.Context, bucket, key string, opts objstore.GetOptions) (*objstore.Object, error) {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return nil, err
	}
	epoch := b.keep.enter()
	obj, err := b.open(ctx, bucket, key, opts, func() { b.keep.exit(epoch) })
	if err != nil {
		b.keep.exit(epoch)
	}
	return obj, err
}

// open reads the index and returns a body over the selected bytes; done runs
// when the body is closed.
func (b *Backend) open(ctx context.Context, bucket, key string, opts objstore.GetOptions, done func()) (*objstore.Object, error) {
	r, err := b.lookupRead(ctx, bucket, key, opts.VersionID)
	if err != nil {
		return nil, err
	}
	obj := &objstore.Object{Info: r.info, Length: r.info.Size}
	switch {
	case opts.Range != nil:
		obj.Ranged = true
		if obj.Offset, obj.Length, err = opts.Range.Resolve(r.info.Size); err != nil {
			return nil, err
		}
	case opts.PartNumber > 0:
		obj.Ranged = true
		if obj.Offset, obj.Length, err = objstore.PartSpan(r.info, r.parts, opts.PartNumber); err != nil {
			return nil, err
		}
	}
	if obj.Body, err = b.newBody(r, obj.Offset, obj.Length, opts.Keys, done); err != nil {
		return nil, err
	}
	return obj, nil
}

// lookupRead reads the version a read names (see the package-level
// lookupRead) as the caller sees it.
func (b *Backend) lookupRead(ctx context.Context, bucket, key, vid string) (objectRow, error) {
	r, err := lookupRead(b.idx.reader(ctx), bucket, key, vid)
	r.info = b.shown(r.info)
	return r, err
}

// HeadObject implements objstore.Objects.
func (b *Backend) HeadObject(ctx context.Context, bucket, key, versionID string) (objstore.ObjectInfo, error) {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return objstore.ObjectInfo{}, err
	}
	r, err := b.lookupRead(ctx, bucket, key, versionID)
	return r.info, err
}

// ObjectParts implements objstore.Objects.
func (b *Backend) ObjectParts(ctx context.Context, bucket, key, versionID string) (objstore.ObjectInfo, []objstore.PartInfo, error) {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return objstore.ObjectInfo{}, nil, err
	}
	r, err := b.lookupRead(ctx, bucket, key, versionID)
	return r.info, r.parts, err
}

// DeleteObject implements objstore.Objects; opts.IfMatch is checked in the
// transaction that deletes.
func (b *Backend) DeleteObject(ctx context.Context, bucket, key string, opts objstore.DeleteOptions) (objstore.DeleteResult, error) {
	var res objstore.DeleteResult
	if err := objstore.CheckObject(bucket, key); err != nil {
		return res, err
	}
	if err := checkVersionID(opts.VersionID); err != nil {
		return res, err
	}
	now := b.now()
	pre := objstore.Precondition{IfMatch: opts.IfMatch}
	err := b.idx.write(ctx, func(w *wtx) error {
		var err error
		if opts.VersionID != "" {
			res, err = w.deleteVersion(bucket, key, opts.VersionID, pre)
		} else {
			res, err = w.deleteObject(bucket, key, pre, now, b.newVersionID)
		}
		return err
	})
	if err != nil {
		return objstore.DeleteResult{}, err
	}
	if res.VersionID == objstore.NullVersion && b.buckets.versioning(bucket) == "" {
		res.VersionID = ""
	}
	return res, nil
}

// CopyObject implements objstore.Objects by sharing the source's data files:
// the copy costs one index transaction whatever the object's size. With
// opts.Reencrypt the bytes are rewritten instead (see reencrypt).
func (b *Backend) CopyObject(ctx context.Context, src objstore.CopySource, dstBucket, dstKey string, opts objstore.CopyOptions) (objstore.ObjectInfo, error) {
	if err := objstore.CheckObject(src.Bucket, src.Key); err != nil {
		return objstore.ObjectInfo{}, err
	}
	if err := objstore.CheckObject(dstBucket, dstKey); err != nil {
		return objstore.ObjectInfo{}, err
	}
	if opts.Reencrypt {
		return b.reencrypt(ctx, src, dstBucket, dstKey, opts)
	}
	verified, err := b.verifySourceKey(ctx, src)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	now := b.now()
	return b.replace(ctx, "", opts.Precondition, func(w *wtx) (objectRow, error) {
		s, err := w.copySource(src)
		if err != nil {
			return s, err
		}
		if !sameEncryption(s.info.Encryption, verified) {
			// overwritten since the key was checked: the copy would share bytes
			// whose key the caller has not shown
			return s, fmt.Errorf("%w: copy source changed while it was read", objstore.ErrPreconditionFailed)
		}
		if err := requireBucket(w, dstBucket); err != nil {
			return s, err
		}
		r := objectRow{info: s.info, segs: s.segs, parts: s.parts}
		r.info.Bucket, r.info.Key, r.info.LastModified = dstBucket, dstKey, now
		r.info.VersionID, r.info.IsLatest = "", true
		if opts.Meta != nil {
			r.info.Meta = replacedMeta(*opts.Meta, s.info.Meta)
		}
		// reference first: a copy onto itself must not free its own data
		return r, w.ref(r.segs)
	})
}

// copySource reads a copy source inside a write and checks its IfMatch.
func (w *wtx) copySource(src objstore.CopySource) (objectRow, error) {
	s, err := lookupRead(w, src.Bucket, src.Key, src.VersionID)
	if err != nil {
		return s, err
	}
	return s, checkSourceETag(src, s.info.ETag)
}

func checkSourceETag(src objstore.CopySource, etag string) error {
	if src.IfMatch != "" && objstore.NormalizeETag(src.IfMatch) != etag {
		return fmt.Errorf("%w: copy source if-match", objstore.ErrPreconditionFailed)
	}
	return nil
}

// replacedMeta is the REPLACE directive: the new metadata, keeping the
// source's checksums unless new ones are given, since the bytes are the same.
func replacedMeta(meta, source objstore.ObjectMeta) objstore.ObjectMeta {
	if meta.Checksums == nil {
		meta.Checksums, meta.ChecksumType = source.Checksums, source.ChecksumType
	}
	return meta
}
