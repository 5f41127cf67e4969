package sts

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
)

// decodeAuthorizationMessage answers STS DecodeAuthorizationMessage. inkan's "encoded
// authorization message" is the request id of the denied request, which every denial carries;
// the decoded message is the audit record of that decision (its trace and reason) as JSON.
// The caller needs sts:DecodeAuthorizationMessage, as in AWS.
func (h handlers) decodeAuthorizationMessage(ctx context.Context, c *awsquery.Call) (any, error) {
	p := c.Caller.(*iam.Principal)
	if err := h.svc.Authorize(ctx, p, &iam.AccessRequest{Action: "sts:DecodeAuthorizationMessage", Resource: "*"}); err != nil {
		return nil, err
	}
	id := c.Params.Get("EncodedMessage")
	if id == "" {
		return nil, missing("encodedMessage")
	}
	if h.audit == nil {
		return nil, &iam.Error{Kind: iam.KindValidation, Message: "The audit log is not available on this server."}
	}
	rec, err := h.audit.Find(ctx, id)
	if errors.Is(err, audit.ErrNotFound) {
		return nil, &iam.Error{Kind: iam.KindValidation, Message: "The encoded message " + id + " is not the request id of a recorded decision."}
	}
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	return &decodedMessageResult{DecodedMessage: string(out)}, nil
}
