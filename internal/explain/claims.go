package explain

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/inkan-dev/inkan/internal/devidp"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/policy"
)

// maxTokenLength is STS's limit on a web identity token.
const maxTokenLength = 20000

// ErrNotDecodable is wrapped by every error of DecodeToken and ParseClaims.
var ErrNotDecodable = errors.New("explain: not a token or claim set")

// DecodeToken returns the claims of a compact JWS without verifying its signature (the
// CLI's --decode-only): never trust them beyond a simulation. Numbers keep their exact
// text (json.Number). Errors never quote the token.
func DecodeToken(token string) (map[string]any, error) {
	if len(token) > maxTokenLength {
		return nil, fmt.Errorf("%w: the token is longer than %d characters", ErrNotDecodable, maxTokenLength)
	}
	parts := strings.Split(strings.TrimSpace(token), ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: a compact JWT has 3 dot-separated parts, this has %d", ErrNotDecodable, len(parts))
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("%w: the payload is not base64url", ErrNotDecodable)
	}
	return ParseClaims(payload)
}

// ParseClaims reads a claim set: one JSON object (what a --claims file holds, or a JWT's
// payload). Numbers keep their exact text; trailing data is refused.
func ParseClaims(doc []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var claims map[string]any
	if err := dec.Decode(&claims); err != nil {
		return nil, fmt.Errorf("%w: the claims are not a JSON object: %v", ErrNotDecodable, err)
	}
	if claims == nil {
		return nil, fmt.Errorf("%w: the claims are not a JSON object", ErrNotDecodable)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the claims object", ErrNotDecodable)
	}
	return claims, nil
}

// KeyPrefix is the condition-key prefix of an issuer: its URL without scheme or trailing
// slash, lower-cased, as in token.actions.githubusercontent.com:sub.
func KeyPrefix(issuerURL string) string { return iam.ConditionKeyPrefix(issuerURL) }

// ProviderARN is the ARN IAM gives the provider of an issuer URL in account.
func ProviderARN(account, issuerURL string) string {
	host := strings.TrimPrefix(strings.TrimPrefix(issuerURL, "https://"), "http://")
	return "arn:aws:iam::" + account + ":oidc-provider/" + strings.TrimRight(host, "/")
}

// AudienceError is a token whose audience is none of the provider's client IDs: STS refuses
// it with InvalidIdentityToken "Incorrect token audience" before any policy is read.
type AudienceError struct {
	Audiences, ClientIDs []string
	AuthorizedParty      string
}

func (e *AudienceError) Error() string {
	if e.AuthorizedParty != "" {
		return fmt.Sprintf("the token's azp %q is none of the provider's client IDs %s (InvalidIdentityToken: Incorrect token audience)",
			e.AuthorizedParty, quoteList(e.ClientIDs))
	}
	return fmt.Sprintf("the token's aud %s holds none of the provider's client IDs %s (InvalidIdentityToken: Incorrect token audience)",
		quoteList(e.Audiences), quoteList(e.ClientIDs))
}

// Audience returns the client ID a token is accepted for, by internal/oidc's rule: azp when
// the token has one (it must be a client ID), else the first element of aud that is one.
func Audience(claims map[string]any, clientIDs []string) (string, error) {
	auds, _ := iam.ClaimValues(claims["aud"])
	if azp, ok := claims["azp"].(string); ok {
		if slices.Contains(clientIDs, azp) {
			return azp, nil
		}
		return "", &AudienceError{Audiences: auds, ClientIDs: clientIDs, AuthorizedParty: azp}
	}
	for _, a := range auds {
		if slices.Contains(clientIDs, a) {
			return a, nil
		}
	}
	return "", &AudienceError{Audiences: auds, ClientIDs: clientIDs}
}

// ClaimKeys adds a token's claims to k as trust-policy condition keys "<prefix>:<claim>", as
// AssumeRoleWithWebIdentity does: every string, number, boolean or string-list claim, with
// the aud key holding the client ID that matched (audience).
func ClaimKeys(k policy.Keys, prefix string, claims map[string]any, audience string) {
	for name, v := range claims {
		if vals, ok := iam.ClaimValues(v); ok {
			k[prefix+":"+strings.ToLower(name)] = vals
		}
	}
	k[prefix+":aud"] = []string{audience}
}

// JobClaims returns the claims the test identity provider (internal/devidp) would put in a
// token for job, issued by issuer for audience: iss, sub by GitHub's rules, aud, and every
// custom claim of the completed job. Times and jti are left out: no policy reads them.
func JobClaims(job devidp.JobContext, issuer, audience string) (map[string]any, error) {
	sub, err := job.Subject()
	if err != nil {
		return nil, err
	}
	completed, err := job.Job.Complete()
	if err != nil {
		return nil, err
	}
	completed.RepoProperties = nil
	raw, err := json.Marshal(completed)
	if err != nil {
		return nil, fmt.Errorf("explain: job claims: %w", err)
	}
	claims, err := ParseClaims(raw)
	if err != nil {
		return nil, err
	}
	claims["iss"], claims["sub"], claims["aud"] = issuer, sub, audience
	return claims, nil
}

// SessionClaimKeys are the claim keys a web identity session keeps for its later requests,
// as AWS documents: aud (the client ID that matched), sub and amr.
func SessionClaimKeys(issuerURL string, claims map[string]any, clientIDs []string) policy.Keys {
	all := policy.Keys{}
	aud, _ := Audience(claims, clientIDs)
	prefix := KeyPrefix(issuerURL)
	ClaimKeys(all, prefix, claims, aud)
	kept := policy.Keys{}
	for _, c := range [...]string{"aud", "sub", "amr"} {
		if v, ok := all[prefix+":"+c]; ok {
			kept[prefix+":"+c] = v
		}
	}
	return kept
}

// IssuerURL completes an issuer written without scheme, as IAM writes it in provider ARNs
// and GetOpenIDConnectProvider answers: http for loopback hosts (the test identity provider
// of `inkan serve --dev`), https for every other. A URL with a scheme is returned as is.
func IssuerURL(hostPath string) string {
	if strings.Contains(hostPath, "://") {
		return hostPath
	}
	host, _, _ := strings.Cut(hostPath, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip, err := netip.ParseAddr(strings.Trim(host, "[]"))
	if host == "localhost" || err == nil && ip.IsLoopback() {
		return "http://" + hostPath
	}
	return "https://" + hostPath
}
