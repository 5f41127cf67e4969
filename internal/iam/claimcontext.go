package iam

import (
	"strings"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/policy"
)

// claimContext is the condition-key context of an AssumeRoleWithWebIdentity: the request's
// own keys, and the token's claims as "<issuer>:<claim>". Claims are looked up when a
// condition asks for them instead of being copied into a map for every exchange.
//
// AWS exposes aud, sub, azp, amr and (since 2026) selected provider claims; inkan exposes
// every string, number, boolean or string-list claim, so any claim can be tested at assume
// time. The aud key holds the client ID that matched.
type claimContext struct {
	keys   policy.Keys // the request's keys, lower-cased
	prefix string      // "<issuer>:" lower-cased
	tok    *oidc.Token
}

func newClaimContext(keys policy.Keys, keyPrefix string, tok *oidc.Token) *claimContext {
	return &claimContext{keys: keys, prefix: keyPrefix + ":", tok: tok}
}

// Values implements policy.Context.
func (c *claimContext) Values(key string) ([]string, bool) {
	claim, ok := strings.CutPrefix(key, c.prefix)
	if !ok {
		return c.keys.Values(key)
	}
	switch claim {
	case "aud":
		return []string{c.tok.Audience}, true
	case "sub":
		return []string{c.tok.Subject}, true
	}
	if v, found := c.tok.Claims[claim]; found {
		return ClaimValues(v)
	}
	// Condition keys arrive lower-cased; claim names are case-sensitive in JSON.
	for name, v := range c.tok.Claims {
		if strings.EqualFold(name, claim) {
			return ClaimValues(v)
		}
	}
	return nil, false
}

// with returns a context that also holds extra keys (those of sts:TagSession or
// sts:SetSourceIdentity), leaving c unchanged.
func (c *claimContext) with(extra policy.Keys) *claimContext {
	keys := make(policy.Keys, len(c.keys)+len(extra))
	for k, v := range c.keys {
		keys[k] = v
	}
	for k, v := range extra {
		keys[k] = v
	}
	return &claimContext{keys: keys, prefix: c.prefix, tok: c.tok}
}
