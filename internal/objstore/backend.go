package objstore

import (
	"context"
	"io"
)

// Backend stores buckets, objects and multipart uploads. All methods are safe
// for concurrent use. Writes are durable when they return nil: a process
// crash (and, for localfs, a power loss) afterwards cannot undo them; a write
// that returns an error has changed nothing. Methods return ErrNoSuchBucket
// when the bucket does not exist, ErrInvalidBucketName for an empty bucket
// name, and ErrInvalidKey or ErrKeyTooLong for a key outside 1..MaxKeyLength
// bytes, unless their comment says otherwise. A canceled ctx may abort a call
// with ctx.Err() before it commits.
//
// Keys are valid UTF-8 without U+0000 (CheckKey); every backend returns
// ErrInvalidKey for others, and so do listings for such a prefix, delimiter
// or marker. Within that set a backend stores every key exactly, or refuses
// it with ErrInvalidKey (an upstream S3 may refuse keys it would rename,
// such as "a//b"); it never stores a key under another name. localfs
// refuses none.
//
// # Versioning
//
// A bucket's versioning state (BucketInfo.Versioning) is "" until
// PutBucketVersioning first sets it, then VersioningEnabled or
// VersioningSuspended. Every write that makes a current version (PutObject,
// CopyObject, CompleteMultipartUpload) and every DeleteObject without a
// version id behaves by that state at its commit:
//
//   - "" (never configured): the write replaces the current object, whose
//     bytes are reclaimed; a delete removes it. No versions are kept and
//     ObjectInfo.VersionID is "".
//   - Enabled: the write gets a new version id and the version it replaces
//     stays as a noncurrent version; a delete removes nothing and adds a
//     delete marker with a new version id as the current version (also for
//     a key that has no version at all, as S3 does).
//   - Suspended: the write gets version id NullVersion (reported as "" where
//     the backend cannot tell: an upstream S3's PUT answer does not name it)
//     and replaces the key's null version wherever it is (current or noncurrent, object or
//     delete marker; its bytes are reclaimed); a current version with
//     another id stays as a noncurrent version. A delete does the same with a
//     delete marker whose id is NullVersion.
//
// Preconditions (Precondition, DeleteOptions.IfMatch) see the current
// version; a current delete marker counts as no object. Naming a version
// (GetOptions.VersionID, DeleteOptions.VersionID, CopySource.VersionID, the
// versionID arguments) works in any state: NullVersion names the null
// version, which in a bucket never versioned is the object itself. A
// version id of a form the backend never issues is ErrInvalidVersionID; one
// of its form naming nothing is ErrNoSuchVersion.
//
// DeleteBucket refuses (ErrBucketNotEmpty) a bucket holding any version or
// delete marker, current or not, as S3 does.
type Backend interface {
	Buckets
	Objects
	Multipart
}

// Buckets manages the bucket namespace.
type Buckets interface {
	// CreateBucket creates an empty bucket; ErrBucketExists if it exists.
	CreateBucket(ctx context.Context, bucket string) error
	// DeleteBucket removes an empty bucket; ErrBucketNotEmpty while it holds
	// an object, a noncurrent version or a delete marker. Multipart uploads in progress do not keep it alive: they are
	// aborted with it, as S3 general-purpose buckets do.
	DeleteBucket(ctx context.Context, bucket string) error
	// HeadBucket describes a bucket.
	HeadBucket(ctx context.Context, bucket string) (BucketInfo, error)
	// ListBuckets returns every bucket, sorted by name.
	ListBuckets(ctx context.Context) ([]BucketInfo, error)
	// PutBucketVersioning sets the bucket's versioning state to
	// VersioningEnabled or VersioningSuspended (anything else is
	// ErrInvalidArgument); setting the state it has is a no-op. Versions
	// already kept stay when versioning is suspended. A backend that cannot
	// keep versions returns ErrNotImplemented.
	PutBucketVersioning(ctx context.Context, bucket, status string) error
}

