package oidc

import (
	"crypto/x509"
	"net"
	"net/url"
	"strings"
)

// Limits on a Provider, from IAM's CreateOpenIDConnectProvider (reference
// §3.2).
const (
	maxURLLength     = 255
	maxClientIDs     = 100
	maxClientIDLen   = 255
	maxThumbprints   = 5
	thumbprintHexLen = 40
)

// Provider is one registered OIDC issuer, the equivalent of an IAM OIDC
// provider entity. Verify reads it and never modifies or retains it, apart
// from copying its TLS settings (Thumbprints, CABundle) into the per-issuer
// HTTP client, which is rebuilt when they change.
type Provider struct {
	// URL is the issuer: the exact iss value tokens must carry, byte for
	// byte, and the base of the discovery URL. https only (http for loopback
	// hosts when insecure loopback is allowed), no query, no fragment, no
	// user info, at most 255 bytes. Unlike IAM, a port is allowed: self-hosted
	// IdPs often listen on one.
	URL string
	// ClientIDs are the accepted audiences, 1 to 100, each 1 to 255 bytes.
	ClientIDs []string
	// Thumbprints are hex SHA-1 fingerprints (40 hex digits, at most 5) of a
	// certificate in the IdP's TLS chain. As AWS has done since 2024, they are
	// consulted only when the chain does not verify against the system roots
	// plus CABundle; see tlsConfig for what exactly must match.
	Thumbprints []string
	// CABundle is optional PEM; its certificates are trusted as roots in
	// addition to the system pool, for this provider only.
	CABundle []byte
}

// Validate checks p against the rules documented on its fields. With
// allowInsecureLoopback (the server's --dev mode) an http URL is accepted when
// its host is localhost or a loopback IP. The error is an *Error of kind
// ErrProvider whose Reason names the field.
func (p Provider) Validate(allowInsecureLoopback bool) error {
	if err := checkURL(p.URL, allowInsecureLoopback); err != nil {
		return fail(ErrProvider, "url: %s", err.Error())
	}
	if n := len(p.ClientIDs); n < 1 || n > maxClientIDs {
		return fail(ErrProvider, "client ids: %d given, want 1 to %d", n, maxClientIDs)
	}
	for i, id := range p.ClientIDs {
		if id == "" || len(id) > maxClientIDLen {
			return fail(ErrProvider, "client ids[%d]: length %d, want 1 to %d", i, len(id), maxClientIDLen)
		}
	}
	if n := len(p.Thumbprints); n > maxThumbprints {
		return fail(ErrProvider, "thumbprints: %d given, at most %d", n, maxThumbprints)
	}
	for i, t := range p.Thumbprints {
		if !isThumbprint(t) {
			return fail(ErrProvider, "thumbprints[%d]: %q is not %d hex digits", i, t, thumbprintHexLen)
		}
	}
	if len(p.CABundle) > 0 && !x509.NewCertPool().AppendCertsFromPEM(p.CABundle) {
		return fail(ErrProvider, "ca bundle: no PEM certificate found")
	}
	return nil
}

func isThumbprint(t string) bool {
	if len(t) != thumbprintHexLen {
		return false
	}
	for i := 0; i < len(t); i++ {
		if !isHex(t[i]) {
			return false
		}
	}
	return true
}

// urlError is a plain reason for a refused URL; it becomes an *Error's Reason
// or cause where it is used.
type urlError string

func (e urlError) Error() string { return string(e) }

// checkURL applies the issuer URL rules. They also govern every URL inkan
// fetches for an issuer (jwks_uri, redirect targets), so that a discovery
// document cannot steer fetches to plain http.
func checkURL(raw string, allowInsecureLoopback bool) error {
	if raw == "" || len(raw) > maxURLLength {
		return urlError("length must be 1 to 255")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return urlError("does not parse")
	}
	switch {
	case u.Host == "" || u.Opaque != "":
		return urlError("has no host")
	case u.User != nil:
		return urlError("must not contain user info")
	case u.RawQuery != "" || u.ForceQuery:
		return urlError("must not contain a query")
	case strings.Contains(raw, "#"):
		return urlError("must not contain a fragment")
	case u.String() != raw:
		return urlError("is not in canonical form (escape it as url.URL.String would)")
	}
	return checkScheme(u, allowInsecureLoopback)
}

func checkScheme(u *url.URL, allowInsecureLoopback bool) error {
	switch {
	case u.Scheme == "https":
		return nil
	case u.Scheme == "http" && allowInsecureLoopback && isLoopback(u.Hostname()):
		return nil
	case u.Scheme == "http" && allowInsecureLoopback:
		return urlError("http is allowed only for loopback hosts")
	}
	return urlError("must use https")
}

// isLoopback reports whether host is localhost or a loopback IP literal. Other
// names are not resolved: what they resolve to can change.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// discoveryURL is where the provider's OpenID configuration lives (OpenID
// Connect Discovery 1.0 §4: a terminating slash is removed before appending).
func (p *Provider) discoveryURL() string {
	return strings.TrimSuffix(p.URL, "/") + "/.well-known/openid-configuration"
}
