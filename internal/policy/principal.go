package policy

import (
	"strings"

	"github.com/inkan-dev/inkan/internal/arn"
)

// grant says how a resource policy statement's Principal matched the caller, weakest first.
type grant uint8

const (
	grantNone grant = iota
	// grantAccount: matched only through the caller's account ("123456789012",
	// "arn:aws:iam::123456789012:root") or through NotPrincipal; the identity policies
	// must allow as well.
	grantAccount
	// grantNamed: the statement names the caller (role ARN, provider ARN, service, "*"):
	// it grants on its own, within the boundary and session policies.
	grantNamed
	// grantSession: the statement names the caller's session ARN: it grants on its own and
	// is not limited by the boundary or session policies.
	grantSession
)

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	star    bool // "Principal": "*"
	entries []principalEntry
}

type principalEntry struct {
	typ     string // AWS, Federated, Service, CanonicalUser
	value   string
	any     bool   // the value is "*"
	account string // the account the value names as a whole, else ""
	session bool   // the value is an STS session ARN
}

// newPrincipalEntry classifies one principal value; it returns a reason when the value is
// not acceptable for its type.
func newPrincipalEntry(typ, value string) (principalEntry, string) {
	e := principalEntry{typ: typ, value: value, any: value == "*"}
	if e.any {
		return e, ""
	}
	if strings.ContainsAny(value, "*?") {
		return e, "a principal cannot hold a wildcard except as the whole value \"*\""
	}
	if value == "" {
		return e, "empty principal"
	}
	if typ != "AWS" {
		return e, ""
	}
	if isAccountID(value) {
		e.account = value
		return e, ""
	}
	a, err := arn.Parse(value)
	if err != nil {
		return e, "an AWS principal must be \"*\", a 12-digit account id or an ARN"
	}
	switch {
	case a.Service == "iam" && a.Resource == "root":
		e.account = a.Account
	case a.Service == "sts":
		e.session = true
	}
	return e, ""
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// match returns how the element matches the caller (for a Principal element).
func (ps *principalSet) match(p *Principal) grant {
	if ps.star {
		return grantNamed
	}
	best := grantNone
	for i := range ps.entries {
		if g := ps.entries[i].match(p); g > best {
			best = g
		}
	}
	return best
}

func (e *principalEntry) match(p *Principal) grant {
	switch {
	case e.any:
		// {"AWS": "*"} is documented as equivalent to "*"; another type's "*" matches
		// every caller of that type.
		if e.typ == "AWS" || e.typ == p.Type {
			return grantNamed
		}
		return grantNone
	case e.typ != p.Type:
		return grantNone
	case e.account != "":
		if p.Account == e.account {
			return grantAccount
		}
		return grantNone
	}
	for _, id := range p.IDs {
		if id == e.value {
			if e.session {
				return grantSession
			}
			return grantNamed
		}
	}
	return grantNone
}

// excludes reports whether a NotPrincipal element exempts the caller. Decision, after AWS's
// advice to list the account, the role and the session together: the caller is exempt only
// when every name it has is listed (and, for an AWS caller, its account), so listing only a
// role does not exempt its sessions from a Deny.
func (ps *principalSet) excludes(p *Principal) bool {
	if ps.star {
		return true
	}
	if len(p.IDs) == 0 && (p.Type != "AWS" || p.Account == "") {
		return false
	}
	for _, id := range p.IDs {
		if !ps.lists(p.Type, id) {
			return false
		}
	}
	if p.Type == "AWS" && p.Account != "" {
		return ps.listsAccount(p.Account)
	}
	return true
}

func (ps *principalSet) lists(typ, id string) bool {
	for _, e := range ps.entries {
		if e.any && (e.typ == "AWS" || e.typ == typ) {
			return true
		}
		if e.typ == typ && e.value == id {
			return true
		}
	}
	return false
}

func (ps *principalSet) listsAccount(account string) bool {
	for _, e := range ps.entries {
		if e.typ == "AWS" && (e.any || e.account == account) {
			return true
		}
	}
	return false
}
