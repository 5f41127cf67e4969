// Package sigv4 owns AWS Signature Version 4 verification of incoming requests: parsing the
// Authorization header or presigned query, checking scope, clock and expiry, recomputing
// the signature, and verifying the body in every payload mode S3 clients use (hex SHA-256,
// UNSIGNED-PAYLOAD and the aws-chunked STREAMING-* framings with chunk and trailer
// signatures); and, for inkan's own clients, signing outgoing requests with the same
// canonicalisation (Sign). It must not know who owns an access key, what a session token means, or
// which AWS error code a failure becomes: callers look the secret up, and wire packages map
// the typed errors of errors.go to their own catalogues.
//
// The rules implemented are those of
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html, with S3's
// differences (no path normalisation, single encoding, x-amz-content-sha256 used verbatim)
// from https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, and
// the streaming framings of sigv4-streaming.html and sigv4-streaming-trailers.html in the
// same guide.
//
// A request is handled in three steps: Parse reads what the request claims, the caller finds
// the secret for Auth.AccessKeyID, Verify checks the claim against that secret, and
// Verified.Body wraps the request body so that reading it to io.EOF proves it was the body
// that was signed. A body that fails verification never reaches io.EOF: its last Read
// returns the error, so a consumer that keeps data only on a clean EOF keeps nothing.
//
// The package imports only the standard library. Its tests check it against AWS's published
// SigV4 test suite (testdata/aws-signing-test-suite, Apache-2.0, from awslabs/aws-c-auth),
// the streaming example of the S3 documentation, and signatures made by aws-sdk-go-v2. Its
// fuzz targets run longer with
//
//	go test -run '^$' -fuzz FuzzParseAuthorization -fuzztime 60s ./internal/sigv4
//	go test -run '^$' -fuzz FuzzChunkedBody -fuzztime 60s ./internal/sigv4
package sigv4
