package s3

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"net/http"
	"os"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/checksum"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/reqid"
)

// Error is an S3 error response: the code and status clients key on, AWS's message, and
// extra elements some codes carry (BucketName, Key, MaxAllowedSkewMilliseconds…). Reason is
// inkan's one-sentence explanation for the log and the audit record; it reaches the caller
// only in Explain mode. Neither ever holds a token, a signature or a secret.
type Error struct {
	Code    string
	Status  int
	Message string
	Reason  string
	Extra   []Field
	// Err is the cause, kept for the log and for errors.As (the denial trace).
	Err error
}

// Field is one extra element of an error body, in order.
type Field struct{ Name, Value string }

func (e *Error) Error() string {
	if e.Reason != "" {
		return e.Code + ": " + e.Reason
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// with returns a copy of e with extra fields appended.
func (e *Error) with(fields ...Field) *Error {
	c := *e
	c.Extra = append(append([]Field(nil), e.Extra...), fields...)
	return &c
}

// because returns a copy of e carrying reason and cause.
func (e *Error) because(reason string, cause error) *Error {
	c := *e
	c.Reason, c.Err = reason, cause
	return &c
}

// The catalogue: every error inkan's S3 endpoint answers, with S3's code, status and
// message (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). Handlers
// return one of these (refined with because/with), or a domain error that s3Error maps here.
var (
	errAccessDenied          = &Error{Code: "AccessDenied", Status: 403, Message: "Access Denied"}
	errBadDigest             = &Error{Code: "BadDigest", Status: 400, Message: "The Content-MD5 or checksum value that you specified did not match what the server received."}
	errBucketExists          = &Error{Code: "BucketAlreadyOwnedByYou", Status: 409, Message: "Your previous request to create the named bucket succeeded and you already own it."}
	errBucketNotEmpty        = &Error{Code: "BucketNotEmpty", Status: 409, Message: "The bucket you tried to delete is not empty"}
	errEntityTooLarge        = &Error{Code: "EntityTooLarge", Status: 400, Message: "Your proposed upload exceeds the maximum allowed size"}
	errEntityTooSmall        = &Error{Code: "EntityTooSmall", Status: 400, Message: "Your proposed upload is smaller than the minimum allowed object size."}
	errExpiredToken          = &Error{Code: "ExpiredToken", Status: 400, Message: "The provided token has expired."}
	errIncompleteBody        = &Error{Code: "IncompleteBody", Status: 400, Message: "You did not provide the number of bytes specified by the Content-Length HTTP header."}
	errInternal              = &Error{Code: "InternalError", Status: 500, Message: "We encountered an internal error. Please try again."}
	errInvalidAccessKeyID    = &Error{Code: "InvalidAccessKeyId", Status: 403, Message: "The AWS Access Key Id you provided does not exist in our records."}
	errInvalidArgument       = &Error{Code: "InvalidArgument", Status: 400, Message: "Invalid Argument"}
	errInvalidBucketName     = &Error{Code: "InvalidBucketName", Status: 400, Message: "The specified bucket is not valid."}
	errInvalidDigest         = &Error{Code: "InvalidDigest", Status: 400, Message: "The Content-MD5 you specified is not valid."}
	errInvalidLocation       = &Error{Code: "InvalidLocationConstraint", Status: 400, Message: "The specified location-constraint is not valid"}
	errInvalidPart           = &Error{Code: "InvalidPart", Status: 400, Message: "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."}
	errInvalidPartNumber     = &Error{Code: "InvalidPartNumber", Status: 416, Message: "The requested partnumber is not satisfiable"}
	errInvalidPartOrder      = &Error{Code: "InvalidPartOrder", Status: 400, Message: "The list of parts was not in ascending order. Parts must be ordered by part number."}
	errInvalidRange          = &Error{Code: "InvalidRange", Status: 416, Message: "The requested range is not satisfiable"}
	errInvalidRequest        = &Error{Code: "InvalidRequest", Status: 400, Message: "Invalid Request"}
	errInvalidURI            = &Error{Code: "InvalidURI", Status: 400, Message: "Couldn't parse the specified URI."}
	errInvalidToken          = &Error{Code: "InvalidToken", Status: 400, Message: "The provided token is malformed or otherwise invalid."}
	errKeyTooLong            = &Error{Code: "KeyTooLongError", Status: 400, Message: "Your key is too long"}
	errMalformedPolicy       = &Error{Code: "MalformedPolicy", Status: 400, Message: "Policies must be valid JSON and the first byte must be '{'"}
	errMalformedXML          = &Error{Code: "MalformedXML", Status: 400, Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	errMaxMessageLength      = &Error{Code: "MaxMessageLengthExceeded", Status: 400, Message: "Your request was too big."}
	errMetadataTooLarge      = &Error{Code: "MetadataTooLarge", Status: 400, Message: "Your metadata headers exceed the maximum allowed metadata size."}
	errMissingContentLength  = &Error{Code: "MissingContentLength", Status: 411, Message: "You must provide the Content-Length HTTP header."}
	errMissingContentMD5     = &Error{Code: "InvalidRequest", Status: 400, Message: "Missing required header for this request: Content-MD5"}
	errNoSuchBucket          = &Error{Code: "NoSuchBucket", Status: 404, Message: "The specified bucket does not exist"}
	errNoSuchBucketPolicy    = &Error{Code: "NoSuchBucketPolicy", Status: 404, Message: "The bucket policy does not exist"}
	errNoSuchKey             = &Error{Code: "NoSuchKey", Status: 404, Message: "The specified key does not exist."}
	errNoSuchVersion         = &Error{Code: "NoSuchVersion", Status: 404, Message: "The specified version does not exist."}
	errMethodNotAllowed      = &Error{Code: "MethodNotAllowed", Status: 405, Message: "The specified method is not allowed against this resource."}
	errNoSuchUpload          = &Error{Code: "NoSuchUpload", Status: 404, Message: "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."}
	errNotImplemented        = &Error{Code: "NotImplemented", Status: 501, Message: "A header or query you provided implies functionality that is not implemented."}
	errNotModified           = &Error{Code: "NotModified", Status: 304, Message: "Not Modified"}
	errPreconditionFailed    = &Error{Code: "PreconditionFailed", Status: 412, Message: "At least one of the pre-conditions you specified did not hold"}
	errRequestTimeout        = &Error{Code: "RequestTimeout", Status: 400, Message: "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."}
	errSlowDown              = &Error{Code: "SlowDown", Status: 503, Message: "Please reduce your request rate."}
	errSignatureDoesNotMatch = &Error{Code: "SignatureDoesNotMatch", Status: 403, Message: "The request signature we calculated does not match the signature you provided. Check your key and signing method."}
	errServiceUnavailable    = &Error{Code: "ServiceUnavailable", Status: 503, Message: "Service is unable to handle request."}
)

// errBackendNotImplemented is NotImplemented of an operation inkan has but its object store
// (an upstream S3 without object tagging) does not.
var errBackendNotImplemented = &Error{Code: "NotImplemented", Status: 501, Message: "The upstream object store behind this endpoint does not implement this operation."}

// The errors of browser uploads (POST Object) and of CORS requests.
var (
	errInvalidPolicyDocument = &Error{Code: "InvalidPolicyDocument", Status: 400, Message: "The content of the form does not meet the conditions specified in the policy document."}
	errMalformedPOST         = &Error{Code: "MalformedPOSTRequest", Status: 400, Message: "The body of your POST request is not well-formed multipart/form-data."}
	errFieldsTooLarge        = &Error{Code: "MaxPostPreDataLengthExceededError", Status: 400, Message: "Your POST request fields preceding the upload file were too large."}
	// errCORSForbidden keeps S3's own spelling ("evalution").
	errCORSForbidden = &Error{Code: "AccessForbidden", Status: 403, Message: "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec."}
	errCORSDisabled  = &Error{Code: "AccessForbidden", Status: 403, Message: "CORSResponse: CORS is not enabled for this bucket."}
	errBadPreflight  = &Error{Code: "BadRequest", Status: 400, Message: "Insufficient information. Origin request header needed."}
)

// s3Error maps any error a handler returned to the catalogue. Domain errors of the object
// backend and the checksum reader are mapped by their sentinel; authentication errors are
// mapped where they are raised (auth.go), because the same domain kind means different S3
// codes depending on what the request carried.
func s3Error(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, objstore.ErrUnavailable) {
		// The cause (an upstream's code, a dial error) is for the log only: the caller,
		// even in explain mode, learns no more than that the store failed.
		return errServiceUnavailable.because("the object store is unavailable", err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The body stalled past the server's idle timeout (server.Limits): S3's answer.
		return errRequestTimeout.because("the request body sent no byte within the idle timeout", err)
	}
	var be *bodyReadError
	if errors.As(err, &be) {
		// The client's body broke off or was framed wrong: S3's IncompleteBody.
		return errIncompleteBody.because(be.Error(), err)
	}
	if errors.Is(err, objstore.ErrStorageFull) {
		// S3 has no "disk full": the honest S3 answer to a store that cannot take the
		// write now but will once space is freed is the retryable 503 ServiceUnavailable
		// (SDKs retry it with backoff; 507 is not S3's and no SDK retries it). The cause
		// names server paths: it goes to the log, never to the caller.
		return errServiceUnavailable.because("the object store is out of space", err)
	}
	if errors.Is(err, objstore.ErrInvalidVersionID) {
		return invalidVersionID("", err)
	}
	if errors.Is(err, objstore.ErrNotImplemented) {
		// The backend's refusal names the backend and the feature: safe to show.
		e := errNotImplemented.because(err.Error(), err)
		msg := strings.TrimPrefix(err.Error(), objstore.ErrNotImplemented.Error()+": ")
		e.Message = strings.ToUpper(msg[:1]) + msg[1:] + "."
		return e
	}
	if e := objstoreError(err); e != nil {
		return e.because(err.Error(), err)
	}
	var mismatch *checksum.MismatchError
	switch {
	case errors.As(err, &mismatch):
		msg := "The " + string(mismatch.Algorithm) + " you specified did not match the calculated checksum."
		if mismatch.Algorithm == checksum.MD5 {
			msg = "The Content-MD5 you specified did not match what we received."
		}
		return &Error{Code: errBadDigest.Code, Status: errBadDigest.Status, Message: msg, Reason: err.Error(), Err: err}
	case errors.Is(err, checksum.ErrMissingValue), errors.Is(err, checksum.ErrInvalidValue):
		return errInvalidRequest.because(err.Error(), err)
	}
	var ie *iam.Error
	if errors.As(err, &ie) && ie.Kind == iam.KindAccessDenied {
		return errAccessDenied.because(ie.Reason, err)
	}
	if errors.As(err, &ie) && ie.Kind == iam.KindUnavailable {
		return errServiceUnavailable.because(ie.Reason, err)
	}
	if e := sigv4Error(err); e != nil {
		return e
	}
	return errInternal.because(err.Error(), err)
}

// objstoreError maps the backend's sentinels, nil for other errors.
func objstoreError(err error) *Error {
	for _, m := range [...]struct {
		sentinel error
		e        *Error
	}{
		{objstore.ErrNoSuchBucket, errNoSuchBucket},
		{objstore.ErrBucketExists, errBucketExists},
		{objstore.ErrBucketNotEmpty, errBucketNotEmpty},
		{objstore.ErrInvalidBucketName, errInvalidBucketName},
		{objstore.ErrNoSuchKey, errNoSuchKey},
		{objstore.ErrNoSuchVersion, errNoSuchVersion},
		{objstore.ErrInvalidKey, errInvalidArgument},
		{objstore.ErrKeyTooLong, errKeyTooLong},
		{objstore.ErrInvalidRange, errInvalidRange},
		{objstore.ErrPreconditionFailed, errPreconditionFailed},
		{objstore.ErrIncompleteBody, errIncompleteBody},
		{objstore.ErrNoSuchUpload, errNoSuchUpload},
		{objstore.ErrInvalidPart, errInvalidPart},
		{objstore.ErrInvalidPartOrder, errInvalidPartOrder},
		{objstore.ErrInvalidPartNumber, errInvalidPartNumber},
		{objstore.ErrEntityTooSmall, errEntityTooSmall},
		{objstore.ErrInvalidArgument, errInvalidArgument},
		{objstore.ErrNotImplemented, errBackendNotImplemented},
	} {
		if errors.Is(err, m.sentinel) {
			return m.e
		}
	}
	return nil
}

// errorBody is S3's REST-XML error document: no namespace, no wrapper.
type errorBody struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string
	Message   string
	Extra     []extraElement
	RequestID string `xml:"RequestId"`
	HostID    string `xml:"HostId"`
}

type extraElement struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

// writeError renders e. HEAD responses and 304 carry no body, as in S3. In explain mode
// the reason of a 4xx is appended to the message, so a developer sees why without the
// audit log.
func writeError(w http.ResponseWriter, r *http.Request, e *Error, requestID, hostID string, explain bool) {
	h := w.Header()
	if e.Status == http.StatusServiceUnavailable {
		h.Set("Retry-After", "1")
	}
	if e.Status == http.StatusNotModified || r.Method == http.MethodHead {
		w.WriteHeader(e.Status)
		return
	}
	msg := e.Message
	// A server-side failure's reason may quote the cause (a path, a driver's error): it
	// stays in the log, whatever the mode.
	if explain && e.Status < 500 && e.Reason != "" && e.Reason != e.Message {
		msg += " (" + e.Reason + ")"
	}
	body := errorBody{Code: e.Code, Message: msg, RequestID: requestID, HostID: hostID}
	for _, f := range e.Extra {
		body.Extra = append(body.Extra, extraElement{XMLName: xml.Name{Local: f.Name}, Value: f.Value})
	}
	out, err := xml.Marshal(body)
	if err != nil { // cannot happen: every field is a string
		out = nil
	}
	h.Set("Content-Type", "application/xml")
	h.Set("Content-Length", strconv.Itoa(len(xml.Header)+len(out)))
	w.WriteHeader(e.Status)
	w.Write([]byte(xml.Header))
	w.Write(out)
}

// WriteSlowDown answers a request refused before it reached the handler because its client
// has too many requests in flight (server.Limits): 503 SlowDown, S3's request to back off,
// which every SDK retries with backoff.
func WriteSlowDown(w http.ResponseWriter, r *http.Request) {
	id := reqid.From(r.Context())
	writeError(w, r, errSlowDown, id, hostIDOf(id), false)
}

// hostIDOf is the x-amz-id-2 of a request: derived from its id, as inkan has one host.
func hostIDOf(requestID string) string {
	sum := sha256.Sum256([]byte(requestID))
	return base64.StdEncoding.EncodeToString(sum[:])
}
