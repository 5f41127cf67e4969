package awsclient

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"
)

// Error is an error answer of the service: its AWS error code (exact, e.g.
// "ExpiredTokenException"), message, request id and HTTP status.
type Error struct {
	Op        string // the call, e.g. "sts:AssumeRoleWithWebIdentity"
	Code      string
	Message   string
	RequestID string
	Status    int
}

// Error implements error: "<op>: <Code>: <Message> (HTTP <status>, request id <id>)".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Op != "" {
		b.WriteString(e.Op + ": ")
	}
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	fmt.Fprintf(&b, " (HTTP %d", e.Status)
	if e.RequestID != "" {
		b.WriteString(", request id " + e.RequestID)
	}
	b.WriteString(")")
	return b.String()
}

// ErrorCode returns the AWS error code of err when it is or wraps an *Error, else "".
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isRetryableCode reports the codes worth another attempt whatever their status: throttling
// under its various AWS names, and the STS code AWS documents as transient.
func isRetryableCode(code string) bool {
	switch code {
	case "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottled",
		"RequestThrottledException", "RequestLimitExceeded", "TooManyRequestsException",
		"SlowDown", "PriorRequestNotComplete", "RequestTimeout", "RequestTimeoutException",
		"IDPCommunicationError":
		return true
	}
	return false
}

// IsRetryable reports whether another attempt may succeed: a network error, an answer
// with status 5xx or 429, a throttling code, or IDPCommunicationError. Every other error —
// AccessDenied, InvalidIdentityToken, ExpiredTokenException, ValidationError, a refused
// signature, a malformed request — is final, and so is anything that is not an *Error or
// *NetworkError (the caller's own mistakes and a cancelled context).
func IsRetryable(err error) bool {
	var ne *NetworkError
	if errors.As(err, &ne) {
		return !isContextError(ne.Err)
	}
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Status >= 500 || e.Status == http.StatusTooManyRequests || isRetryableCode(e.Code)
}

// errorBody reads both AWS error shapes: the Query protocol's
// <ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse> and S3's
// <Error><Code/><Message/><RequestId/></Error>.
type errorBody struct {
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
	RequestID string `xml:"RequestId"`
	Error     struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
}

// jsonErrorBody is the admin API's error, {"code": …, "message": …}.
type jsonErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// maxPlainMessage bounds the text kept of an error answer that is neither XML nor JSON.
const maxPlainMessage = 200

// parseError turns an answer outside 2xx into *Error. A body in no known shape (a proxy's
// HTML page, an empty HEAD answer) keeps the status as its code and a short excerpt as its
// message. The request id falls back to the x-amz-request-id header.
func parseError(op string, status int, header http.Header, body []byte) *Error {
	e := &Error{Op: op, Status: status, RequestID: header.Get("X-Amz-Request-Id")}
	var x errorBody
	var j jsonErrorBody
	switch {
	case xml.Unmarshal(body, &x) == nil && (x.Code != "" || x.Error.Code != ""):
		e.Code, e.Message = first(x.Error.Code, x.Code), first(x.Error.Message, x.Message)
		e.RequestID = first(x.RequestID, e.RequestID)
	case json.Unmarshal(body, &j) == nil && j.Code != "":
		e.Code, e.Message = j.Code, j.Message
	default:
		e.Code = strings.ReplaceAll(http.StatusText(status), " ", "")
		if e.Code == "" {
			e.Code = fmt.Sprintf("HTTP%d", status)
		}
		e.Message = excerpt(body)
	}
	return e
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// excerpt returns the start of a plain body as one line of valid UTF-8.
func excerpt(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) <= maxPlainMessage {
		return strings.ToValidUTF8(s, "?")
	}
	cut := maxPlainMessage
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strings.ToValidUTF8(s[:cut], "?") + "…"
}
