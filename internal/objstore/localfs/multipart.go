package localfs

import (
	"context"
	"crypto/cipher"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// CreateMultipartUpload implements objstore.Multipart.
func (b *Backend) CreateMultipartUpload(ctx context.Context, bucket, key string, meta objstore.ObjectMeta, dk *objstore.DataKey) (string, error) {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return "", err
	}
	_, enc, err := newKeyAEAD(dk)
	if err != nil {
		return "", err
	}
	now := b.now()
	id, err := b.newUploadID(now)
	if err != nil {
		return "", err
	}
	err = b.idx.write(ctx, func(w *wtx) error {
		if err := requireBucket(w, bucket); err != nil {
			return err
		}
		_, err := w.exec(`INSERT INTO uploads(bucket, key, id, initiated, meta) VALUES(?, ?, ?, ?, ?)`,
			bucket, []byte(key), id, now.UnixNano(), encodeStored(meta, nil, enc))
		if err != nil {
			return fmt.Errorf("localfs: create upload: %w", err)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// checkPart validates an upload and part number before a part body is read,
// and returns the cipher of the upload's parts (nil for plaintext).
func (b *Backend) checkPart(ctx context.Context, bucket, key, uploadID string, number int, keys objstore.KeyOpener) (cipher.AEAD, error) {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return nil, err
	}
	if number < 1 || number > objstore.MaxPartNumber {
		return nil, fmt.Errorf("%w: part number %d outside 1..%d", objstore.ErrInvalidArgument, number, objstore.MaxPartNumber)
	}
	u, err := requireUpload(b.idx.reader(ctx), bucket, key, uploadID)
	if err != nil {
		return nil, err
	}
	return openAEAD(u.Encryption, keys)
}

// UploadPart implements objstore.Multipart.
func (b *Backend) UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body io.Reader, size int64, opts objstore.PartOptions) (objstore.PartInfo, error) {
	aead, err := b.checkPart(ctx, bucket, key, uploadID, number, opts.Keys)
	if err != nil {
		return objstore.PartInfo{}, err
	}
	return b.uploadPart(ctx, bucket, key, uploadID, number, body, size, opts.Checksums, aead)
}

func (b *Backend) uploadPart(ctx context.Context, bucket, key, uploadID string, number int, body io.Reader, size int64, checksums map[string]string, aead cipher.AEAD) (objstore.PartInfo, error) {
	wr, err := b.blobs.write(ctx, body, size, aead)
	if err != nil {
		return objstore.PartInfo{}, err
	}
	p := partRow{
		info: objstore.PartInfo{Number: number, ETag: hex.EncodeToString(wr.md5[:]), Size: wr.size,
			Checksums: checksums, LastModified: b.now()},
		segs: []segment{{blob: wr.id, length: wr.size}},
	}
	err = b.idx.writeAfterSync(ctx, wr.dir, func(w *wtx) error {
		if _, err := requireUpload(w, bucket, key, uploadID); err != nil {
			return err
		}
		if err := w.addBlob(wr.id); err != nil {
			return err
		}
		return w.putPart(uploadID, p)
	})
	if err := b.settle(wr, err); err != nil {
		return objstore.PartInfo{}, err
	}
	return p.info, nil
}

// UploadPartCopy implements objstore.Multipart by streaming the source
// range through UploadPart: a part gets its own data file and MD5.
func (b *Backend) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, number int, src objstore.CopySource, rng *objstore.Range, opts objstore.PartOptions) (objstore.PartInfo, error) {
	aead, err := b.checkPart(ctx, bucket, key, uploadID, number, opts.Keys)
	if err != nil {
		return objstore.PartInfo{}, err
	}
	obj, err := b.GetObject(ctx, src.Bucket, src.Key, objstore.GetOptions{Range: rng, VersionID: src.VersionID, Keys: src.Keys})
	if err != nil {
		return objstore.PartInfo{}, err
	}
	defer obj.Body.Close()
	if err := checkSourceETag(src, obj.Info.ETag); err != nil {
		return objstore.PartInfo{}, err
	}
	return b.uploadPart(ctx, bucket, key, uploadID, number, obj.Body, obj.Length, nil, aead)
}

// ListParts implements objstore.Multipart.
func (b *Backend) ListParts(ctx context.Context, bucket, key, uploadID string, opts objstore.ListPartsOptions) (objstore.ListPartsResult, error) {
	var res objstore.ListPartsResult
	if err := objstore.CheckObject(bucket, key); err != nil {
		return res, err
	}
	err := b.idx.readTx(ctx, func(q querier) error {
		u, err := requireUpload(q, bucket, key, uploadID)
		if err != nil {
			return err
		}
		res.Upload = u
		if opts.MaxParts <= 0 {
			return nil
		}
		parts, err := readParts(q, uploadID, opts.PartNumberMarker, opts.MaxParts+1)
		if err != nil {
			return err
		}
		if len(parts) > opts.MaxParts {
			parts, res.IsTruncated = parts[:opts.MaxParts], true
			res.NextPartNumberMarker = parts[len(parts)-1].info.Number
		}
		for _, p := range parts {
			res.Parts = append(res.Parts, p.info)
		}
		return nil
	})
	return res, err
}

// AbortMultipartUpload implements objstore.Multipart.
func (b *Backend) AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return err
	}
	return b.idx.write(ctx, func(w *wtx) error {
		if _, err := requireUpload(w, bucket, key, uploadID); err != nil {
			return err
		}
		return w.endUpload(uploadID, nil)
	})
}

