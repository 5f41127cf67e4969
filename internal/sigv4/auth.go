package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm this package verifies.
const Algorithm = "AWS4-HMAC-SHA256"

// AlgorithmV4a is SigV4a's scheme, which inkan does not verify.
const AlgorithmV4a = "AWS4-ECDSA-P256-SHA256"

// MaxPresignExpiry is the longest X-Amz-Expires AWS accepts: seven days.
const MaxPresignExpiry = 7 * 24 * time.Hour

// Query parameter and header names of the SigV4 protocol.
const (
	paramAlgorithm     = "X-Amz-Algorithm"
	paramCredential    = "X-Amz-Credential"
	paramDate          = "X-Amz-Date"
	paramExpires       = "X-Amz-Expires"
	paramSignedHeaders = "X-Amz-SignedHeaders"
	paramSignature     = "X-Amz-Signature"
	paramToken         = "X-Amz-Security-Token"
	paramContentSHA256 = "X-Amz-Content-Sha256"
	headerContentSHA   = "X-Amz-Content-Sha256"
	amzDateFormat      = "20060102T150405Z"
	scopeDateFormat    = "20060102"
	scopeTerminator    = "aws4_request"
)

// Auth is what a request claims about its signature, parsed but not verified. Nothing in it
// may be trusted before Verify succeeds.
type Auth struct {
	AccessKeyID string
	Date        string // the credential scope date, YYYYMMDD
	Region      string
	Service     string
	// SignedHeaders are the lower-case header names the client signed, in the order it
	// listed them.
	SignedHeaders []string
	Signature     string
	// Time is X-Amz-Date (header or query), or the Date header when X-Amz-Date is absent.
	Time      time.Time
	Presigned bool
	// Expires is X-Amz-Expires of a presigned request; zero when absent or not presigned.
	Expires time.Duration
	// SecurityToken is X-Amz-Security-Token: the query parameter of a presigned request, else
	// the header. Whether it was signed or appended after signing does not matter.
	SecurityToken string
	// PayloadHash is x-amz-content-sha256 as sent (the X-Amz-Content-Sha256 query parameter
	// of a presigned request); "" when absent. Verify decides how it is used.
	PayloadHash string

	hasExpires bool
}

// Scope returns the credential scope, YYYYMMDD/region/service/aws4_request.
func (a *Auth) Scope() string {
	return a.Date + "/" + a.Region + "/" + a.Service + "/" + scopeTerminator
}

