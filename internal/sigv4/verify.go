package sigv4

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultMaxSkew is the clock skew AWS tolerates both ways.
const DefaultMaxSkew = 15 * time.Minute

// The x-amz-content-sha256 literals of S3 (aws-federation.md §9.2).
const (
	UnsignedPayload               = "UNSIGNED-PAYLOAD"
	StreamingPayload              = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	StreamingPayloadTrailer       = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	StreamingUnsignedPayloadTrail = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

// Options say what a request must satisfy beyond a correct signature.
type Options struct {
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the tolerated distance between the request time and Now; 0 means
	// DefaultMaxSkew.
	MaxSkew time.Duration
	// Region, when set, is the only region a credential scope may name; "" accepts any.
	Region string
	// Service is the service the scope must name. "" means "s3" when S3 is set; for other
	// services it is required (IAM and STS share an endpoint, so the caller says which).
	Service string
	// S3 selects S3's rules: no path normalisation, single encoding, x-amz-content-sha256
	// required and used verbatim, X-Amz-Expires required on presigned requests.
	S3 bool
	// PayloadHash is, for services other than S3, the hex SHA-256 of the body the caller has
	// already read under its own size limit (PayloadHash(body), EmptyPayloadHash for none).
	// Query services sign the body's hash and are never trusted with UNSIGNED-PAYLOAD, since
	// their parameters travel in it. Such callers have verified the body once Verify
	// succeeds and need not call Verified.Body. Ignored when S3 is set.
	PayloadHash string
}

// Verified is a request whose signature has been checked. It keeps what the body needs: the
// signing key and the seed signature that chain aws-chunked chunk signatures.
type Verified struct {
	Auth *Auth
	// PayloadHash is the payload line that was signed: a hex SHA-256 or one of the literals.
	PayloadHash string

	key            []byte
	decodedLength  string // x-amz-decoded-content-length as sent
	declaredTrails string // x-amz-trailer as sent
}

// Verify checks that a, parsed from r, was signed with secret and satisfies o: the credential
// scope (date equal to the request date, region when o pins one, service), the clock (within
// MaxSkew for header signatures; not yet expired and not in the future for presigned ones),
// the payload mode, and the signature, compared in constant time. A presigned request whose
// X-Amz-Security-Token was appended after signing is accepted, like one where it is signed.
//
// Verify does not read the body: call Verified.Body for that. Errors caused by the request
// are *Error; an error of any other type means the caller misused Verify (no secret, no
// Service for a query service, no PayloadHash).
func Verify(r *http.Request, a *Auth, secret string, o Options) (*Verified, error) {
	service, err := o.check(a, secret)
	if err != nil {
		return nil, err
	}
	if err := checkScope(a, o, service); err != nil {
		return nil, err
	}
	if err := checkTime(a, o); err != nil {
		return nil, err
	}
	payload, err := payloadLine(a, o)
	if err != nil {
		return nil, err
	}
	key := derivedKeys.signingKey(secret, a.Date, a.Region, a.Service)
	if sts, ok := matchSignature(r, a, key, canon{s3: o.S3, payloadHash: payload}); !ok {
		e := fail(ErrSignatureMismatch, mismatchMessage(o.S3))
		e.StringToSign = sts
		return nil, e
	}
	return &Verified{
		Auth:           a,
		PayloadHash:    payload,
		key:            key,
		decodedLength:  r.Header.Get("X-Amz-Decoded-Content-Length"),
		declaredTrails: r.Header.Get("X-Amz-Trailer"),
	}, nil
}

func (o Options) check(a *Auth, secret string) (string, error) {
	switch {
	case a == nil || secret == "":
		return "", errors.New("sigv4: Verify needs the parsed Auth and a secret")
	case o.Service != "":
		return o.Service, nil
	case o.S3:
		return "s3", nil
	}
	return "", errors.New("sigv4: Options.Service is required for services other than S3")
}

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) maxSkew() time.Duration {
	if o.MaxSkew <= 0 {
		return DefaultMaxSkew
	}
	return o.MaxSkew
}

// matchSignature recomputes the signature. For a presigned request carrying a session token
// it also tries the forms where the token was appended after signing: first the occurrences
// that follow X-Amz-Signature (the IoT and aws-c-auth way), then every occurrence. The token
// itself is authenticated by whoever issued it, and must be bound to the access key by the
// caller, so leaving it unsigned gives an attacker nothing. It returns the string to sign of
// the first attempt.
func matchSignature(r *http.Request, a *Auth, key []byte, c canon) (string, bool) {
	sts := a.stringToSign(r, c)
	if signatureMatches(key, sts, a.Signature) {
		return sts, true
	}
	if !a.Presigned || !strings.Contains(r.URL.RawQuery, paramToken) {
		return sts, false
	}
	for _, rule := range []tokenRule{tokenAppendedAfter, tokenAppendedAnyway} {
		c.token = rule
		if signatureMatches(key, a.stringToSign(r, c), a.Signature) {
			return sts, true
		}
	}
	return sts, false
}

