package oidc

import "fmt"

// Kind classifies why a token was refused. A Kind is itself an error, so the
// constants below are the package's sentinels:
//
//	errors.Is(err, oidc.ErrExpired)
//
// matches any *Error whose Kind is ErrExpired. The STS layer maps each Kind to
// AWS's error code and message once (reference §1.4); the suggested mapping is
// given on each constant.
type Kind int

// The kinds of refusal. Their numeric values are not stable; compare with the
// named constants.
const (
	// ErrNotJWT: not a compact JWS (wrong segment count, a JWE, bad base64,
	// malformed or duplicate-key JSON). AWS: InvalidIdentityToken, "The ID
	// Token provided is not a valid JWT. (You may see this error if you sent an
	// Access Token)".
	ErrNotJWT Kind = iota + 1
	// ErrTooLong: longer than MaxTokenLength. AWS rejects this during request
	// validation: ValidationError on webIdentityToken.
	ErrTooLong
	// ErrAlgorithm: alg is none, HS*, or otherwise not in the accepted set.
	// AWS: InvalidIdentityToken.
	ErrAlgorithm
	// ErrIssuer: iss is missing or not byte-for-byte the provider URL. AWS:
	// InvalidIdentityToken, "No OpenIDConnect provider found in your account
	// for <iss>".
	ErrIssuer
	// ErrSignature: no key in the issuer's JWKS fits the token (unknown kid
	// after the permitted refresh, ambiguous kid-less token), or the signature
	// does not verify. AWS: InvalidIdentityToken.
	ErrSignature
	// ErrAudience: no accepted client ID in aud (or azp, see checkAudience).
	// AWS: InvalidIdentityToken, "Incorrect token audience".
	ErrAudience
	// ErrExpired: now is not before exp plus the leeway. Error.Now and
	// Error.Expiry carry the epoch seconds for AWS's message. AWS:
	// ExpiredTokenException, "Token expired: current date/time <now> must be
	// before the expiration date/time <exp>".
	ErrExpired
	// ErrNotYetValid: nbf or iat lies further in the future than the leeway.
	// AWS: InvalidIdentityToken.
	ErrNotYetValid
	// ErrInvalid: a header or claim is present but unacceptable (exp missing
	// or not an integer, sub missing, unknown crit, nested JWT). AWS:
	// InvalidIdentityToken.
	ErrInvalid
	// ErrKeysUnavailable: discovery or JWKS could not be fetched or used and
	// no last-known-good keys younger than MaxStale exist. AWS: the issue asks
	// for IDPCommunicationError; AWS's own text for this case is "Couldn't
	// retrieve verification key from your identity provider,  please reference
	// AssumeRoleWithWebIdentity documentation for requirements" (double space).
	ErrKeysUnavailable
	// ErrThumbprint: the IdP's TLS certificate chains to no trusted root and
	// matches no configured thumbprint. AWS: InvalidIdentityToken,
	// "OpenIDConnect provider's HTTPS certificate doesn't match configured
	// thumbprint".
	ErrThumbprint
	// ErrProvider: the Provider passed to Verify fails Validate. This is a
	// server-side fault, not the caller's.
	ErrProvider
)

var kindNames = [...]string{
	ErrNotJWT:          "not a JWT",
	ErrTooLong:         "token too long",
	ErrAlgorithm:       "unsupported algorithm",
	ErrIssuer:          "wrong issuer",
	ErrSignature:       "bad signature",
	ErrAudience:        "incorrect audience",
	ErrExpired:         "token expired",
	ErrNotYetValid:     "token not yet valid",
	ErrInvalid:         "invalid token",
	ErrKeysUnavailable: "verification keys unavailable",
	ErrThumbprint:      "certificate matches no thumbprint",
	ErrProvider:        "invalid provider",
}

// String returns a short lower-case name for the kind.
func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("oidc.Kind(%d)", int(k))
}

// Error makes a Kind usable as a sentinel with errors.Is.
func (k Kind) Error() string { return "oidc: " + k.String() }

// Error is the only error type Verify, Issuer and Provider.Validate return.
// Reason is precise and meant for inkan's own explanations and logs; it never
// contains the token, a signature or key material, only bounded and quoted
// excerpts of attacker-chosen header values such as kid.
type Error struct {
	Kind   Kind
	Reason string
	// Now and Expiry are set for ErrExpired only: epoch seconds, as AWS
	// prints them.
	Now, Expiry int64
	// Err is the underlying cause (network, TLS, parse), if any.
	Err error
}

// Error returns the kind and the reason.
func (e *Error) Error() string {
	return "oidc: " + e.Kind.String() + ": " + e.Reason
}

// Unwrap returns the underlying cause, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the Kind of e, so errors.Is(err, ErrAudience)
// works without a type assertion.
func (e *Error) Is(target error) bool {
	k, ok := target.(Kind)
	return ok && k == e.Kind
}

// fail builds an *Error with a formatted reason.
func fail(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Reason: fmt.Sprintf(format, args...)}
}

// excerpt quotes an attacker-controlled string for a Reason, bounded so that
// hostile input cannot flood logs.
func excerpt(s string) string {
	const max = 64
	if len(s) > max {
		return fmt.Sprintf("%q…(%d bytes)", s[:max], len(s))
	}
	return fmt.Sprintf("%q", s)
}