// IsSigned reports whether the header name (any case) is among the signed headers.
func (a *Auth) IsSigned(name string) bool {
	for _, h := range a.SignedHeaders {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// UnsignedAmzHeaders returns the x-amz-* headers of r that the client did not sign, in lower
// case and sorted. S3 refuses presigned requests that carry such headers ("There were headers
// present in the request which were not signed"); the S3 layer decides which to refuse,
// because the AWS test suite itself sends an unsigned X-Amz-Date beside presigned queries.
func (a *Auth) UnsignedAmzHeaders(r *http.Request) []string {
	var out []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && !a.IsSigned(lower) {
			out = append(out, lower)
		}
	}
	slices.Sort(out)
	return out
}

// Parse reads the signature a request claims, from the Authorization header or from a
// presigned query, without verifying anything. It returns:
//   - ErrNoAuth when the request carries no signature at all (anonymous);
//   - ErrSigV2 for Signature Version 2 ("AWS AKID:sig" or AWSAccessKeyId= in the query);
//   - ErrUnsupportedAlgorithm for SigV4a in the header (ErrMalformedPresign in a query);
//   - ErrUnknownScheme for an Authorization header of any other scheme (empty, Bearer…);
//   - ErrMultipleAuth when both a header and a presigned query are present;
//   - ErrIncomplete or ErrMalformedPresign when a part is missing or malformed.
//
// All errors are *Error. Parse reads r's URL and headers only, never the body.
func Parse(r *http.Request) (*Auth, error) {
	header := r.Header.Values("Authorization")
	query := r.URL.Query()
	presigned := query.Has(paramAlgorithm) || query.Has(paramCredential) || query.Has(paramSignature)
	switch {
	case len(header) > 0 && presigned:
		return nil, fail(ErrMultipleAuth, "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified")
	case len(header) > 1:
		return nil, fail(ErrIncomplete, "The request carries more than one Authorization header.")
	case len(header) == 1:
		return parseHeader(r, header[0])
	case presigned:
		return parseQuery(r, query)
	case query.Has("AWSAccessKeyId") || query.Has("SignatureVersion"):
		return nil, sigV2()
	}
	return nil, fail(ErrNoAuth, "The request is not signed.")
}

func sigV2() *Error {
	return fail(ErrSigV2, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
}

// schemeLike reports whether s looks like an authorization scheme's name rather than a
// credential sent without one: short, of letters, digits and hyphens.
func schemeLike(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

func parseHeader(r *http.Request, value string) (*Auth, error) {
	scheme, rest, _ := strings.Cut(value, " ")
	switch scheme {
	case Algorithm:
	case "AWS":
		return nil, sigV2()
	case AlgorithmV4a:
		return nil, fail(ErrUnsupportedAlgorithm, "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
	default:
		e := fail(ErrUnknownScheme, "Unsupported Authorization Type")
		if schemeLike(scheme) {
			e.Scheme = scheme
		}
		return nil, e
	}
	fields, err := authorizationFields(rest)
	if err != nil {
		return nil, err
	}
	a := &Auth{Signature: fields.signature}
	if err := a.setCredential(fields.credential, ErrIncomplete); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(fields.signedHeaders, ErrIncomplete); err != nil {
		return nil, err
	}
	if err := a.setHeaderTime(r); err != nil {
		return nil, err
	}
	a.SecurityToken = r.Header.Get(paramToken)
	a.PayloadHash = r.Header.Get(headerContentSHA)
	return a, nil
}

type authFields struct{ credential, signedHeaders, signature string }

// authorizationFields splits "Credential=…, SignedHeaders=…, Signature=…" (any order,
// optional spaces after the commas). Each field must appear exactly once and be non-empty.
func authorizationFields(s string) (authFields, error) {
	var f authFields
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || seen[key] {
			return f, fail(ErrIncomplete, "The Authorization header is malformed: expected Credential=…, SignedHeaders=…, Signature=… once each.")
		}
		seen[key] = true
		switch key {
		case "Credential":
			f.credential = val
		case "SignedHeaders":
			f.signedHeaders = val
		case "Signature":
			f.signature = val
		default:
			return f, fail(ErrIncomplete, "The Authorization header has an unknown field "+strconv.Quote(key)+".")
		}
	}
	for _, req := range []struct{ name, val string }{
		{"Credential", f.credential}, {"Signature", f.signature}, {"SignedHeaders", f.signedHeaders},
	} {
		if req.val == "" {
			return f, fail(ErrIncomplete, "Authorization header requires '"+req.name+"' parameter.")
		}
	}
	return f, nil
}

// setCredential parses AKID/YYYYMMDD/region/service/aws4_request.
func (a *Auth) setCredential(cred string, kind error) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 || parts[0] == "" || parts[2] == "" || parts[3] == "" {
		return fail(kind, `The Credential is malformed; expecting "<access key id>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	}
	if _, err := time.Parse(scopeDateFormat, parts[1]); err != nil || len(parts[1]) != 8 {
		return fail(kind, "Invalid credential date "+strconv.Quote(parts[1])+"; expecting YYYYMMDD.")
	}
	if parts[4] != scopeTerminator {
		return fail(ErrScope, "Credential should be scoped with a valid terminator: 'aws4_request', not '"+parts[4]+"'.")
	}
	a.AccessKeyID, a.Date, a.Region, a.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// setSignedHeaders parses "host;x-amz-date"; names must be non-empty and lower case, and
// host must be among them.
func (a *Auth) setSignedHeaders(list string, kind error) error {
	names := strings.Split(list, ";")
	hasHost := false
	for _, n := range names {
		if n == "" || n != strings.ToLower(n) || strings.ContainsAny(n, " \t:") {
			return fail(kind, "SignedHeaders "+strconv.Quote(list)+" is malformed: expecting lower-case header names separated by ';'.")
		}
		hasHost = hasHost || n == "host"
	}
	if !hasHost {
		return fail(kind, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	a.SignedHeaders = names
	return nil
}

// setHeaderTime reads X-Amz-Date, else Date (any HTTP date format).
func (a *Auth) setHeaderTime(r *http.Request) error {
	if v := r.Header.Values(paramDate); len(v) > 0 {
		t, err := time.Parse(amzDateFormat, v[0])
		if err != nil || len(v) > 1 {
			return fail(ErrIncomplete, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'".`)
		}
		a.Time = t
		return nil
	}
	if v := r.Header.Get("Date"); v != "" {
		t, err := http.ParseTime(v)
		if err != nil {
			return fail(ErrIncomplete, "Date header "+strconv.Quote(v)+" is not a valid HTTP date.")
		}
		a.Time = t.UTC()
		return nil
	}
	return fail(ErrIncomplete, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
}

func parseQuery(r *http.Request, q url.Values) (*Auth, error) {
	const required = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
	get := func(name string) (string, bool) {
		v := q[name]
		return firstOf(v), len(v) == 1 && v[0] != ""
	}
	alg, okAlg := get(paramAlgorithm)
	if okAlg && alg != Algorithm {
		// S3's AuthorizationQueryParametersError: a presigned URL's parameters are malformed.
		return nil, fail(ErrMalformedPresign, `X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"`)
	}
	cred, okCred := get(paramCredential)
	date, okDate := get(paramDate)
	signed, okSigned := get(paramSignedHeaders)
	sig, okSig := get(paramSignature)
	if !okAlg || !okCred || !okDate || !okSigned || !okSig {
		return nil, fail(ErrMalformedPresign, required)
	}
	a := &Auth{Presigned: true, Signature: sig}
	if err := a.setCredential(cred, ErrMalformedPresign); err != nil {
		return nil, err
	}
	if err := a.setSignedHeaders(signed, ErrMalformedPresign); err != nil {
		return nil, err
	}
	t, err := time.Parse(amzDateFormat, date)
	if err != nil {
		return nil, fail(ErrMalformedPresign, `X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	a.Time = t
	if err := a.setExpires(q[paramExpires]); err != nil {
		return nil, err
	}
	a.SecurityToken = firstOf(q[paramToken])
	if a.SecurityToken == "" {
		a.SecurityToken = r.Header.Get(paramToken)
	}
	a.PayloadHash = firstOf(q[paramContentSHA256])
	return a, nil
}

// setExpires parses X-Amz-Expires with S3's messages; absence is left to Verify.
func (a *Auth) setExpires(v []string) error {
	if len(v) == 0 {
		return nil
	}
	secs, err := strconv.ParseInt(v[0], 10, 64)
	switch {
	case len(v) > 1 || err != nil:
		return fail(ErrMalformedPresign, "X-Amz-Expires should be a number")
	case secs < 0:
		return fail(ErrMalformedPresign, "X-Amz-Expires must be non-negative")
	case secs > int64(MaxPresignExpiry/time.Second):
		return fail(ErrMalformedPresign, "X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	a.Expires, a.hasExpires = time.Duration(secs)*time.Second, true
	return nil
}

func firstOf(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
