package oidc

import (
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// maxEpoch is 9999-12-31T23:59:59Z; larger time claims are refused so that
// time arithmetic cannot overflow.
const maxEpoch = 253402300799

// Token is a verified web identity token.
type Token struct {
	// Issuer is iss, equal to the Provider URL.
	Issuer string
	// Subject is sub, never empty.
	Subject string
	// Audience is the client ID that matched: azp when the token has one,
	// otherwise the first element of aud that is a client ID. It is what
	// STS returns as Audience and what the "<provider>:aud" condition key
	// holds (reference §2 item 5).
	Audience string
	// Audiences is aud as a list (a string aud becomes one element).
	Audiences []string
	// AuthorizedParty is azp, "" when absent.
	AuthorizedParty string
	// IssuedAt and NotBefore are zero when the claim is absent.
	IssuedAt, NotBefore, Expiry time.Time
	// Claims holds every claim, for trust-policy condition keys and session
	// tags. Values are as encoding/json decodes them with UseNumber:
	// string, json.Number (the exact number text), bool, nil, []any and
	// map[string]any. The map is the caller's; Verify keeps no reference.
	Claims map[string]any
}

// checkClaims applies the claim rules after the signature has been verified
// (iss was compared before keys were fetched). Audience is checked before
// time: a wrong audience is a configuration error that a fresh token will
// not fix, so it should be what the caller hears about.
func checkClaims(c map[string]any, p *Provider, now time.Time, leeway time.Duration) (*Token, error) {
	t := &Token{Issuer: p.URL, Claims: c}
	var err error
	if t.Subject, err = requiredString(c, "sub"); err != nil {
		return nil, err
	}
	if err := checkAudience(t, c, p.ClientIDs); err != nil {
		return nil, err
	}
	if err := readTimes(t, c); err != nil {
		return nil, err
	}
	return t, checkTimes(t, now, leeway)
}

func requiredString(c map[string]any, name string) (string, error) {
	s, ok := c[name].(string)
	if !ok || s == "" {
		return "", fail(ErrInvalid, "claim %s is missing or not a non-empty string", name)
	}
	return s, nil
}

// checkAudience implements inkan's audience rule.
//
// aud must be present: a string, or a non-empty array of strings. Then:
//   - without azp, some element of aud must be one of the client IDs;
//   - with azp (it must be a string), azp itself must be one of the client
//     IDs, and aud need not contain one.
//
// The reference (§2 item 5) leaves AWS's rule UNCONFIRMED but records that
// for Google AWS treats azp as the audience when present (aud moves to oaud),
// and that an Azure AD v2 token whose aud was registered but whose azp was
// not was refused with "Incorrect token audience". Letting azp decide when
// present fits both observations: the client the IdP issued the token to is
// the one that must be registered. Audience reports the value that decided.
func checkAudience(t *Token, c map[string]any, clientIDs []string) error {
	auds, err := audienceList(c["aud"])
	if err != nil {
		return err
	}
	t.Audiences = auds
	if v, present := c["azp"]; present {
		azp, ok := v.(string)
		if !ok {
			return fail(ErrAudience, "azp is not a string")
		}
		t.AuthorizedParty = azp
		if !slices.Contains(clientIDs, azp) {
			return fail(ErrAudience, "azp %s is not a client ID of the provider", excerpt(azp))
		}
		t.Audience = azp
		return nil
	}
	for _, a := range auds {
		if slices.Contains(clientIDs, a) {
			t.Audience = a
			return nil
		}
	}
	return fail(ErrAudience, "no aud value is a client ID of the provider")
}

func audienceList(v any) ([]string, error) {
	switch v := v.(type) {
	case string:
		return []string{v}, nil
	case []any:
		if len(v) == 0 {
			return nil, fail(ErrAudience, "aud is an empty array")
		}
		out := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fail(ErrAudience, "aud[%d] is not a string", i)
			}
			out[i] = s
		}
		return out, nil
	case nil:
		return nil, fail(ErrAudience, "aud is missing")
	}
	return nil, fail(ErrAudience, "aud is neither a string nor an array of strings")
}

// readTimes reads exp (required), nbf and iat (optional). STS requires
// integer timestamps (reference §1.2), so 1.5e9, 1500000000.0 and "1500000000"
// are all refused.
func readTimes(t *Token, c map[string]any) error {
	var err error
	var present bool
	if t.Expiry, present, err = epochClaim(c, "exp"); err != nil {
		return err
	} else if !present {
		return fail(ErrInvalid, "claim exp is missing")
	}
	if t.NotBefore, _, err = epochClaim(c, "nbf"); err != nil {
		return err
	}
	t.IssuedAt, _, err = epochClaim(c, "iat")
	return err
}

func epochClaim(c map[string]any, name string) (time.Time, bool, error) {
	v, present := c[name]
	if !present {
		return time.Time{}, false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, true, fail(ErrInvalid, "claim %s is not a number", name)
	}
	if !isIntegerText(string(n)) {
		return time.Time{}, true, fail(ErrInvalid, "claim %s is not an integer", name)
	}
	secs, err := strconv.ParseInt(string(n), 10, 64)
	if err != nil || secs > maxEpoch || secs < -maxEpoch {
		return time.Time{}, true, fail(ErrInvalid, "claim %s is out of range", name)
	}
	return time.Unix(secs, 0).UTC(), true, nil
}

func isIntegerText(s string) bool {
	if len(s) > 0 && s[0] == '-' {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// checkTimes applies exp with leeway (RFC 7519 §4.1.4: now must be before
// exp; AWS adds five minutes), and refuses nbf or iat further in the future
// than the leeway. GitHub's nbf lies ten minutes before iat, which is fine.
// AWS also refuses tokens whose iat is "too old", with an undocumented limit;
// inkan has no such limit, exp already bounds a token's life.
func checkTimes(t *Token, now time.Time, leeway time.Duration) error {
	if !now.Before(t.Expiry.Add(leeway)) {
		return &Error{
			Kind:   ErrExpired,
			Reason: "exp " + t.Expiry.Format(time.RFC3339) + " plus leeway " + leeway.String() + " has passed",
			Now:    now.Unix(),
			Expiry: t.Expiry.Unix(),
		}
	}
	horizon := now.Add(leeway)
	if !t.NotBefore.IsZero() && t.NotBefore.After(horizon) {
		return fail(ErrNotYetValid, "nbf %s is more than %s ahead", t.NotBefore.Format(time.RFC3339), leeway)
	}
	if !t.IssuedAt.IsZero() && t.IssuedAt.After(horizon) {
		return fail(ErrNotYetValid, "iat %s is more than %s ahead", t.IssuedAt.Format(time.RFC3339), leeway)
	}
	return nil
}
