package upstream

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// codes maps the upstream's S3 error codes to the objstore sentinels: the one
// table of this package. A code not listed is unexpected: ErrUnavailable when
// the status is 5xx or the code is one of the retryable ones below, else an
// internal error (the wire layer answers 500 without the upstream's text).
var codes = map[string]error{
	"NoSuchBucket":            objstore.ErrNoSuchBucket,
	"NoSuchKey":               objstore.ErrNoSuchKey,
	"NoSuchUpload":            objstore.ErrNoSuchUpload,
	"InvalidPart":             objstore.ErrInvalidPart,
	"InvalidPartOrder":        objstore.ErrInvalidPartOrder,
	"EntityTooSmall":          objstore.ErrEntityTooSmall,
	"PreconditionFailed":      objstore.ErrPreconditionFailed,
	"InvalidRange":            objstore.ErrInvalidRange,
	"InvalidPartNumber":       objstore.ErrInvalidPartNumber,
	"BucketNotEmpty":          objstore.ErrBucketNotEmpty,
	"NoSuchVersion":           objstore.ErrNoSuchVersion,
	"BucketAlreadyOwnedByYou": objstore.ErrBucketExists,
	"BucketAlreadyExists":     objstore.ErrBucketExists,
	"IncompleteBody":          objstore.ErrIncompleteBody,
	// The backend refuses keys over MaxKeyLength before sending them, so
	// an upstream's KeyTooLongError is its own, lower limit: SeaweedFS and
	// versitygw's posix backend refuse a segment over 255 bytes (a file
	// name). The key is valid but cannot be stored as named.
	"KeyTooLongError":   objstore.ErrInvalidKey,
	"InvalidBucketName": objstore.ErrInvalidBucketName,
	// File-backed upstreams keep "a/b" as file b in directory a, so they
	// cannot hold both "a" and "a/b" (nor, SeaweedFS, "a" and "a/"; nor,
	// versitygw, data in a "dir/" key): the second key is refused, as the
	// contract asks (see portableKey), never stored elsewhere. SeaweedFS
	// answers ExistingObjectIsFile and ExistingObjectIsDirectory,
	// versitygw ObjectParentIsFile, ExistingObjectIsDirectory and
	// DirectoryObjectContainsData.
	"ExistingObjectIsFile":        objstore.ErrInvalidKey,
	"ObjectParentIsFile":          objstore.ErrInvalidKey,
	"ExistingObjectIsDirectory":   objstore.ErrInvalidKey,
	"DirectoryObjectContainsData": objstore.ErrInvalidKey,
	// An upstream without a feature (object tagging): refused as such.
	"NotImplemented": objstore.ErrNotImplemented,
	// Conditional writes that lost a race with a concurrent one.
	"ConditionalRequestConflict": objstore.ErrPreconditionFailed,
	// The upstream is overloaded, failing, or refuses inkan's own
	// credentials (a misconfiguration or an expired key, to be fixed by the
	// operator): a client can only retry.
	"SlowDown":              objstore.ErrUnavailable,
	"ServiceUnavailable":    objstore.ErrUnavailable,
	"InternalError":         objstore.ErrUnavailable,
	"RequestTimeout":        objstore.ErrUnavailable,
	"RequestTimeTooSkewed":  objstore.ErrUnavailable,
	"AccessDenied":          objstore.ErrUnavailable,
	"InvalidAccessKeyId":    objstore.ErrUnavailable,
	"SignatureDoesNotMatch": objstore.ErrUnavailable,
	"ExpiredToken":          objstore.ErrUnavailable,
	"InvalidToken":          objstore.ErrUnavailable,
	"TokenRefreshRequired":  objstore.ErrUnavailable,
}

// statusCodes stand in for a code when the answer has no body (HEAD).
var statusCodes = map[int]string{
	http.StatusNotFound:                     "NoSuchKey",
	http.StatusPreconditionFailed:           "PreconditionFailed",
	http.StatusRequestedRangeNotSatisfiable: "InvalidRange",
	http.StatusConflict:                     "ConditionalRequestConflict",
	http.StatusForbidden:                    "AccessDenied",
	http.StatusServiceUnavailable:           "ServiceUnavailable",
}

// Error is an error answer of the upstream. Its text names the operation, the
// status and the code; the upstream's message goes to the log only.
type Error struct {
	Op     string
	Status int
	Code   string
	kind   error // an objstore sentinel, or nil for an unexpected answer
}

func (e *Error) Error() string {
	return fmt.Sprintf("upstream %s: %d %s", e.Op, e.Status, e.Code)
}

// Unwrap returns the objstore sentinel the code maps to.
func (e *Error) Unwrap() error { return e.kind }

// errorDoc is S3's error document.
type errorDoc struct {
	Code    string
	Message string
}

// responseError turns a non-2xx answer into an *Error, logging the
// upstream's message, and drains and closes the body.
func (b *Backend) responseError(c *call, resp *http.Response) error {
	defer drain(resp.Body)
	var doc errorDoc
	if c.method != http.MethodHead {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
		if xml.Unmarshal(body, &doc) != nil {
			doc = errorDoc{}
		}
	}
	e := classify(c.op, resp.StatusCode, doc.Code)
	if kind := b.markerError(c, resp, doc.Code); kind != nil {
		e.kind = kind
	}
	if e.kind == nil || errors.Is(e, objstore.ErrUnavailable) {
		b.opt.Logger.Warn("upstream S3 failed", "op", c.op, "bucket", c.bucket,
			"status", resp.StatusCode, "code", doc.Code, "message", doc.Message)
	}
	return e
}

// classify maps a status and code (possibly empty) through the table.
func classify(op string, status int, code string) *Error {
	if code == "" {
		code = statusCodes[status]
	}
	e := &Error{Op: op, Status: status, Code: code, kind: codes[code]}
	if e.kind == nil && (status >= 500 || code == "") {
		e.kind = objstore.ErrUnavailable
	}
	return e
}

// unavailableError is a failure to talk to the upstream at all.
type unavailableError struct {
	op, detail string
	err        error
}

func (e *unavailableError) Error() string { return "upstream " + e.op + ": " + e.detail }

// Is reports ErrUnavailable; the cause stays out of reach of errors.Is so
// that no net or url error of the client leaks through the contract.
func (e *unavailableError) Is(target error) bool { return target == objstore.ErrUnavailable }

func unavailable(op, detail string, err error) error {
	return &unavailableError{op: op, detail: detail, err: err}
}

// transportError maps a failed round trip: the caller's own cancellation is
// returned as ctx.Err(); anything else (refused, reset, timed out) is
// ErrUnavailable. The text of a *url.Error names the URL, which holds no
// credentials (they travel in headers only).
func (b *Backend) transportError(ctx context.Context, c *call, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	b.opt.Logger.Warn("upstream S3 unreachable", "op", c.op, "bucket", c.bucket, "err", err)
	return unavailable(c.op, err.Error(), err)
}

// outcome is the metrics label of a call's result.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, objstore.ErrUnavailable):
		return "unavailable"
	}
	return "error"
}

// badAnswer is an answer the backend cannot understand (malformed XML, a
// missing header): the upstream is not behaving as S3, so unavailable.
func (b *Backend) badAnswer(op, what string) error {
	b.opt.Logger.Warn("upstream S3 answer not understood", "op", op, "what", what)
	return unavailable(op, "answer not understood: "+what, nil)
}
