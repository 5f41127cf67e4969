package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// copyAttempts bounds the retries of a copy whose source changed between
// the HEAD that read its metadata and the copy itself.
const copyAttempts = 3

type copyResult struct {
	ETag         string
	LastModified string
}

// CopyObject copies server-side with x-amz-copy-source. The source is read
// first (HEAD): its metadata, checksums included, is sent with the REPLACE
// directive (so the copy keeps what the reserved entry and the state bucket
// hold), and its ETag is pinned with x-amz-copy-source-if-match, so the bytes
// copied are the ones described. A source replaced in between is read again.
func (b *Backend) CopyObject(ctx context.Context, src objstore.CopySource, dstBucket, dstKey string, opts objstore.CopyOptions) (objstore.ObjectInfo, error) {
	srcName, err := b.objectName(src.Bucket, src.Key)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	if err := refuseDataKey(opts.Encrypt); err != nil {
		return objstore.ObjectInfo{}, err
	}
	dstName, err := b.objectName(dstBucket, dstKey)
	if err != nil {
		return objstore.ObjectInfo{}, err
	}
	if err := b.headBucket(ctx, dstName); err != nil {
		return objstore.ObjectInfo{}, err
	}
	for attempt := 1; ; attempt++ {
		srcInfo, err := b.copySource(ctx, src, srcName)
		if err != nil {
			return objstore.ObjectInfo{}, err
		}
		meta := srcInfo.Meta
		if opts.Meta != nil {
			meta = *opts.Meta
			if meta.Checksums == nil {
				meta.Checksums, meta.ChecksumType = srcInfo.Meta.Checksums, srcInfo.Meta.ChecksumType
			}
		}
		h := copyHeader(srcName, src.Key, src.VersionID, srcInfo.ETag)
		h.Set("X-Amz-Metadata-Directive", "REPLACE")
		h.Set("X-Amz-Tagging-Directive", "REPLACE")
		setMeta(h, meta, false)
		if err := b.copyPrecondition(ctx, h, dstName, dstKey, opts.Precondition); err != nil {
			return objstore.ObjectInfo{}, err
		}
		var res copyResult
		err = b.getXML(ctx, &call{op: "CopyObject", method: http.MethodPut, bucket: dstName, key: dstKey, header: h, retry: true}, &res)
		if errors.Is(err, objstore.ErrPreconditionFailed) && src.IfMatch == "" && attempt < copyAttempts &&
			opts.Precondition == (objstore.Precondition{}) {
			continue
		}
		if err != nil {
			return objstore.ObjectInfo{}, err
		}
		return b.writtenInfo(ctx, dstBucket, dstName, dstKey, objstore.NormalizeETag(res.ETag), nil)
	}
}

// copySource describes a copy's source, checking src.IfMatch.
func (b *Backend) copySource(ctx context.Context, src objstore.CopySource, srcName string) (objstore.ObjectInfo, error) {
	info, err := b.headVersion(ctx, src.Bucket, srcName, src.Key, src.VersionID)
	if err != nil {
		return info, err
	}
	if src.IfMatch != "" && objstore.NormalizeETag(src.IfMatch) != info.ETag {
		return info, fmt.Errorf("%w: copy source if-match", objstore.ErrPreconditionFailed)
	}
	return info, nil
}

// copyHeader names the copy source (version vid, when set), pinned to etag.
func copyHeader(srcName, srcKey, vid, etag string) http.Header {
	source := "/" + srcName + "/" + sigv4.EscapePath(srcKey)
	if vid != "" {
		source += "?versionId=" + url.QueryEscape(vid)
	}
	return header("X-Amz-Copy-Source", source, "X-Amz-Copy-Source-If-Match", quoteETag(etag))
}

// UploadPartCopy copies src, or rng of it, into a part. The range is resolved
// against the source's size here, so that ErrInvalidRange is the contract's.
func (b *Backend) UploadPartCopy(ctx context.Context, bucket, key, uploadID string, number int, src objstore.CopySource, rng *objstore.Range, _ objstore.PartOptions) (objstore.PartInfo, error) {
	name, err := b.objectName(bucket, key)
	if err != nil {
		return objstore.PartInfo{}, err
	}
	srcName, err := b.objectName(src.Bucket, src.Key)
	if err != nil {
		return objstore.PartInfo{}, err
	}
	if err := checkPartNumber(number); err != nil {
		return objstore.PartInfo{}, err
	}
	srcInfo, err := b.copySource(ctx, src, srcName)
	if err != nil {
		return objstore.PartInfo{}, err
	}
	h := copyHeader(srcName, src.Key, src.VersionID, srcInfo.ETag)
	size := srcInfo.Size
	if rng != nil {
		off, n, err := rng.Resolve(srcInfo.Size)
		if err != nil {
			return objstore.PartInfo{}, err
		}
		size = n
		h.Set("X-Amz-Copy-Source-Range", fmt.Sprintf("bytes=%d-%d", off, off+n-1))
	}
	var res copyResult
	c := &call{op: "UploadPartCopy", method: http.MethodPut, bucket: name, key: key, header: h,
		query: partQuery(number, uploadID), retry: true}
	if err := b.getXML(ctx, c, &res); err != nil {
		return objstore.PartInfo{}, err
	}
	return objstore.PartInfo{Number: number, ETag: objstore.NormalizeETag(res.ETag), Size: size,
		LastModified: lastModified(res.LastModified)}, nil
}

// copyPrecondition checks the destination's precondition against its
// current version, then pins that version (If-Match, or If-None-Match: *
// when there is none). S3 has conditional copies, but some upstreams
// (versitygw 1.8) ignore the headers on a copy: there the check and the copy
// race, and a version written in between is replaced.
func (b *Backend) copyPrecondition(ctx context.Context, h http.Header, name, key string, p objstore.Precondition) error {
	if p == (objstore.Precondition{}) {
		return nil
	}
	return b.pinCurrent(ctx, h, name, key, p, false)
}
