package sqlstore

import (
	"strings"
)

// passwordMask replaces a password in RedactDSN's output.
const passwordMask = "****"

// RedactDSN returns the connection string with its password masked, for logs
// and error messages: postgres://user:****@host/db for a URL, password=****
// among key=value pairs. A SQLite path comes back unchanged. It works on text
// that does not parse as well, masking what can be recognised as a password.
func RedactDSN(dsn string) string {
	if scheme, rest, ok := strings.Cut(dsn, "://"); ok {
		return scheme + "://" + redactURL(rest)
	}
	return redactKeyValues(dsn)
}

// redactURL masks the password of a URL's userinfo (after the scheme) and a
// password query parameter.
func redactURL(rest string) string {
	authEnd := strings.IndexAny(rest, "/?#")
	if authEnd < 0 {
		authEnd = len(rest)
	}
	// The userinfo ends at the last @ of the authority: a password may hold
	// an unescaped @.
	if at := strings.LastIndex(rest[:authEnd], "@"); at >= 0 {
		if colon := strings.Index(rest[:at], ":"); colon >= 0 {
			rest = rest[:colon+1] + passwordMask + rest[at:]
		}
	}
	base, query, ok := strings.Cut(rest, "?")
	if !ok {
		return rest
	}
	params := strings.Split(query, "&")
	for i, p := range params {
		if k, _, ok := strings.Cut(p, "="); ok && strings.EqualFold(k, "password") {
			params[i] = k + "=" + passwordMask
		}
	}
	return base + "?" + strings.Join(params, "&")
}

// redactKeyValues masks the value of password= among libpq's key=value pairs,
// quoted ('…' with \' escapes) or not.
func redactKeyValues(dsn string) string {
	var b strings.Builder
	for i := 0; i < len(dsn); {
		j := strings.Index(dsn[i:], "password")
		if j < 0 {
			b.WriteString(dsn[i:])
			break
		}
		j += i
		k := j + len("password")
		for k < len(dsn) && dsn[k] == ' ' {
			k++
		}
		startsKey := j == 0 || dsn[j-1] == ' '
		if !startsKey || k >= len(dsn) || dsn[k] != '=' {
			b.WriteString(dsn[i:k])
			i = k
			continue
		}
		k++
		for k < len(dsn) && dsn[k] == ' ' {
			k++
		}
		b.WriteString(dsn[i:k] + passwordMask)
		i = valueEnd(dsn, k)
	}
	return b.String()
}

// valueEnd returns the index just past the key=value value starting at i.
func valueEnd(s string, i int) int {
	if i < len(s) && s[i] == '\'' {
		for i++; i < len(s); i++ {
			switch s[i] {
			case '\\':
				i++
			case '\'':
				return i + 1
			}
		}
		return len(s)
	}
	for i < len(s) && s[i] != ' ' {
		i++
	}
	return i
}