func (a *Auth) stringToSign(r *http.Request, c canon) string {
	return stringToSign(Algorithm, a.Time.UTC().Format(amzDateFormat), a.Scope(), nil,
		sha256Hex(canonicalRequest(r, a, c)))
}

func mismatchMessage(s3 bool) string {
	if s3 {
		return "The request signature we calculated does not match the signature you provided. Check your key and signing method."
	}
	return "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
}

func checkScope(a *Auth, o Options, service string) error {
	if d := a.Time.UTC().Format(scopeDateFormat); a.Date != d {
		if o.S3 {
			return fail(ErrScope, "Invalid credential date. Date is not the same as X-Amz-Date.")
		}
		return fail(ErrScope, fmt.Sprintf("Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'.",
			a.Date, d, a.Time.UTC().Format(amzDateFormat)))
	}
	if o.Region != "" && a.Region != o.Region {
		msg := fmt.Sprintf("Credential should be scoped to a valid Region, not '%s'.", a.Region)
		switch {
		case o.S3 && a.Presigned:
			msg = fmt.Sprintf("Error parsing the X-Amz-Credential parameter; the region '%s' is wrong; expecting '%s'", a.Region, o.Region)
		case o.S3:
			msg = fmt.Sprintf("The authorization header is malformed; the region '%s' is wrong; expecting '%s'", a.Region, o.Region)
		}
		e := fail(ErrScope, msg)
		e.Region = o.Region
		return e
	}
	if a.Service != service {
		return fail(ErrScope, fmt.Sprintf("Credential should be scoped to correct service: '%s'.", service))
	}
	return nil
}

// checkTime applies the clock rules: ±MaxSkew for header signatures; for presigned ones,
// not later than Now+MaxSkew and not past X-Amz-Date+X-Amz-Expires. Where a query service's
// presigned request has no X-Amz-Expires, the skew window bounds it instead (decision: AWS
// documents X-Amz-Expires as required only for S3).
func checkTime(a *Auth, o Options) error {
	now, skew := o.now().UTC(), o.maxSkew()
	t := a.Time.UTC()
	if !a.Presigned {
		if t.Before(now.Add(-skew)) || t.After(now.Add(skew)) {
			return skewError(t, now, skew, o.S3)
		}
		return nil
	}
	if t.After(now.Add(skew)) {
		return timeError(ErrPresignNotYetValid, "Request is not valid yet", t, now)
	}
	if o.S3 && !a.hasExpires {
		return fail(ErrMalformedPresign, "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.")
	}
	limit := skew
	if a.hasExpires {
		limit = a.Expires
	}
	if now.After(t.Add(limit)) {
		e := timeError(ErrPresignExpired, "Request has expired", t, now)
		e.Expires = a.Expires
		return e
	}
	return nil
}

func skewError(t, now time.Time, skew time.Duration, s3 bool) *Error {
	msg := "The difference between the request time and the current time is too large."
	if !s3 {
		mins := int(skew / time.Minute)
		if t.Before(now) {
			msg = fmt.Sprintf("Signature expired: %s is now earlier than %s (%s - %d min.)",
				t.Format(amzDateFormat), now.Add(-skew).Format(amzDateFormat), now.Format(amzDateFormat), mins)
		} else {
			msg = fmt.Sprintf("Signature not yet current: %s is still later than %s (%s + %d min.)",
				t.Format(amzDateFormat), now.Add(skew).Format(amzDateFormat), now.Format(amzDateFormat), mins)
		}
	}
	e := timeError(ErrRequestTimeSkewed, msg, t, now)
	e.MaxSkew = skew
	return e
}

func timeError(kind error, msg string, t, now time.Time) *Error {
	e := fail(kind, msg)
	e.RequestTime, e.ServerTime = t, now
	return e
}

// payloadLine decides the last line of the canonical request.
func payloadLine(a *Auth, o Options) (string, error) {
	if !o.S3 {
		if !isHexSHA256(o.PayloadHash) {
			return "", errors.New("sigv4: Options.PayloadHash must be the hex SHA-256 of the body for services other than S3")
		}
		return o.PayloadHash, nil
	}
	v := a.PayloadHash
	if a.Presigned {
		// Presigned S3 URLs sign UNSIGNED-PAYLOAD unless they carry X-Amz-Content-Sha256.
		if v == "" {
			return UnsignedPayload, nil
		}
		if v != UnsignedPayload && !isHexSHA256(v) {
			return "", invalidContentSHA256()
		}
		return v, nil
	}
	switch {
	case v == "":
		return "", fail(ErrMissingContentSHA256, "Missing required header for this request: x-amz-content-sha256")
	case v == UnsignedPayload, v == StreamingPayload, v == StreamingPayloadTrailer,
		v == StreamingUnsignedPayloadTrail, isHexSHA256(v):
		return v, nil
	}
	return "", invalidContentSHA256()
}

func invalidContentSHA256() *Error {
	return fail(ErrInvalidContentSHA256, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.")
}

func isHexSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
