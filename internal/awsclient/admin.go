package awsclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/inkan-dev/inkan/internal/audit"
)

// AdminService is the signing name of inkan's own API under /_inkan/.
const AdminService = "inkan"

// Decision is inkan's audit record of one decision, as GET /_inkan/v1/decisions/{id}
// returns it: who asked for what, the outcome, the one-sentence reason, the token's
// non-secret claims and the evaluator's trace (left as JSON for the caller to render).
// The wire form is the audit log's own record.
type Decision = audit.Record

// Decision fetches the audit record of the request with this id from inkan's admin API,
// signed for service "inkan". The caller must be root or allowed
// sts:DecodeAuthorizationMessage; a request id inkan never recorded is an *Error with
// Code "NotFound" and Status 404.
func (c *Client) Decision(ctx context.Context, requestID string) (*Decision, error) {
	if requestID == "" || strings.ContainsAny(requestID, "/?#") {
		return nil, fmt.Errorf("inkan:GetDecision: %q is not a request id", requestID)
	}
	return adminGet[Decision](ctx, c, "inkan:GetDecision", "/_inkan/v1/decisions/"+requestID, nil)
}

// adminGet is a signed GET of inkan's admin API whose JSON answer is a T.
func adminGet[T any](ctx context.Context, c *Client, op, path string, query url.Values) (*T, error) {
	resp, err := c.do(ctx, request{op: op, method: http.MethodGet, path: path, query: query, service: AdminService})
	if err != nil {
		return nil, err
	}
	var v T
	if err := json.Unmarshal(resp.body, &v); err != nil {
		return nil, fmt.Errorf("%s: reading the answer: %w", op, err)
	}
	return &v, nil
}

// DecisionPage is a page of the decision log as GET /_inkan/v1/decisions answers it:
// records newest first, and the before= value of the next page (0 on the last).
type DecisionPage struct {
	Decisions []Decision `json:"decisions"`
	Next      int64      `json:"next,omitempty"`
}

// Decisions lists the decision log through inkan's admin API (GET /_inkan/v1/decisions)
// with the filter in query (service, outcome, role, subject, source_ip, request_id, since,
// until, before, limit), for the same callers as Decision.
func (c *Client) Decisions(ctx context.Context, query url.Values) (*DecisionPage, error) {
	return adminGet[DecisionPage](ctx, c, "inkan:ListDecisions", "/_inkan/v1/decisions", query)
}

// RotateSealingKeys asks inkan to retire its active session-sealing key and make a new one
// (POST /_inkan/v1/sealing-keys/rotate, root only). Sessions sealed before stay valid.
func (c *Client) RotateSealingKeys(ctx context.Context) error {
	_, err := c.do(ctx, request{op: "inkan:RotateSealingKeys", method: http.MethodPost,
		path: "/_inkan/v1/sealing-keys/rotate", service: AdminService})
	return err
}

// RotateEncryptionKeys asks inkan to add a master key for the objects it encrypts at rest
// (POST /_inkan/v1/encryption-keys/rotate, root only) and returns the new key's ID. Objects
// stored before stay readable.
func (c *Client) RotateEncryptionKeys(ctx context.Context) (string, error) {
	var out struct {
		KeyID string `json:"keyId"`
	}
	resp, err := c.do(ctx, request{op: "inkan:RotateEncryptionKeys", method: http.MethodPost,
		path: "/_inkan/v1/encryption-keys/rotate", service: AdminService})
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(resp.body, &out); err != nil {
		return "", fmt.Errorf("inkan:RotateEncryptionKeys: answer: %w", err)
	}
	return out.KeyID, nil
}

// RevokeRoleSessions voids every session of the role issued until now (inkan's IAM action
// RevokeRoleSessions, AWS's "revoke older sessions") and returns the time from which
// sessions stay valid.
func (c *Client) RevokeRoleSessions(ctx context.Context, roleName string) (string, error) {
	var out struct{ SessionsValidAfter string }
	_, err := c.Query(ctx, "iam", "RevokeRoleSessions", url.Values{"RoleName": {roleName}}, &out)
	return out.SessionsValidAfter, err
}
