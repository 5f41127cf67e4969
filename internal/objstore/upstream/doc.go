// Package upstream owns the objstore.Backend that forwards to an S3-compatible
// object store (SeaweedFS, versitygw, MinIO, Ceph RGW, Garage, AWS S3): every
// bucket, object and multipart upload lives upstream, and inkan nodes keep no
// object state of their own. It speaks S3 itself over net/http, signing with
// internal/sigv4 (no SDK in the request path). It must not know about inkan's
// wire layer, sessions or authorization: callers have authorized the request
// and verify the client's signature and checksums while the body streams.
//
// # Names
//
// Bucket b is upstream bucket Options.BucketPrefix+b, and only upstream
// buckets with the prefix are listed. Keys travel unchanged, so objects and
// buckets that already exist upstream are served, and objects written
// through inkan are readable with the upstream's own clients. Keys that
// S3-compatible file stores would store under another name are refused
// with ErrInvalidKey, never renamed (keys.go, Options.AnyKey), as are keys
// an upstream refuses for its own reasons (errors.go).
//
// # What the upstream cannot hold is kept beside it
//
// S3 has no place for some of what the objstore contract keeps, so the
// backend stores it in a reserved user-metadata entry (x-amz-meta-inkan,
// hidden again on read) or in a state bucket (Options.StateBucket, hidden
// from ListBuckets):
//
//   - Checksums and ChecksumType are opaque to a backend and never
//     recomputed, so they cannot be sent as x-amz-checksum-* (the upstream
//     would verify them, and refuse values it computes otherwise); they are
//     kept in x-amz-meta-inkan. Whether a ContentType was given at all is kept
//     there too, because upstreams default a missing one.
//   - A multipart upload's metadata and initiation time (returned by ListParts
//     and ListMultipartUploads, which S3 does not describe) and each part's
//     checksums are small objects in the state bucket, as are the checksums
//     CompleteMultipartUpload gives a completed object (S3 fixes an object's
//     metadata when the upload is created) and those that trail a PUT body
//     too long to read before its headers leave. See state.go.
//
// # Bodies
//
// Bodies stream through with bounded memory (22.5 MiB peak RSS for a 5 GiB
// PUT and GET: bench/bigobject). A PutObject or UploadPart body
// is sent with its Content-Length, as UNSIGNED-PAYLOAD (inkan has verified
// the client's signature), and its last byte is held back until the body
// reader has returned io.EOF: a body whose verification fails at its end
// aborts the upstream request short of its Content-Length, so the upstream
// stores nothing (see body.go). A body of unknown size is spooled to a
// temporary file first.
//
// # Failures
//
// Upstream error codes map to the objstore sentinels in one table
// (errors.go). Connection failures, timeouts, 5xx answers, SlowDown and
// answers that cannot be understood are ErrUnavailable, which the S3 wire
// layer answers 503; the upstream's text is logged, never returned to a
// client, and credentials are never logged or put in an error. Idempotent
// requests that fail so are retried twice first (client.go); streamed
// bodies cannot be, and a failed body resets its connection (body.go).
package upstream
