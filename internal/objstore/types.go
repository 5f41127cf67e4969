package objstore

import (
	"io"
	"time"
)

// S3's limits, which every backend enforces the same way.
const (
	// MaxKeyLength is the longest key, in bytes.
	MaxKeyLength = 1024
	// MinPartSize is the smallest size of a completed part other than the last.
	MinPartSize = 5 << 20
	// MaxPartNumber is the highest part number; part numbers start at 1.
	MaxPartNumber = 10000
)

// BucketInfo describes a bucket.
type BucketInfo struct {
	Name    string
	Created time.Time
	// Versioning is the bucket's versioning state: "" when it was never
	// configured, else VersioningEnabled or VersioningSuspended (a bucket
	// that was versioned never returns to ""). HeadBucket reports it;
	// ListBuckets may leave it "" where it costs a request per bucket (the
	// upstream backend).
	Versioning string
}

// ObjectMeta is what a writer says about an object besides its bytes. Every
// field is stored as given and returned unchanged by Get, Head and List.
type ObjectMeta struct {
	ContentType        string
	ContentEncoding    string
	ContentDisposition string
	ContentLanguage    string
	CacheControl       string
	// Expires is the Expires header exactly as the client sent it.
	Expires string
	// UserMeta holds x-amz-meta-* headers, names without the prefix.
	UserMeta map[string]string
	// Checksums maps an algorithm name (CRC32, CRC32C, CRC64NVME, SHA1,
	// SHA256) to its base64 value; opaque to the backend, which never
	// recomputes them.
	Checksums map[string]string
	// ChecksumType is COMPOSITE or FULL_OBJECT when the writer named one.
	ChecksumType string
	// Tags are the object's tags (S3 object tagging), nil when it has none.
	// They are set on write (PutObject, CreateMultipartUpload, CopyObject
	// with new Meta) and replaced alone by Backend.PutObjectTags; Get and
	// Head return them, List where the backend has them at no extra cost.
	Tags map[string]string
}

// ObjectInfo describes a stored object version.
type ObjectInfo struct {
	Bucket string
	Key    string
	Size   int64
	// ETag is unquoted: hex MD5 of the bytes, or hex(MD5(part MD5s))-N for a
	// multipart object (see CopyObject for copies of one).
	ETag         string
	LastModified time.Time
	// PartsCount is the number of parts of a multipart object, 0 otherwise
	// (x-amz-mp-parts-count).
	PartsCount int
	Meta       ObjectMeta
	// VersionID names the version: the backend's opaque id, NullVersion for
	// the null version of a bucket whose versioning was ever configured, ""
	// in a bucket whose versioning was never configured (where every object
	// is the null version, and S3 sends no x-amz-version-id).
	VersionID string
	// IsLatest reports that the version is its key's current one; set by
	// ListObjectVersions (reads of the current version imply it).
	IsLatest bool
	// DeleteMarker reports that the version is a delete marker: no bytes,
	// no ETag, no metadata, only Key, VersionID, IsLatest and LastModified.
	DeleteMarker bool
	// Encryption is how the bytes are stored at rest (see encryption.go).
	Encryption Encryption
}

// Precondition makes a write conditional on the current version of its
// target key, checked atomically with the write (S3 conditional writes).
// The zero value always holds.
type Precondition struct {
	// IfMatch, when set, requires the current ETag to equal it (quotes
	// ignored), or any current version when it is "*". When the key has no
	// object the write fails with ErrNoSuchKey, as S3 answers 404.
	IfMatch string
	// IfNoneMatch, when "*", requires that the key has no object; when an
	// ETag, that the current version does not have it.
	IfNoneMatch string
}

// PutOptions qualify PutObject.
type PutOptions struct {
	Meta         ObjectMeta
	Precondition Precondition
	// Encrypt, when non-nil, encrypts the bytes at rest with its key and
	// stores its Encryption with them; nil stores them as sent.
	Encrypt *DataKey
}

