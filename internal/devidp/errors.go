package devidp

import (
	"errors"
	"fmt"
)

// Errors callers test with errors.Is. The handler maps each to one HTTP status (see
// errorCatalogue in handler.go); messages never carry a token, a signature or a secret.
var (
	// ErrInvalidRequest reports a job context or token request that cannot be minted:
	// a malformed repository, an unknown sub template key, a bad audience... The
	// concrete error is a *FieldError naming the field.
	ErrInvalidRequest = errors.New("devidp: invalid token request")

	// ErrRequestTokenMissing reports a runner token request without a bearer token.
	ErrRequestTokenMissing = errors.New("devidp: missing request token")

	// ErrRequestTokenInvalid reports a request token that is malformed, was signed
	// with another secret, was altered, or was issued for another issuer.
	ErrRequestTokenInvalid = errors.New("devidp: invalid request token")

	// ErrRequestTokenExpired reports a well-signed request token past its expiry.
	ErrRequestTokenExpired = errors.New("devidp: request token expired")
)

// FieldError says which field of a job context or token request is wrong and why.
// errors.Is(err, ErrInvalidRequest) holds for every FieldError.
type FieldError struct {
	Field   string // JSON name of the field, e.g. "repository" or "include_claim_keys"
	Problem string // what is wrong, in lower case, quoting user values with %q
}

// Error implements error.
func (e *FieldError) Error() string {
	return fmt.Sprintf("devidp: %s: %s", e.Field, e.Problem)
}

// Is makes every FieldError match ErrInvalidRequest.
func (e *FieldError) Is(target error) bool { return target == ErrInvalidRequest }

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)}
}
