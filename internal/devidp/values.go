package devidp

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxClaimLength bounds every string claim, so a token stays far below STS's 20000
// character limit for WebIdentityToken (aws-federation.md §2.9).
const maxClaimLength = 1024

func setDefault(field *string, value string) {
	if *field == "" {
		*field = value
	}
}

// stableID derives a GitHub-like nine-digit id from a kind and names. Names are compared
// case-insensitively, as GitHub compares them, so "Acme/App" and "acme/app" share ids.
func stableID(kind string, names ...string) string {
	sum := stableSum(kind, names)
	n := binary.BigEndian.Uint64(sum[:8])%900_000_000 + 100_000_000
	return strconv.FormatUint(n, 10)
}

// stableHex derives a 40-hex-digit value shaped like a git commit SHA.
func stableHex(kind string, names ...string) string {
	sum := stableSum(kind, names)
	return hex.EncodeToString(sum[:20])
}

func stableSum(kind string, names []string) [32]byte {
	return sha256.Sum256([]byte(kind + "\x00" + strings.ToLower(strings.Join(names, "\x00"))))
}

func oneOf(field, value string, allowed ...string) error {
	if slices.Contains(allowed, value) {
		return nil
	}
	return fieldErrorf(field, "%q is not one of %s", value, strings.Join(allowed, ", "))
}

func digits(field, value string) error {
	if value != "" && len(value) <= 20 && allBytes(value, isDigit) {
		return nil
	}
	return fieldErrorf(field, "%q is not a decimal number", value)
}

func hexSHA(field, value string) error {
	isLowerHex := func(c byte) bool { return isDigit(c) || ('a' <= c && c <= 'f') }
	if len(value) == 40 && allBytes(value, isLowerHex) {
		return nil
	}
	return fieldErrorf(field, "%q is not 40 lower-case hex digits", value)
}

// printable rejects claim values a trust policy could never match by eye: invalid UTF-8,
// control characters, or values longer than maxClaimLength.
func printable(claims map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(claims)) {
		value := claims[name]
		if len(value) > maxClaimLength {
			return fieldErrorf(name, "longer than %d bytes", maxClaimLength)
		}
		if !utf8.ValidString(value) || strings.ContainsFunc(value, isControl) {
			return fieldErrorf(name, "%q holds invalid UTF-8 or control characters", value)
		}
	}
	return nil
}

// isClaimKey is GitHub's rule for include_claim_keys entries: letters, digits, underscores.
func isClaimKey(s string) bool {
	return s != "" && len(s) <= 128 && allBytes(s, func(c byte) bool { return isAlnum(c) || c == '_' })
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (0x80 <= r && r < 0xa0) }

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isAlnum(c byte) bool {
	return isDigit(c) || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}
