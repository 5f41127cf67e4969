package objstore

import "errors"

// The sentinel errors every backend returns, wrapped with detail where useful;
// compare with errors.Is. The S3 wire layer maps each to its S3 error code
// (named in the comment) in one catalogue.
var (
	// ErrNoSuchBucket: the bucket does not exist (NoSuchBucket, 404).
	ErrNoSuchBucket = errors.New("objstore: no such bucket")
	// ErrBucketExists: CreateBucket of a bucket that already exists
	// (BucketAlreadyOwnedByYou, 409: inkan has a single owner).
	ErrBucketExists = errors.New("objstore: bucket already exists")
	// ErrBucketNotEmpty: DeleteBucket of a bucket that still holds objects
	// (BucketNotEmpty, 409).
	ErrBucketNotEmpty = errors.New("objstore: bucket not empty")
	// ErrInvalidBucketName: an empty bucket name. Full S3 naming rules are the
	// wire layer's (InvalidBucketName, 400).
	ErrInvalidBucketName = errors.New("objstore: invalid bucket name")
	// ErrNoSuchKey: the object does not exist (NoSuchKey, 404).
	ErrNoSuchKey = errors.New("objstore: no such key")
	// ErrNoSuchVersion: a version id of the form the backend issues that
	// names no version of the key (NoSuchVersion, 404).
	ErrNoSuchVersion = errors.New("objstore: no such version")
	// ErrInvalidVersionID: a version id the backend could never have issued
	// (InvalidArgument "Invalid version id specified", 400).
	ErrInvalidVersionID = errors.New("objstore: invalid version id")
	// ErrInvalidKey: an empty key, a key (or listing name) that is not valid
	// UTF-8 or holds U+0000 (see CheckKey), or a key the backend cannot store
	// under exactly that name, such as "a//b" on an upstream that folds
	// slashes: a backend refuses such a key, never renames it
	// (InvalidArgument, 400).
	ErrInvalidKey = errors.New("objstore: invalid key")
	// ErrKeyTooLong: a key longer than MaxKeyLength bytes (KeyTooLongError, 400).
	ErrKeyTooLong = errors.New("objstore: key too long")
	// ErrInvalidRange: a byte range the object cannot satisfy (InvalidRange, 416).
	ErrInvalidRange = errors.New("objstore: invalid range")
	// ErrPreconditionFailed: a Precondition or a copy source's IfMatch did not
	// hold when the write was committed (PreconditionFailed, 412).
	ErrPreconditionFailed = errors.New("objstore: precondition failed")
	// ErrIncompleteBody: the body's length differs from the declared size
	// (IncompleteBody, 400).
	ErrIncompleteBody = errors.New("objstore: body length differs from declared size")
	// ErrNoSuchUpload: the multipart upload does not exist, was completed or
	// aborted, or belongs to another bucket or key (NoSuchUpload, 404).
	ErrNoSuchUpload = errors.New("objstore: no such upload")
	// ErrInvalidPart: a completion names a part that was not uploaded or whose
	// ETag differs (InvalidPart, 400).
	ErrInvalidPart = errors.New("objstore: invalid part")
	// ErrInvalidPartNumber: a read of a part number the object does not have
	// (InvalidPartNumber, 416).
	ErrInvalidPartNumber = errors.New("objstore: invalid part number")
	// ErrInvalidPartOrder: completion part numbers are not strictly ascending
	// (InvalidPartOrder, 400).
	ErrInvalidPartOrder = errors.New("objstore: invalid part order")
	// ErrEntityTooSmall: a completed part other than the last is smaller than
	// MinPartSize (EntityTooSmall, 400).
	ErrEntityTooSmall = errors.New("objstore: part too small")
	// ErrInvalidArgument: any other invalid argument, such as a part number
	// outside 1..MaxPartNumber or an empty completion list (InvalidArgument, 400).
	ErrInvalidArgument = errors.New("objstore: invalid argument")
	// ErrUnavailable: the object store could not be reached or failed (a
	// connection error, a timeout, a 5xx answer or SlowDown from an upstream
	// S3, an answer that cannot be understood); the request changed nothing
	// that a retry would not redo, so it is retryable (ServiceUnavailable, 503).
	ErrUnavailable = errors.New("objstore: object store unavailable")
	// ErrStorageFull: the backend's disk or quota has no room left for the
	// write (ENOSPC, EDQUOT, a full database); nothing was committed, and the
	// write succeeds again once space is freed. The wrapped detail (paths,
	// system errors) is for the log only (ServiceUnavailable, 503).
	ErrStorageFull = errors.New("objstore: storage full")
	// ErrNotImplemented: the backend cannot do what was asked (an upstream
	// S3 without object tagging or versioning, say); the wrapped detail names
	// the backend and is safe to show (NotImplemented, 501).
	ErrNotImplemented = errors.New("objstore: not implemented by this backend")
	// ErrClosed: the backend was closed.
	ErrClosed = errors.New("objstore: backend closed")
)

// DeleteMarkerError is a read that found a delete marker: the key's current
// version is one (Named false; it is ErrNoSuchKey too, S3's 404 NoSuchKey
// with x-amz-delete-marker), or the version id a read named is one (Named
// true; S3's 405 MethodNotAllowed for GET and HEAD). Info describes the
// marker.
type DeleteMarkerError struct {
	Info  ObjectInfo
	Named bool
}

func (e *DeleteMarkerError) Error() string {
	if e.Named {
		return "objstore: version " + e.Info.VersionID + " of " + e.Info.Key + " is a delete marker"
	}
	return "objstore: the current version of " + e.Info.Key + " is a delete marker"
}

// Is makes a current delete marker ErrNoSuchKey.
func (e *DeleteMarkerError) Is(target error) bool { return target == ErrNoSuchKey && !e.Named }
