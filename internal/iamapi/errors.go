package iamapi

import (
	"errors"
	"net/http"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
)

// serviceFailureMessage is IAM's text for ServiceFailure; the cause stays in the logs.
const serviceFailureMessage = "The request processing has failed because of an unknown error, exception or failure."

// catalogue maps each domain kind to IAM's code and status (reference §3.1).
var catalogue = map[iam.Kind]struct {
	code   string
	status int
}{
	iam.KindValidation:           {"ValidationError", http.StatusBadRequest},
	iam.KindInvalidInput:         {"InvalidInput", http.StatusBadRequest},
	iam.KindMalformedPolicy:      {"MalformedPolicyDocument", http.StatusBadRequest},
	iam.KindNoSuchEntity:         {"NoSuchEntity", http.StatusNotFound},
	iam.KindEntityAlreadyExists:  {"EntityAlreadyExists", http.StatusConflict},
	iam.KindLimitExceeded:        {"LimitExceeded", http.StatusConflict},
	iam.KindDeleteConflict:       {"DeleteConflict", http.StatusConflict},
	iam.KindAccessDenied:         {"AccessDenied", http.StatusForbidden},
	iam.KindInvalidClientTokenID: {"InvalidClientTokenId", http.StatusForbidden},
	iam.KindExpiredSession:       {"ExpiredToken", http.StatusForbidden},
	iam.KindPackedPolicyTooLarge: {"PackedPolicyTooLarge", http.StatusBadRequest},
	iam.KindIDPCommunication:     {"OpenIdIdpCommunicationError", http.StatusBadRequest},
	// The store is unreachable: IAM's own fault code, with a 503 so that every SDK and the
	// CLI retry it (they retry any 5xx; 503 also says "not now" to a human).
	iam.KindUnavailable: {"ServiceFailure", http.StatusServiceUnavailable},
}

// Error maps any error an operation (or the dispatcher, for authentication) returned to
// IAM's catalogue: an *awsquery.Error passes through as it is (decoding problems), an
// *iam.Error is looked up by kind with its Message, and anything else, or a kind IAM has no
// code for, is ServiceFailure (500, Receiver) without detail.
func Error(err error) *awsquery.Error {
	var qe *awsquery.Error
	if errors.As(err, &qe) {
		return qe
	}
	var e *iam.Error
	if errors.As(err, &e) {
		if c, ok := catalogue[e.Kind]; ok {
			return &awsquery.Error{Code: c.code, Message: e.Message, Status: c.status, Receiver: c.status >= 500}
		}
	}
	return &awsquery.Error{Code: "ServiceFailure", Message: serviceFailureMessage, Status: http.StatusInternalServerError, Receiver: true}
}

// validationError is a decoding problem in the API model's words.
func validationError(message string) *awsquery.Error {
	return &awsquery.Error{Code: "ValidationError", Message: message, Status: http.StatusBadRequest}
}
