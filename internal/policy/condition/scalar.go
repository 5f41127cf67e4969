package condition

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// boolFamily: Bool. Policy and request values are "true" or "false" in any case; the policy
// value may hold a policy variable.
type boolFamily struct{}

func (boolFamily) compile(t Template) (compiled, error) {
	if t.HasVariables() {
		return compiled{tmpl: t}, nil
	}
	s, _ := t.Expand(nil)
	b, ok := parseBool(s)
	if !ok {
		return compiled{}, fmt.Errorf("%q is not true or false", s)
	}
	return compiled{tmpl: t, b: b}, nil
}

func (boolFamily) match(pv *compiled, v string, ctx Context) bool {
	want := pv.b
	if pv.tmpl.HasVariables() {
		s, resolved := pv.tmpl.Expand(ctx)
		var ok bool
		if want, ok = parseBool(s); !resolved || !ok {
			return false
		}
	}
	b, ok := parseBool(v)
	return ok && b == want
}

func (boolFamily) wildcards() bool { return false }
func (boolFamily) variables() bool { return true }

func parseBool(s string) (value, ok bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// binaryFamily: BinaryEquals. The policy value is base64; the request value is the base64
// of the binary value, compared after decoding so that padding does not matter.
type binaryFamily struct{}

func (binaryFamily) compile(t Template) (compiled, error) {
	b, ok := decodeBase64(t.String())
	if !ok {
		return compiled{}, errors.New("not base64")
	}
	return compiled{bin: b}, nil
}

func (binaryFamily) match(pv *compiled, v string, _ Context) bool {
	b, ok := decodeBase64(v)
	return ok && bytes.Equal(b, pv.bin)
}

func (binaryFamily) wildcards() bool { return false }
func (binaryFamily) variables() bool { return false }

func decodeBase64(s string) ([]byte, bool) {
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b, true
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	return b, err == nil
}

// ipFamily: IpAddress and NotIpAddress. A policy value is an IPv4 or IPv6 CIDR block or a
// bare address (one host); host bits in a block are ignored. A request value is an address;
// an IPv4-mapped IPv6 address is compared as IPv4 and a zone is ignored.
type ipFamily struct{}

func (ipFamily) compile(t Template) (compiled, error) {
	p, err := parsePrefix(t.String())
	if err != nil {
		return compiled{}, err
	}
	return compiled{ip: p}, nil
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR block", s)
		}
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR block", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (ipFamily) match(pv *compiled, v string, _ Context) bool {
	a, err := netip.ParseAddr(v)
	if err != nil {
		return false
	}
	return pv.ip.Contains(a.WithZone("").Unmap())
}

func (ipFamily) wildcards() bool { return false }
func (ipFamily) variables() bool { return false }

// nullFamily: Null. "true" asks for the key to be absent, "false" for it to be present; the
// clause tests presence itself, match is never called.
type nullFamily struct{}

func (nullFamily) compile(t Template) (compiled, error) {
	b, ok := parseBool(t.String())
	if !ok {
		return compiled{}, fmt.Errorf("%q is not true or false", t.String())
	}
	return compiled{b: b}, nil
}

func (nullFamily) match(*compiled, string, Context) bool { return false }
func (nullFamily) wildcards() bool                       { return false }
func (nullFamily) variables() bool                       { return false }
