package oidc

import (
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strings"
)

// trustError is returned from the TLS handshake when the IdP's certificate is
// not trusted; fetch errors wrapping it become ErrThumbprint.
type trustError struct{ reason string }

func (e *trustError) Error() string { return "tls: " + e.reason }

// transportFor layers p's TLS rules on the base transport. See
// Options.HTTPClient for what happens with other RoundTrippers.
func transportFor(base http.RoundTripper, p *Provider) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	t, ok := base.(*http.Transport)
	if !ok {
		return base
	}
	t = t.Clone()
	t.TLSClientConfig = tlsConfig(t.TLSClientConfig, p)
	return t
}

// tlsConfig returns a copy of base that verifies the server as AWS has since
// 2024 (reference §2 item 4): first the ordinary way, against the roots
// (base.RootCAs, or the system pool when nil) plus p.CABundle, with the host
// name checked. Only if that fails are p.Thumbprints consulted: a thumbprint
// is accepted when it is the SHA-1 of a certificate the server presented
// (AWS pins the top intermediate; a self-signed server's own certificate
// works too) and the server's leaf chains to that certificate with a matching
// host name. A presented certificate that merely matches, without the chain,
// is refused: certificates are public, so presenting one proves nothing.
func tlsConfig(base *tls.Config, p *Provider) *tls.Config {
	var cfg *tls.Config
	if base != nil {
		cfg = base.Clone()
	} else {
		cfg = &tls.Config{}
	}
	roots := cfg.RootCAs
	if len(p.CABundle) > 0 {
		roots = withBundle(roots, p.CABundle)
	}
	thumbprints := make([]string, len(p.Thumbprints))
	for i, t := range p.Thumbprints {
		thumbprints[i] = strings.ToLower(t)
	}
	// Verification moves into VerifyConnection, which sees every handshake
	// including resumed ones; InsecureSkipVerify only disables the built-in
	// check that it replaces.
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		return verifyPeer(cs, roots, thumbprints)
	}
	return cfg
}

// withBundle returns a pool holding roots (the system pool when nil) and the
// bundle's certificates. Validate has already checked the bundle parses.
func withBundle(roots *x509.CertPool, bundle []byte) *x509.CertPool {
	if roots != nil {
		roots = roots.Clone()
	} else if sys, err := x509.SystemCertPool(); err == nil {
		roots = sys
	} else {
		roots = x509.NewCertPool()
	}
	roots.AppendCertsFromPEM(bundle)
	return roots
}

func verifyPeer(cs tls.ConnectionState, roots *x509.CertPool, thumbprints []string) error {
	if len(cs.PeerCertificates) == 0 {
		return &trustError{"server presented no certificate"}
	}
	leaf := cs.PeerCertificates[0]
	inter := x509.NewCertPool()
	for _, c := range cs.PeerCertificates[1:] {
		inter.AddCert(c)
	}
	opts := x509.VerifyOptions{Roots: roots, DNSName: cs.ServerName, Intermediates: inter}
	_, chainErr := leaf.Verify(opts)
	if chainErr == nil {
		return nil
	}
	if len(thumbprints) == 0 {
		return &trustError{"certificate does not chain to a trusted root and the provider has no thumbprints: " + chainErr.Error()}
	}
	for _, c := range cs.PeerCertificates {
		sum := sha1.Sum(c.Raw)
		if !slices.Contains(thumbprints, hex.EncodeToString(sum[:])) {
			continue
		}
		pinned := x509.NewCertPool()
		pinned.AddCert(c)
		opts.Roots = pinned
		if _, err := leaf.Verify(opts); err == nil {
			return nil
		}
	}
	return &trustError{"certificate does not chain to a trusted root and matches no configured thumbprint"}
}

// isTrustError reports whether err comes from certificate verification,
// inkan's or the standard library's.
func isTrustError(err error) bool {
	var te *trustError
	var ce *tls.CertificateVerificationError
	return errors.As(err, &te) || errors.As(err, &ce)
}