// Objects reads and writes whole objects.
type Objects interface {
	// PutObject stores body as the object at key, replacing any current
	// version atomically: concurrent writers of one key leave exactly one
	// writer's bytes and metadata (the last to commit wins) and the replaced
	// bytes are reclaimed. size is the body length, or -1 when unknown; a
	// body of another length fails with ErrIncompleteBody. body is read until
	// io.EOF even when size is known, so that verifying readers see the end.
	// If body.Read returns any error other than io.EOF, nothing is stored and
	// that error is returned unwrapped. The ETag is the hex MD5 of the bytes.
	// opts.Precondition is checked at commit (ErrPreconditionFailed, or
	// ErrNoSuchKey for IfMatch on a missing key). When opts.Meta.ChecksumType
	// is set, opts.Meta.Checksums may be filled by body itself as it returns
	// io.EOF (a trailing checksum that has verified): the backend keeps what
	// the map holds once the body has ended. The returned LastModified may be
	// one second off what reads report: an upstream S3 describes a PUT by its
	// answer's Date, not by a second round trip (PUT answers carry no
	// Last-Modified); S3 clients never see a PUT's LastModified.
	PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts PutOptions) (ObjectInfo, error)
	// GetObject opens the current version of key, or opts.VersionID; ErrNoSuchKey
	// if there is none (a *DeleteMarkerError when the current version is a
	// delete marker), ErrNoSuchVersion for an unknown version, a
	// *DeleteMarkerError with Named set when opts.VersionID names a delete
	// marker, ErrInvalidRange if opts.Range cannot be satisfied (see
	// Range.Resolve), ErrInvalidPartNumber for an opts.PartNumber the object
	// does not have. The caller must close the returned Body.
	GetObject(ctx context.Context, bucket, key string, opts GetOptions) (*Object, error)
	// HeadObject describes the current version of key, or versionID when it
	// is set, with GetObject's errors.
	HeadObject(ctx context.Context, bucket, key, versionID string) (ObjectInfo, error)
	// ObjectParts describes the current version of key (or versionID, with
	// HeadObject's errors) and, for a multipart
	// object, its parts in order (numbered from 1, with their sizes and the
	// checksums they were uploaded with); nil parts for another object, or
	// where the backend does not know them (an upstream S3; a localfs object
	// completed before parts were recorded). ErrNoSuchKey if none.
	ObjectParts(ctx context.Context, bucket, key, versionID string) (ObjectInfo, []PartInfo, error)
	// PutObjectTags replaces the tags of key's version versionID ("" for the current one; ErrNoSuchVersion for an id
	// that names none, ErrInvalidVersionID for one that cannot be); nil or empty tags delete them. The ETag, LastModified,
	// bytes and other metadata do not change. It returns the version's
	// description with its new tags; ErrNoSuchKey if there is none. A backend
	// that cannot keep tags returns ErrNotImplemented.
	PutObjectTags(ctx context.Context, bucket, key, versionID string, tags map[string]string) (ObjectInfo, error)
	// DeleteObject deletes key as the bucket's versioning state says (see
	// Backend), or, with opts.VersionID, removes that version permanently;
	// when it was the current version the next newest becomes current.
	// Deleting a missing key, or a well-formed version id that names
	// nothing, returns nil, as S3. opts.IfMatch makes the delete conditional
	// on the current version (or on opts.VersionID's version)
	// (ErrPreconditionFailed; ErrNoSuchKey when there is none), checked at
	// commit where the backend can (see the backend's doc for the others).
	DeleteObject(ctx context.Context, bucket, key string, opts DeleteOptions) (DeleteResult, error)
	// CopyObject makes dstKey in dstBucket a copy of the source's current
	// version (or src.VersionID, with HeadObject's errors) in one atomic step, without rewriting the bytes where the
	// backend can share them. The copy has the source's bytes and
	// checksums, a new LastModified, and the source's ETag when the source
	// is not multipart (the MD5 of the same bytes); for a multipart source
	// the ETag and PartsCount are the backend's (localfs keeps the
	// source's, an upstream S3 may not). Errors: ErrNoSuchBucket for either
	// bucket, ErrNoSuchKey for the source, ErrPreconditionFailed for
	// src.IfMatch or opts.Precondition.
	CopyObject(ctx context.Context, src CopySource, dstBucket, dstKey string, opts CopyOptions) (ObjectInfo, error)
	// ListObjects returns one page of the keys of a bucket, in byte order,
	// rolling keys that contain Delimiter after Prefix up into common
	// prefixes. Its cost grows with the page size, not with the number of
	// keys skipped or rolled up. A Prefix, Delimiter or After that
	// CheckNames refuses is ErrInvalidKey.
	ListObjects(ctx context.Context, bucket string, opts ListOptions) (ListResult, error)
	// ListObjectVersions returns one page of every version of the bucket's
	// keys, delete markers included, in key order and newest first within a
	// key (see ListVersionsResult), with ListObjects' rules for Prefix and
	// Delimiter. A bucket never versioned lists each object once as its
	// null version. Its cost grows with the page size.
	ListObjectVersions(ctx context.Context, bucket string, opts ListVersionsOptions) (ListVersionsResult, error)
}

