// Package objstore owns the contract between the S3 wire layer and the
// stores that hold object bytes: buckets, objects, ranges, listings and
// multipart uploads, with the sentinel errors each operation returns. It must
// not know about HTTP, SigV4, XML or authorization: callers have already
// authenticated and authorized the request, and verify checksums while they
// stream bodies in (see the read-error rule on [Backend.PutObject]).
//
// Two kinds of backend fit the contract: localfs (files plus an embedded
// SQLite index, the default) and, later, a backend forwarding to an upstream
// S3-compatible cluster. Every backend must pass objstoretest.Run.
//
// Keys are byte strings of 1 to [MaxKeyLength] bytes, compared byte-wise; a
// key may hold any byte, including NUL, "/", "..", "\\" and invalid UTF-8.
// ETags are always unquoted lower-case hex ("9e107d9d372bb6826bd81d3542a419d6",
// or "…-N" for a multipart object); [NormalizeETag] strips the quotes clients
// send.
package objstore
