package sigv4

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// canon says how the parts of the canonical request that differ between S3 and the other
// services, or between ways of sending the session token, are built.
type canon struct {
	s3          bool   // S3 path rules: no normalisation, encode once
	payloadHash string // the last line, used verbatim
	token       tokenRule
}

// tokenRule says which X-Amz-Security-Token query parameters a presigned request signed.
// Some clients (AWS IoT's websocket signing, aws-c-auth) append the token after signing.
type tokenRule int

const (
	tokenSigned         tokenRule = iota // every occurrence is part of the canonical query
	tokenAppendedAfter                   // occurrences after X-Amz-Signature were appended
	tokenAppendedAnyway                  // no occurrence was signed
)

// canonicalRequest builds Method\nURI\nQuery\nHeaders\n\nSignedHeaders\nPayload, the
// canonical request of IAMUG create-signed-request, task 1.
func canonicalRequest(r *http.Request, a *Auth, c canon) string {
	var b strings.Builder
	b.Grow(256 + len(r.URL.RawQuery) + 64*len(a.SignedHeaders))
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r, c.s3))
	b.WriteByte('\n')
	writeCanonicalQuery(&b, r.URL.RawQuery, a.Presigned, c.token)
	b.WriteByte('\n')
	writeCanonicalHeaders(&b, r, a.SignedHeaders)
	b.WriteByte('\n')
	for i, h := range a.SignedHeaders {
		if i > 0 {
			b.WriteByte(';')
		}
		b.WriteString(h)
	}
	b.WriteByte('\n')
	b.WriteString(c.payloadHash)
	return b.String()
}

// canonicalURI returns the path line of the canonical request.
//
// S3 signs the path exactly as it travels (no normalisation, no second encoding), so it is
// r.URL.EscapedPath(), which net/http keeps byte for byte for every validly encoded path and
// re-encodes with upper-case %XX otherwise.
//
// Other services remove dot segments and empty segments and URI-encode the wire path once
// more, so %XX becomes %25XX (the AWS test suite's -normalized cases). The wire path is taken
// from RequestURI, which keeps what the client sent even where it is not valid encoding; a
// request built in process has no RequestURI and falls back to the escaped path.
func canonicalURI(r *http.Request, s3 bool) string {
	if s3 {
		if p := r.URL.EscapedPath(); p != "" {
			return p
		}
		return "/"
	}
	wire := r.RequestURI
	if !strings.HasPrefix(wire, "/") {
		wire = r.URL.EscapedPath()
	} else if i := strings.IndexByte(wire, '?'); i >= 0 {
		wire = wire[:i]
	}
	return uriEncode(normalizePath(wire), true)
}

// normalizePath removes "." and ".." segments (RFC 3986 §5.2.4) and empty segments, keeping
// a trailing slash, as botocore's remove_dot_segments and aws-c-auth do. Decision: the Go
// SDK's signer does not normalise, so its signatures over a non-S3 path holding dot or empty
// segments do not verify here, as they would not on AWS; STS and IAM are always called on
// "/", where the two agree.
func normalizePath(p string) string {
	if p == "/" {
		return p
	}
	var out []string
	for s := range strings.SplitSeq(p, "/") {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	res := "/" + strings.Join(out, "/")
	if len(out) > 0 && strings.HasSuffix(p, "/") {
		res += "/"
	}
	return res
}

// writeCanonicalQuery sorts the query's name=value pairs by encoded name, then value, after
// bringing each to AWS's encoding (RFC 3986 unreserved characters bare, everything else
// %XX upper case, '+' read as a space as the SDKs' url.Values do).
func writeCanonicalQuery(b *strings.Builder, raw string, presigned bool, token tokenRule) {
	if raw == "" {
		return
	}
	type pair struct{ k, v string }
	pairs := make([]pair, 0, 8)
	afterSignature := false
	for part := range strings.SplitSeq(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k = canonicalQueryPart(k)
		if presigned && k == paramSignature {
			afterSignature = true
			continue
		}
		if k == paramToken && (token == tokenAppendedAnyway || token == tokenAppendedAfter && afterSignature) {
			continue
		}
		pairs = append(pairs, pair{k, canonicalQueryPart(v)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
}

func canonicalQueryPart(s string) string {
	if isCanonicalEncoding(s) {
		return s
	}
	if dec, err := url.QueryUnescape(s); err == nil {
		s = dec
	}
	return uriEncode(s, false)
}

// writeCanonicalHeaders writes "name:value\n" for each signed header, values trimmed with
// inner runs of spaces collapsed and repeated headers joined with commas in arrival order.
// host comes from r.Host, where net/http moves it. A signed header that is absent
// canonicalises to an empty value, so the signature cannot match a client that sent one.
func writeCanonicalHeaders(b *strings.Builder, r *http.Request, names []string) {
	for _, n := range names {
		b.WriteString(n)
		b.WriteByte(':')
		switch {
		case n == "host":
			host := r.Host
			if host == "" {
				host = r.URL.Host
			}
			writeTrimmed(b, host)
		default:
			vals := r.Header.Values(n)
			if len(vals) == 0 && n == "content-length" && r.ContentLength > 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
			for i, v := range vals {
				if i > 0 {
					b.WriteByte(',')
				}
				writeTrimmed(b, v)
			}
		}
		b.WriteByte('\n')
	}
}

func writeTrimmed(b *strings.Builder, v string) {
	v = strings.Trim(v, " \t")
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(c)
	}
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// uriEncode is AWS's UriEncode: unreserved bytes as they are, '/' kept when keepSlash,
// everything else %XX with upper-case hex.
func uriEncode(s string, keepSlash bool) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !isUnreserved(s[i]) && !(keepSlash && s[i] == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	out := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) || (keepSlash && c == '/') {
			out = append(out, c)
			continue
		}
		out = append(out, '%', hex[c>>4], hex[c&15])
	}
	return string(out)
}

// isCanonicalEncoding reports whether s is already in AWS's encoding: only unreserved
// bytes plus %XX escapes with upper-case hex of bytes that are not unreserved. Such strings
// canonicalise to themselves, which spares the common case an allocation.
func isCanonicalEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUnreserved(c):
		case c == '%' && i+2 < len(s) && isUpperHex(s[i+1]) && isUpperHex(s[i+2]):
			dec := unhex(s[i+1])<<4 | unhex(s[i+2])
			if isUnreserved(dec) {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'A' + 10
}

// EscapePath encodes an S3 object key (or any path) as AWS's UriEncode does with '/'
// kept: unreserved bytes bare, every other byte %XX upper case. A request whose
// URL.RawPath is "/"+EscapePath(key) travels and is signed exactly so, for any bytes of key.
func EscapePath(s string) string { return uriEncode(s, true) }

// EscapeQuery encodes a query name or value as AWS's UriEncode does: unreserved bytes
// bare, everything else (including '/' and ' ') %XX upper case, the form that S3 and the
// canonical query string agree on.
func EscapeQuery(s string) string { return uriEncode(s, false) }