// Multipart manages multipart uploads. Methods naming an upload return
// ErrNoSuchUpload when uploadID is unknown, finished, or not an upload of
// that bucket and key; they check the bucket first (ErrNoSuchBucket).
type Multipart interface {
	// CreateMultipartUpload starts an upload to key and returns its ID; meta
	// becomes the object's metadata on completion. enc, when non-nil, encrypts
	// every part with its key (opened again by each UploadPart through
	// PartOptions.Keys) and becomes the object's Encryption.
	CreateMultipartUpload(ctx context.Context, bucket, key string, meta ObjectMeta, enc *DataKey) (string, error)
	// UploadPart stores a part under the same body rules as PutObject (the
	// read-error rule, ErrIncompleteBody, durable before it returns).
	// Re-uploading a part number replaces that part. number must be in
	// 1..MaxPartNumber (ErrInvalidArgument). opts.Checksums are kept opaque;
	// opts.Keys opens the key of an encrypted upload.
	UploadPart(ctx context.Context, bucket, key, uploadID string, number int, body io.Reader, size int64, opts PartOptions) (PartInfo, error)
	// UploadPartCopy stores as part number the bytes of src's current version,
	// or rng of them (ErrInvalidRange if unsatisfiable), encrypted as the
	// upload is (opts.Keys). Source errors are as for CopyObject.
	UploadPartCopy(ctx context.Context, bucket, key, uploadID string, number int, src CopySource, rng *Range, opts PartOptions) (PartInfo, error)
	// ListParts returns a page of the upload's parts in ascending number.
	ListParts(ctx context.Context, bucket, key, uploadID string, opts ListPartsOptions) (ListPartsResult, error)
	// ListMultipartUploads returns a page of the bucket's uploads in
	// progress; names that CheckNames refuses are ErrInvalidKey.
	ListMultipartUploads(ctx context.Context, bucket string, opts ListUploadsOptions) (ListUploadsResult, error)
	// AbortMultipartUpload discards the upload and its parts.
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error
	// CompleteMultipartUpload assembles the listed parts, in order, into the
	// object at key, replacing any current version atomically, and ends the
	// upload; parts not listed are discarded. The ETag is
	// hex(MD5(concatenated raw part MD5s)) + "-" + len(parts), PartsCount is
	// len(parts). Errors, checked in this order: ErrInvalidArgument (no
	// parts, or a number outside 1..MaxPartNumber), ErrInvalidPartOrder (not
	// strictly ascending), ErrInvalidPart (unknown number or ETag mismatch),
	// ErrEntityTooSmall (a part but the last below MinPartSize),
	// ErrPreconditionFailed.
	CompleteMultipartUpload(ctx context.Context, bucket, key, uploadID string, parts []CompletePart, opts CompleteOptions) (ObjectInfo, error)
}
