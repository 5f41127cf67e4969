// Package s3 owns inkan's S3 data plane on the wire: addressing (path-style, and
// virtual-hosted under a configured domain), SigV4 authentication in S3's rules, the
// mapping of every operation to its IAM action, resource ARN and condition keys, request
// bodies verified while they stream, and S3's XML documents and error codes. It must not
// know how objects are stored (objstore.Backend does), how policies are evaluated or
// sessions sealed (iam and policy do), or how signatures are computed (sigv4 does).
//
// # One request
//
// Handler.ServeHTTP is the one dispatcher: route (method and subresource to an operation;
// anything else is NotImplemented, never a wrong success), authenticate (no signature at
// all is an anonymous request), authorize the operation's action on its resource with the
// bucket's policy, run the handler, and render S3's error document for any failure.
// Every denial is written to the audit log with its decision trace. Handlers are one per
// operation, grouped by resource family: bucket.go, settings.go, object.go, attributes.go,
// list.go, versions.go, copy.go, multipart.go, delete.go.
//
// # Bodies
//
// A body reaches the backend through three readers: sigv4's payload reader (hex SHA-256 or
// aws-chunked with chunk and trailer signatures), the checksum reader (Content-MD5 and the
// x-amz-checksum-* value, from a header or a trailer), and a reader that records the
// verified checksum at a clean end. Every failure is returned by Read instead of io.EOF, so
// the backend stores nothing (its read-error rule). The verified checksum reaches the
// backend through the metadata map it was given, filled at the body's io.EOF: backends
// read ObjectMeta.Checksums (and UploadPart's checksums) only after the body has ended.
//
// # Decisions on points AWS does not document
//
//   - Anonymous requests are served only when the bucket policy allows them ("Principal":
//     "*" or {"AWS": "*"}); without a bucket, or without such a statement, they are
//     AccessDenied. They cannot use aws-chunked bodies or response-* overrides.
//   - A missing object answers NoSuchKey only to a caller who may s3:ListBucket the bucket
//     with s3:prefix set to the key; anyone else gets AccessDenied.
//   - s3:max-keys is 1000 in the policy context when the request has no max-keys.
//   - A DeleteObjects key the caller may not delete is reported in the result as
//     AccessDenied (and audited); the other keys are deleted.
//   - Versioning (versioning.go): MFA delete is NotImplemented; a versionId the backend
//     could not have issued is InvalidArgument "Invalid version id specified"; a request
//     naming a version is authorized with the *Version* action and s3:versionid (a
//     versioned DeleteObject needs s3:DeleteObject too); version-id-marker without
//     key-marker is InvalidArgument.
//   - A copy's source is authorized (s3:GetObject) with the source bucket's policy, its
//     target (s3:PutObject) with the target's.
//   - Without a pinned region every location constraint is accepted at CreateBucket, and
//     buckets report us-east-1; with one, S3's IllegalLocationConstraintException applies.
//   - A presigned request may not carry unsigned x-amz-* headers that change what it does
//     (metadata, copy source, ACL…): AccessDenied, as S3 answers HeadersNotSigned.
//   - A bucket policy's explicit Deny binds root too, but for Get/Put/DeleteBucketPolicy.
//   - Bucket settings inkan lacks read as S3 answers for a bucket where they are not
//     configured (settings.go says where inkan's answer differs from a new AWS bucket's).
//   - A retried CompleteMultipartUpload is recognised by its result (multipart.go).
//   - ListObjects (v1) answers Prefix unencoded under encoding-type=url (list.go).
//
// # Fuzzing
//
// The XML request bodies have fuzz targets; run them longer with
//
//	go test -run '^$' -fuzz FuzzDeleteObjectsBody -fuzztime 60s ./internal/s3
//	go test -run '^$' -fuzz FuzzCompleteMultipartBody -fuzztime 60s ./internal/s3
package s3
