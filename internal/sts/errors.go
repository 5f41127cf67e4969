package sts

import (
	"errors"
	"net/http"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
)

// codes is STS's error catalogue: domain kind → AWS code and HTTP status (reference §1.4).
var codes = map[iam.Kind]struct {
	code   string
	status int
}{
	iam.KindAccessDenied:         {"AccessDenied", http.StatusForbidden},
	iam.KindValidation:           {"ValidationError", http.StatusBadRequest},
	iam.KindInvalidInput:         {"ValidationError", http.StatusBadRequest},
	iam.KindMalformedPolicy:      {"MalformedPolicyDocument", http.StatusBadRequest},
	iam.KindPackedPolicyTooLarge: {"PackedPolicyTooLarge", http.StatusBadRequest},
	iam.KindInvalidIdentityToken: {"InvalidIdentityToken", http.StatusBadRequest},
	iam.KindExpiredIdentityToken: {"ExpiredTokenException", http.StatusBadRequest},
	iam.KindIDPCommunication:     {"IDPCommunicationError", http.StatusBadRequest},
	iam.KindInvalidClientTokenID: {"InvalidClientTokenId", http.StatusForbidden},
	iam.KindExpiredSession:       {"ExpiredToken", http.StatusForbidden},
	iam.KindNoSuchEntity:         {"ValidationError", http.StatusBadRequest},
	// The store is unreachable where an operation must read or write it; retryable.
	iam.KindUnavailable: {"ServiceUnavailable", http.StatusServiceUnavailable},
}

// errorFor maps an operation's error to STS's catalogue. Unknown errors are our fault:
// InternalFailure, with no detail for the caller.
func errorFor(err error) *awsquery.Error {
	var e *iam.Error
	if !errors.As(err, &e) {
		return &awsquery.Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error.", Status: http.StatusInternalServerError, Receiver: true}
	}
	c, ok := codes[e.Kind]
	if !ok {
		return &awsquery.Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error.", Status: http.StatusInternalServerError, Receiver: true}
	}
	return &awsquery.Error{Code: c.code, Message: e.Message, Status: c.status, Receiver: c.status >= 500}
}