// DeleteOptions qualify DeleteObject.
type DeleteOptions struct {
	// VersionID, when set, removes that version permanently (a delete
	// marker included) instead of deleting the current one; see
	// Objects.DeleteObject.
	VersionID string
	// IfMatch, when set, is S3's conditional delete: the current ETag must
	// equal it (quotes ignored), or, when it is "*", a current version must
	// exist. It fails with ErrPreconditionFailed, or ErrNoSuchKey when the
	// key has no object.
	IfMatch string
}

// GetOptions qualify GetObject.
type GetOptions struct {
	// Range, when non-nil, selects the bytes to serve.
	Range *Range
	// PartNumber, when positive, selects part PartNumber of a multipart
	// object, or, as part 1, the whole of an object that is not multipart
	// (see PartSpan); the Object is Ranged with the part's Offset and Length.
	// A number the object does not have is ErrInvalidPartNumber. Range and
	// PartNumber are not set together.
	PartNumber int
	// VersionID, when set, selects that version instead of the current one
	// (see Objects.GetObject for the errors).
	VersionID string
	// Keys opens the data key of an encrypted object (ErrEncrypted when nil);
	// its error is returned unchanged.
	Keys KeyOpener
}

// Object is an open object version. The caller must Close Body. Body keeps
// serving the version it was opened on even if the key is overwritten or
// deleted meanwhile. Backends should make Body an io.WriterTo so that
// io.Copy to a network connection can use sendfile.
type Object struct {
	Info ObjectInfo
	Body io.ReadCloser
	// Offset and Length are the bytes Body yields: the whole object when no
	// range was asked for, else the resolved range (Content-Range is
	// "bytes Offset-(Offset+Length-1)/Info.Size").
	Offset, Length int64
	// Ranged reports whether a range was asked for (206, not 200).
	Ranged bool
}

// CopySource names the object a copy reads.
type CopySource struct {
	Bucket string
	Key    string
	// IfMatch, when set, makes the copy fail with ErrPreconditionFailed
	// unless the source's ETag is this one at the moment it is read: the
	// wire layer evaluates x-amz-copy-source-if-* on HeadObject and passes
	// the ETag it saw, so a concurrent overwrite of the source cannot slip in.
	IfMatch string
	// VersionID, when set, copies that version instead of the current one.
	VersionID string
	// Keys opens the source's data key when it is encrypted. It is called
	// even when the copy shares the source's bytes, so that a copy proves
	// the caller holds the source's key.
	Keys KeyOpener
}

// CopyOptions qualify CopyObject.
type CopyOptions struct {
	// Meta, when non-nil, replaces the metadata (REPLACE directive); a nil
	// Meta.Checksums then keeps the source's checksums, which describe the
	// unchanged bytes. When nil, the source's metadata is copied.
	Meta         *ObjectMeta
	Precondition Precondition
	// Reencrypt false keeps the source's bytes and Encryption (shared where
	// the backend can). Reencrypt true decrypts the source and writes its
	// bytes anew, encrypted with Encrypt, or as plaintext when Encrypt is nil:
	// a copy to another customer key, or from SSE-C to SSE-S3.
	Reencrypt bool
	Encrypt   *DataKey
}

// ListOptions select a page of a bucket listing.
type ListOptions struct {
	Prefix    string
	Delimiter string
	// After is the exclusive start: only keys and common prefixes greater
	// than it are returned (marker, start-after, or a decoded continuation
	// token, which the wire layer builds from ListResult.NextAfter).
	After string
	// MaxKeys bounds len(Objects)+len(CommonPrefixes); 0 yields an empty,
	// untruncated page. The wire layer applies S3's default and cap (1000).
	MaxKeys int
}

// ListResult is one page of a listing, sorted by key in byte order with
// common prefixes merged in at their sort position.
type ListResult struct {
	Objects        []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// NextAfter is the last key or common prefix of the page when it is
	// truncated: pass it as ListOptions.After to continue.
	NextAfter string
}

// Upload describes a multipart upload in progress.
type Upload struct {
	Bucket    string
	Key       string
	UploadID  string
	Initiated time.Time
	// Meta is what CreateMultipartUpload was given; it becomes the object's.
	Meta ObjectMeta
	// Encryption is the upload's, which its parts and the object get.
	Encryption Encryption
}

