package sigv4

import (
	"errors"
	"time"
)

// The kinds of failure. Every error this package returns because of what a client sent is an
// *Error whose Kind is one of these, so wire packages map them with errors.Is. The AWS codes
// in the comments are what AWS answers; the mapping itself belongs to the wire packages.
var (
	// ErrNoAuth: the request carries no signature at all. Anonymous, not an attack: S3 may
	// serve it under a bucket policy, STS serves AssumeRoleWithWebIdentity this way.
	ErrNoAuth = errors.New("sigv4: request is not signed")
	// ErrSigV2: an AWS Signature Version 2 header ("AWS AKID:sig") or query
	// (AWSAccessKeyId=…). S3: InvalidRequest / AccessDenied; query services: InvalidClientTokenId.
	ErrSigV2 = errors.New("sigv4: signature version 2 is not supported")
	// ErrUnsupportedAlgorithm: an AWS signing algorithm this endpoint does not implement,
	// SigV4a (AWS4-ECDSA-P256-SHA256), in the Authorization header (an X-Amz-Algorithm
	// other than AWS4-HMAC-SHA256 is ErrMalformedPresign). S3: InvalidRequest, as for SigV2
	// where S3 lacks it; query services: IncompleteSignature.
	ErrUnsupportedAlgorithm = errors.New("sigv4: unsupported signing algorithm")
	// ErrUnknownScheme: an Authorization header that names no AWS scheme at all (empty,
	// Bearer, Basic, AWS4-HMAC-SHA512…). S3: InvalidArgument "Unsupported Authorization
	// Type"; query services: IncompleteSignature.
	ErrUnknownScheme = errors.New("sigv4: unknown authorization scheme")
	// ErrMultipleAuth: both an Authorization header and a presigned query. S3: InvalidArgument.
	ErrMultipleAuth = errors.New("sigv4: more than one authentication mechanism")
	// ErrIncomplete: a malformed or incomplete Authorization header, or a missing or
	// malformed date. S3: AuthorizationHeaderMalformed; query services: IncompleteSignature.
	ErrIncomplete = errors.New("sigv4: incomplete signature")
	// ErrMalformedPresign: a malformed presigned query (missing parameter, bad X-Amz-Expires,
	// an X-Amz-Algorithm other than AWS4-HMAC-SHA256).
	// S3: AuthorizationQueryParametersError; query services: IncompleteSignature.
	ErrMalformedPresign = errors.New("sigv4: malformed presigned request")
	// ErrScope: the credential scope names the wrong date, region, service or terminator.
	// S3: AuthorizationHeaderMalformed (AuthorizationQueryParametersError when presigned);
	// query services: SignatureDoesNotMatch.
	ErrScope = errors.New("sigv4: invalid credential scope")
	// ErrRequestTimeSkewed: a header-signed request dated more than the allowed skew away
	// from now. S3: RequestTimeTooSkewed (403); query services: RequestExpired (400).
	ErrRequestTimeSkewed = errors.New("sigv4: request time too skewed")
	// ErrPresignExpired: a presigned request used after X-Amz-Date + X-Amz-Expires.
	// S3: AccessDenied "Request has expired"; query services: RequestExpired.
	ErrPresignExpired = errors.New("sigv4: presigned request has expired")
	// ErrPresignNotYetValid: a presigned request dated in the future beyond the skew.
	// S3: AccessDenied "Request is not valid yet".
	ErrPresignNotYetValid = errors.New("sigv4: presigned request is not valid yet")
	// ErrSignatureMismatch: the request, a chunk or the trailer was not signed with the
	// secret. SignatureDoesNotMatch (403) everywhere.
	ErrSignatureMismatch = errors.New("sigv4: signature does not match")
	// ErrMissingContentSHA256: an S3 header-signed request without x-amz-content-sha256.
	// S3: InvalidRequest "Missing required header for this request: x-amz-content-sha256".
	ErrMissingContentSHA256 = errors.New("sigv4: missing x-amz-content-sha256")
	// ErrInvalidContentSHA256: x-amz-content-sha256 is neither hex SHA-256 nor a literal S3
	// accepts. S3: InvalidArgument.
	ErrInvalidContentSHA256 = errors.New("sigv4: invalid x-amz-content-sha256")
	// ErrContentSHA256Mismatch: the body's SHA-256 differs from x-amz-content-sha256.
	// S3: XAmzContentSHA256Mismatch (400).
	ErrContentSHA256Mismatch = errors.New("sigv4: body does not match x-amz-content-sha256")
	// ErrMissingDecodedLength: an aws-chunked body without a valid
	// x-amz-decoded-content-length. S3: MissingContentLength (411).
	ErrMissingDecodedLength = errors.New("sigv4: missing x-amz-decoded-content-length")
	// ErrChunkEncoding: malformed aws-chunked framing or trailers, or more data than
	// x-amz-decoded-content-length announced. S3: InvalidRequest / MalformedTrailerError.
	ErrChunkEncoding = errors.New("sigv4: malformed aws-chunked body")
	// ErrIncompleteBody: an aws-chunked body that ended early or carried fewer bytes than
	// x-amz-decoded-content-length. S3: IncompleteBody (400).
	ErrIncompleteBody = errors.New("sigv4: incomplete body")
)

// Error is a verification failure caused by the request. Message is written in AWS's words
// and is safe to send to the client: it never holds a secret, a signature, a session token
// or a canonical request (which may contain the token). The other fields carry what some
// AWS error documents add; each is set only for the kinds named in its comment.
type Error struct {
	Kind    error  // one of the Err… values above
	Message string // client-safe, AWS wording where AWS has one

	// RequestTime and ServerTime: ErrRequestTimeSkewed, ErrPresignExpired, ErrPresignNotYetValid.
	RequestTime, ServerTime time.Time
	// MaxSkew: ErrRequestTimeSkewed (S3 reports it as MaxAllowedSkewMilliseconds).
	MaxSkew time.Duration
	// Expires: ErrPresignExpired (X-Amz-Expires).
	Expires time.Duration
	// Region: ErrScope when the region is wrong; the region the server expects.
	Region string
	// Scheme: ErrUnknownScheme; the header's first word when it is a short token that
	// cannot be a credential (letters, digits, hyphens, at most 32), else "".
	Scheme string
	// StringToSign: ErrSignatureMismatch of the request signature; the string the server
	// signed, which S3 returns to help clients debug (it holds a hash, no secret).
	StringToSign string
}

func (e *Error) Error() string { return "sigv4: " + e.Message }

// Unwrap returns Kind, so errors.Is(err, sigv4.ErrScope) works.
func (e *Error) Unwrap() error { return e.Kind }

func fail(kind error, msg string) *Error { return &Error{Kind: kind, Message: msg} }
