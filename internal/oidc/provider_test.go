package oidc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/oidc"
)

func TestProviderValidate(t *testing.T) {
	ok := oidc.Provider{URL: "https://token.actions.githubusercontent.com", ClientIDs: []string{"sts.amazonaws.com"}}
	with := func(f func(*oidc.Provider)) oidc.Provider {
		p := ok
		p.ClientIDs = append([]string(nil), ok.ClientIDs...)
		f(&p)
		return p
	}
	url := func(u string) oidc.Provider { return with(func(p *oidc.Provider) { p.URL = u }) }
	ids := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = strings.Repeat("c", i+1)
		}
		return out
	}
	for _, c := range []struct {
		name     string
		p        oidc.Provider
		dev      bool
		wantFail string // a word the reason must contain, or "" for valid
	}{
		{"GitHub's issuer is valid", ok, false, ""},
		{"a path, such as GHEC's enterprise issuer, is valid", url("https://token.actions.githubusercontent.com/octo-corp"), false, ""},
		{"a port is valid", url("https://idp.example.com:8443/realms/ci"), false, ""},
		{"a trailing slash is kept and valid", url("https://example.com/"), false, ""},
		{"plain http is refused", url("http://example.com"), false, "https"},
		{"plain http to a public host is refused even in dev mode", url("http://example.com"), true, "loopback"},
		{"plain http to localhost is valid in dev mode", url("http://localhost:8080"), true, ""},
		{"plain http to 127.0.0.1 is valid in dev mode", url("http://127.0.0.1:8080/dev"), true, ""},
		{"plain http to [::1] is valid in dev mode", url("http://[::1]:8080"), true, ""},
		{"plain http to loopback is refused outside dev mode", url("http://127.0.0.1:8080"), false, "https"},
		{"an upper-case scheme is refused", url("HTTPS://example.com"), false, "canonical"},
		{"a query is refused", url("https://example.com/?a=b"), false, "query"},
		{"an empty query is refused", url("https://example.com/?"), false, "query"},
		{"a fragment is refused", url("https://example.com/#x"), false, "fragment"},
		{"user info is refused", url("https://u:p@example.com"), false, "user"},
		{"a space is refused", url("https://example.com/a b"), false, "canonical"},
		{"no host is refused", url("https:///path"), false, "host"},
		{"an empty URL is refused", url(""), false, "length"},
		{"a URL of 256 bytes is refused", url("https://example.com/" + strings.Repeat("a", 256-20)), false, "length"},
		{"a URL of 255 bytes is valid", url("https://example.com/" + strings.Repeat("a", 255-20)), false, ""},
		{"no client ID is refused", with(func(p *oidc.Provider) { p.ClientIDs = nil }), false, "client"},
		{"100 client IDs are valid", with(func(p *oidc.Provider) { p.ClientIDs = ids(100) }), false, ""},
		{"101 client IDs are refused", with(func(p *oidc.Provider) { p.ClientIDs = ids(101) }), false, "client"},
		{"an empty client ID is refused", with(func(p *oidc.Provider) { p.ClientIDs = []string{""} }), false, "client"},
		{"a client ID of 256 bytes is refused", with(func(p *oidc.Provider) { p.ClientIDs = []string{strings.Repeat("c", 256)} }), false, "client"},
		{"five thumbprints are valid", with(func(p *oidc.Provider) { p.Thumbprints = make([]string, 5); fill(p.Thumbprints) }), false, ""},
		{"six thumbprints are refused", with(func(p *oidc.Provider) { p.Thumbprints = make([]string, 6); fill(p.Thumbprints) }), false, "thumbprints"},
		{"a thumbprint of 39 hex digits is refused", with(func(p *oidc.Provider) { p.Thumbprints = []string{strings.Repeat("a", 39)} }), false, "thumbprints"},
		{"a thumbprint with a non-hex digit is refused", with(func(p *oidc.Provider) { p.Thumbprints = []string{strings.Repeat("g", 40)} }), false, "thumbprints"},
		{"a CA bundle without a certificate is refused", with(func(p *oidc.Provider) { p.CABundle = []byte("junk") }), false, "bundle"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.p.Validate(c.dev)
			if c.wantFail == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var e *oidc.Error
			if !errors.As(err, &e) || e.Kind != oidc.ErrProvider {
				t.Fatalf("got %v, want an ErrProvider", err)
			}
			if !strings.Contains(e.Reason, c.wantFail) {
				t.Errorf("Reason %q does not mention %q", e.Reason, c.wantFail)
			}
		})
	}
}

func fill(ts []string) {
	for i := range ts {
		ts[i] = strings.Repeat(string("0123456789"[i]), 40)
	}
}

func TestErrorKindsAreSentinelsForErrorsIs(t *testing.T) {
	err := error(&oidc.Error{Kind: oidc.ErrExpired, Reason: "r"})
	if !errors.Is(err, oidc.ErrExpired) || errors.Is(err, oidc.ErrAudience) {
		t.Error("errors.Is does not match on Kind")
	}
	if got := err.Error(); got != "oidc: token expired: r" {
		t.Errorf("Error() = %q", got)
	}
	cause := errors.New("cause")
	if !errors.Is(&oidc.Error{Kind: oidc.ErrKeysUnavailable, Err: cause}, cause) {
		t.Error("the cause is not reachable through Unwrap")
	}
}
