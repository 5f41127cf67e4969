package awsclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// AdminService is the signing name of inkan's own API under /_inkan/.
const AdminService = "inkan"

// Decision is inkan's audit record of one decision, as GET /_inkan/v1/decisions/{id}
// returns it: who asked for what, the outcome, the one-sentence reason, the token's
// non-secret claims and the evaluator's trace (left as JSON for the caller to render).
// It mirrors the wire form of internal/audit.Record on purpose: a client knows the API,
// not the server's packages.
type Decision struct {
	Time      time.Time       `json:"time"`
	RequestID string          `json:"request_id"`
	Service   string          `json:"service"`
	Action    string          `json:"action"`
	Caller    string          `json:"caller,omitempty"`
	Role      string          `json:"role,omitempty"`
	Provider  string          `json:"provider,omitempty"`
	Subject   string          `json:"subject,omitempty"`
	Audience  string          `json:"audience,omitempty"`
	Resource  string          `json:"resource,omitempty"`
	SourceIP  string          `json:"source_ip,omitempty"`
	Outcome   string          `json:"outcome"` // allow, deny, error
	Code      string          `json:"code,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Claims    map[string]any  `json:"claims,omitempty"`
	Trace     json.RawMessage `json:"trace,omitempty"`
}

// Decision fetches the audit record of the request with this id from inkan's admin API,
// signed for service "inkan". The caller must be root or allowed
// sts:DecodeAuthorizationMessage; a request id inkan never recorded is an *Error with
// Code "NotFound" and Status 404.
func (c *Client) Decision(ctx context.Context, requestID string) (*Decision, error) {
	if requestID == "" || strings.ContainsAny(requestID, "/?#") {
		return nil, fmt.Errorf("inkan:GetDecision: %q is not a request id", requestID)
	}
	resp, err := c.do(ctx, request{op: "inkan:GetDecision", method: http.MethodGet,
		path: "/_inkan/v1/decisions/" + requestID, service: AdminService})
	if err != nil {
		return nil, err
	}
	var d Decision
	if err := json.Unmarshal(resp.body, &d); err != nil {
		return nil, fmt.Errorf("inkan:GetDecision: reading the answer: %w", err)
	}
	return &d, nil
}
