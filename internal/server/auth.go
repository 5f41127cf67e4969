package server

import (
	"context"
	"errors"
	"net/http"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// authenticate checks the SigV4 signature of a query request and returns its caller. Errors
// are already in the query protocol's catalogue.
func (s *Server) authenticate(ctx context.Context, r *http.Request, q *awsquery.Request, svc *awsquery.Service) (*iam.Principal, *awsquery.Error) {
	a, err := sigv4.Parse(r)
	if err != nil {
		return nil, queryAuthError(err)
	}
	p, secret, err := s.o.Auth.Authenticate(ctx, a.AccessKeyID, a.SecurityToken)
	if err != nil {
		return nil, svc.Error(err)
	}
	_, err = sigv4.Verify(r, a, secret, sigv4.Options{Now: s.o.Now, Region: s.o.Region, Service: svc.Name,
		PayloadHash: sigv4.PayloadHash(q.Body)})
	if err != nil {
		return nil, queryAuthError(err)
	}
	return p, nil
}

// queryAuthError maps SigV4 failures to the codes the query services (STS, IAM) answer with.
func queryAuthError(err error) *awsquery.Error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return &awsquery.Error{Code: "InternalFailure", Message: "The request processing has failed because of an unknown error.", Status: http.StatusInternalServerError, Receiver: true}
	}
	code, status := "IncompleteSignature", http.StatusBadRequest
	switch {
	case errors.Is(err, sigv4.ErrNoAuth):
		code, status = "MissingAuthenticationToken", http.StatusForbidden
		se = &sigv4.Error{Message: "Request is missing Authentication Token"}
	case errors.Is(err, sigv4.ErrSigV2):
		code, status = "InvalidClientTokenId", http.StatusForbidden
	case errors.Is(err, sigv4.ErrSignatureMismatch), errors.Is(err, sigv4.ErrScope):
		code, status = "SignatureDoesNotMatch", http.StatusForbidden
	case errors.Is(err, sigv4.ErrRequestTimeSkewed), errors.Is(err, sigv4.ErrPresignExpired), errors.Is(err, sigv4.ErrPresignNotYetValid):
		code = "RequestExpired"
	}
	return &awsquery.Error{Code: code, Message: se.Message, Status: status}
}