// PartInfo describes an uploaded part.
type PartInfo struct {
	Number       int
	ETag         string
	Size         int64
	Checksums    map[string]string
	LastModified time.Time
}

// CompletePart names a part in a CompleteMultipartUpload request.
type CompletePart struct {
	Number int
	// ETag may be quoted; it is compared after NormalizeETag.
	ETag string
}

// CompleteOptions qualify CompleteMultipartUpload.
type CompleteOptions struct {
	// Checksums, when non-nil, become the object's checksums (the wire layer
	// computes composite or full-object values from the parts' checksums).
	Checksums map[string]string
	// ChecksumType, when set, replaces the one given at creation.
	ChecksumType string
	Precondition Precondition
}

// ListPartsOptions select a page of ListParts.
type ListPartsOptions struct {
	// PartNumberMarker is exclusive: parts numbered above it are listed.
	PartNumberMarker int
	// MaxParts bounds the page; 0 yields an empty, untruncated page.
	MaxParts int
}

// ListPartsResult is one page of parts in ascending part number.
type ListPartsResult struct {
	Upload               Upload
	Parts                []PartInfo
	IsTruncated          bool
	NextPartNumberMarker int
}

// ListUploadsOptions select a page of ListMultipartUploads.
type ListUploadsOptions struct {
	Prefix    string
	Delimiter string
	// KeyMarker is exclusive: uploads of greater keys are listed, plus, when
	// UploadIDMarker is set, uploads of KeyMarker itself whose ID sorts
	// after UploadIDMarker. UploadIDMarker is ignored without KeyMarker.
	KeyMarker      string
	UploadIDMarker string
	// MaxUploads bounds len(Uploads)+len(CommonPrefixes); 0 yields an
	// empty, untruncated page.
	MaxUploads int
}

// ListUploadsResult is one page of uploads, sorted by key then by initiation
// (upload IDs of one key sort in initiation order).
type ListUploadsResult struct {
	Uploads            []Upload
	CommonPrefixes     []string
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// The versioning states of BucketInfo.Versioning and PutBucketVersioning.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// NullVersion is the version id of the null version: the object written
// while a bucket's versioning was never configured or suspended.
const NullVersion = "null"

// DeleteResult describes what DeleteObject did, as S3's x-amz-version-id and
// x-amz-delete-marker answer headers report it.
type DeleteResult struct {
	// VersionID is the version removed (DeleteOptions.VersionID), or the
	// delete marker created; "" when nothing versioned happened (a bucket
	// whose versioning was never configured).
	VersionID string
	// DeleteMarker reports that a delete marker was created, or that the
	// version removed was one.
	DeleteMarker bool
}

// ListVersionsOptions select a page of ListObjectVersions.
type ListVersionsOptions struct {
	Prefix    string
	Delimiter string
	// KeyMarker is exclusive: versions of greater keys are listed, plus,
	// when VersionIDMarker is set, the versions of KeyMarker itself older
	// than VersionIDMarker. A VersionIDMarker that names no version of
	// KeyMarker continues after KeyMarker. VersionIDMarker is ignored
	// without KeyMarker (the wire layer refuses that combination).
	KeyMarker       string
	VersionIDMarker string
	// MaxKeys bounds len(Versions)+len(CommonPrefixes); 0 yields an empty,
	// untruncated page.
	MaxKeys int
}

// ListVersionsResult is one page of versions, sorted by key in byte order
// and newest first within a key, delete markers included (DeleteMarker set),
// with common prefixes merged in at their sort position. Every entry has
// VersionID set (NullVersion for the null version, also in a bucket whose
// versioning was never configured).
type ListVersionsResult struct {
	Versions       []ObjectInfo
	CommonPrefixes []string
	IsTruncated    bool
	// NextKeyMarker and NextVersionIDMarker continue a truncated listing:
	// the last entry's key and version id, or the last common prefix and "".
	NextKeyMarker       string
	NextVersionIDMarker string
}
