package iam

import (
	"errors"
	"fmt"

	"github.com/inkan-dev/inkan/internal/policy"
)

// Kind classifies a domain error; each wire package maps kinds to its protocol's codes.
type Kind int

// The kinds of error the domain returns.
const (
	KindAccessDenied         Kind = iota + 1 // the policies do not allow the request
	KindValidation                           // a parameter breaks a documented constraint
	KindMalformedPolicy                      // a policy document does not parse or is refused
	KindPackedPolicyTooLarge                 // session policies and tags exceed the packed limit
	KindNoSuchEntity                         // a named provider, role or policy does not exist
	KindEntityAlreadyExists                  // the name or URL is taken
	KindLimitExceeded                        // a quota (count or size) would be exceeded
	KindDeleteConflict                       // the entity is still in use
	KindInvalidIdentityToken                 // the web identity token is not acceptable
	KindExpiredIdentityToken                 // the web identity token has expired
	KindIDPCommunication                     // the issuer's keys could not be retrieved
	KindInvalidClientTokenID                 // the access key or session token is not ours
	KindExpiredSession                       // the session's credentials have expired
	KindServiceFailure                       // our fault
	// KindInvalidInput is IAM's InvalidInput: well-formed but not acceptable (STS says
	// ValidationError for the same class).
	KindInvalidInput
	// KindUnavailable: the store could not be reached (store.ErrUnavailable), so nothing
	// was read or written; the caller may retry. Every wire answers it with a 503.
	KindUnavailable
)

// Error is the domain's error. Message is what AWS would tell the caller; Reason is inkan's
// one-sentence explanation for operators (and for callers in --dev); neither ever holds a
// token, signature or secret.
type Error struct {
	Kind    Kind
	Message string
	Reason  string
	// Trace is the evaluator's trace for policy denials, nil otherwise.
	Trace *policy.Trace
	// Claims are the presented token's non-secret claims, and Provider the ARN of the OIDC
	// provider that verified it, for explanations and audit records.
	Claims   map[string]any
	Provider string
	// Err is the underlying cause, if any.
	Err error
}

func (e *Error) Error() string {
	if e.Reason != "" && e.Reason != e.Message {
		return e.Message + " (" + e.Reason + ")"
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the kind of err, or KindServiceFailure for errors that are not *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindServiceFailure
}

func errorf(kind Kind, format string, a ...any) *Error {
	msg := fmt.Sprintf(format, a...)
	return &Error{Kind: kind, Message: msg, Reason: msg}
}

// validation returns the AWS-style message for one parameter constraint.
func validation(value, field, constraint string) *Error {
	return errorf(KindValidation, "1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, field, constraint)
}
