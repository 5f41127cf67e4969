package iam

import (
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/session"
	"github.com/inkan-dev/inkan/internal/store"
)

// SessionKeys are the global condition keys of every request a role session makes
// (reference §5.3): the role as aws:PrincipalArn, the account, aws:userid, the principal type,
// the token issue time, the federated provider and source identity when set, the principal
// tags (the role's, overridden by the session's of the same key), and the token claims the
// session kept. Authorize builds every session request with it, and so does the simulator
// of internal/explain, so that a simulation and a decision see the same keys.
func SessionKeys(account string, c *session.Claims, roleTags []store.Tag) policy.Keys {
	keys := policy.Keys{
		"aws:principalarn":           {c.RoleARN},
		"aws:principalaccount":       {account},
		"aws:userid":                 {c.RoleID + ":" + c.SessionName},
		"aws:principaltype":          {"AssumedRole"},
		"aws:multifactorauthpresent": {"false"},
	}
	if !c.Issued.IsZero() {
		keys["aws:tokenissuetime"] = []string{c.Issued.UTC().Format(time.RFC3339)}
	}
	if c.Provider != "" {
		keys["aws:federatedprovider"] = []string{c.Provider}
	}
	if c.SourceIdentity != "" {
		keys["aws:sourceidentity"] = []string{c.SourceIdentity}
	}
	for _, t := range roleTags {
		keys["aws:principaltag/"+strings.ToLower(t.Key)] = []string{t.Value}
	}
	for _, t := range c.Tags {
		keys["aws:principaltag/"+strings.ToLower(t.Key)] = []string{t.Value}
	}
	for k, v := range c.Federated {
		keys[k] = v
	}
	return keys
}