// CompleteMultipartUpload implements objstore.Multipart. The object's
// segments are the parts' data files, which it takes over: nothing is copied.
func (b *Backend) CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []objstore.CompletePart, opts objstore.CompleteOptions) (objstore.ObjectInfo, error) {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return objstore.ObjectInfo{}, err
	}
	if err := checkPartList(parts); err != nil {
		return objstore.ObjectInfo{}, err
	}
	now := b.now()
	return b.replace(ctx, "", opts.Precondition, func(w *wtx) (objectRow, error) {
		u, err := requireUpload(w, bucket, key, uploadID)
		if err != nil {
			return objectRow{}, err
		}
		stored, err := readParts(w, uploadID, 0, -1)
		if err != nil {
			return objectRow{}, err
		}
		r, err := assemble(u, parts, stored)
		if err != nil {
			return r, err
		}
		r.info.LastModified = now
		if opts.Checksums != nil {
			r.info.Meta.Checksums = opts.Checksums
		}
		if opts.ChecksumType != "" {
			r.info.Meta.ChecksumType = opts.ChecksumType
		}
		keep := make(map[int]bool, len(parts))
		for _, p := range parts {
			keep[p.Number] = true
		}
		return r, w.endUpload(uploadID, keep)
	})
}

// checkPartList applies the checks that need no stored state.
func checkPartList(parts []objstore.CompletePart) error {
	if len(parts) == 0 {
		return fmt.Errorf("%w: no parts", objstore.ErrInvalidArgument)
	}
	for i, p := range parts {
		if p.Number < 1 || p.Number > objstore.MaxPartNumber {
			return fmt.Errorf("%w: part number %d outside 1..%d", objstore.ErrInvalidArgument, p.Number, objstore.MaxPartNumber)
		}
		if i > 0 && p.Number <= parts[i-1].Number {
			return fmt.Errorf("%w: part %d after part %d", objstore.ErrInvalidPartOrder, p.Number, parts[i-1].Number)
		}
	}
	return nil
}

// assemble checks the listed parts against the stored ones (all of them
// for ErrInvalidPart before any size) and builds the object row: segments in
// order and the MD5-of-MD5s ETag.
func assemble(u objstore.Upload, parts []objstore.CompletePart, stored []partRow) (objectRow, error) {
	byNumber := make(map[int]partRow, len(stored))
	for _, p := range stored {
		byNumber[p.info.Number] = p
	}
	r := objectRow{info: objstore.ObjectInfo{Bucket: u.Bucket, Key: u.Key, PartsCount: len(parts), Meta: u.Meta, Encryption: u.Encryption}}
	listed := make([]partRow, len(parts))
	for i, cp := range parts {
		p, ok := byNumber[cp.Number]
		if !ok || objstore.NormalizeETag(cp.ETag) != p.info.ETag {
			return r, fmt.Errorf("%w: part %d", objstore.ErrInvalidPart, cp.Number)
		}
		listed[i] = p
	}
	etags := make([]string, len(listed))
	for i, p := range listed {
		if i < len(listed)-1 && p.info.Size < objstore.MinPartSize {
			return r, fmt.Errorf("%w: part %d has %d bytes", objstore.ErrEntityTooSmall, p.info.Number, p.info.Size)
		}
		etags[i] = p.info.ETag
		r.parts = append(r.parts, objstore.PartInfo{Number: i + 1, Size: p.info.Size, Checksums: p.info.Checksums})
		r.info.Size += p.info.Size
		r.segs = append(r.segs, p.segs...)
	}
	etag, err := objstore.MultipartETag(etags)
	if err != nil {
		return r, fmt.Errorf("%w: %v", errCorruptIndex, err)
	}
	r.info.ETag = etag
	return r, nil
}
