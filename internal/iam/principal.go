package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/inkan-dev/inkan/internal/session"
)

// Principal is an authenticated caller: the root administrator or a role session.
type Principal struct {
	Root bool
	// ARN is arn:aws:iam::<acct>:root or arn:aws:sts::<acct>:assumed-role/<role>/<session>.
	ARN string
	// UserID is the account id for root, <role id>:<session name> for a session.
	UserID  string
	Account string
	// Session holds the session's sealed claims; nil for root.
	Session *session.Claims
}

// Authenticate resolves the credentials a request was signed with. It returns the principal
// and the secret key the caller must check the signature with; the signature check itself
// belongs to the wire layer. Errors: KindInvalidClientTokenID for an unknown key or a session
// token that does not open or does not belong to the key; KindExpiredSession for an expired
// session. Revocation and deleted roles are decided by Authorize, as AWS does, with a denial.
func (s *Service) Authenticate(_ context.Context, accessKeyID, securityToken string) (*Principal, string, error) {
	if securityToken == "" {
		if s.isRoot(accessKeyID) {
			return &Principal{Root: true, ARN: s.rootARN(), UserID: s.opt.Account, Account: s.opt.Account}, s.opt.RootSecretAccessKey, nil
		}
		return nil, "", invalidClientToken("access key " + accessKeyID + " is not the root key and came without a session token")
	}
	if !strings.HasPrefix(accessKeyID, "ASIA") {
		return nil, "", invalidClientToken("a session token came with access key " + accessKeyID + ", which is not a temporary key")
	}
	c, err := s.ring.Open(securityToken)
	if err != nil {
		if errors.Is(err, session.ErrInvalid) {
			return nil, "", invalidClientToken("the session token does not open with any sealing key (altered, truncated, or sealed by a removed key)")
		}
		return nil, "", err
	}
	if !c.Match(accessKeyID) {
		return nil, "", invalidClientToken("the session token belongs to another access key")
	}
	if !s.opt.Now().Before(c.Expires) {
		return nil, "", &Error{Kind: KindExpiredSession, Message: "The security token included in the request is expired",
			Reason: "the session expired at " + c.Expires.UTC().Format("2006-01-02T15:04:05Z")}
	}
	return sessionPrincipal(s.opt.Account, c), c.SecretAccessKey, nil
}

func invalidClientToken(reason string) *Error {
	return &Error{Kind: KindInvalidClientTokenID, Message: "The security token included in the request is invalid.", Reason: reason}
}

func sessionPrincipal(account string, c *session.Claims) *Principal {
	return &Principal{
		ARN:     assumedRoleARN(account, c.RoleARN, c.SessionName),
		UserID:  c.RoleID + ":" + c.SessionName,
		Account: account,
		Session: c,
	}
}

// assumedRoleARN drops the role's path, as STS does.
func assumedRoleARN(account, roleARN, sessionName string) string {
	name := roleARN[strings.LastIndexByte(roleARN, '/')+1:]
	return "arn:aws:sts::" + account + ":assumed-role/" + name + "/" + sessionName
}

// CallerIdentity is the answer of GetCallerIdentity.
type CallerIdentity struct{ UserID, Account, ARN string }

// GetCallerIdentity needs no permission, as in AWS.
func (s *Service) GetCallerIdentity(p *Principal) CallerIdentity {
	s.observe("sts:GetCallerIdentity", "allow")
	return CallerIdentity{UserID: p.UserID, Account: p.Account, ARN: p.ARN}
}
