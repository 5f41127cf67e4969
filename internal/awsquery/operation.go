package awsquery

import (
	"context"
	"net/netip"
)

// Call is one decoded query request, authenticated by the dispatcher when its operation is
// signed. Caller is whatever the dispatcher's authenticator returned (an *iam.Principal), nil
// for unsigned operations.
type Call struct {
	*Request
	Caller    any
	RequestID string
	SourceIP  netip.Addr
	// Secure reports whether the request came over TLS.
	Secure bool
}

// Operation is one action of a query service.
type Operation struct {
	// Unsigned operations (AssumeRoleWithWebIdentity) are called without authentication; any
	// Authorization header they carry is ignored, as AWS ignores it.
	Unsigned bool
	// Run performs the action and returns the value rendered inside <ActionResult>, or nil for
	// an action without output.
	Run func(ctx context.Context, c *Call) (any, error)
}

// Service is one query service (STS, IAM): its actions, its XML namespace and its error
// catalogue.
type Service struct {
	Name       string // signing name: "sts", "iam"
	Namespace  string
	Operations map[string]Operation
	// Error maps any error an operation returned to the service's catalogue.
	Error func(err error) *Error
}
