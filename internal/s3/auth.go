package s3

import (
	"encoding/json"
	"errors"
	"maps"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// maxSkew is how far a header-signed request's date may be from the server's clock.
const maxSkew = 15 * time.Minute

// authenticate resolves the caller: no signature at all is an anonymous request (decided
// later by the bucket policy alone); otherwise the access key and session token must be
// inkan's and the signature must verify, in S3's rules.
func (h *Handler) authenticate(c *call) error {
	a, err := sigv4.Parse(c.r)
	if errors.Is(err, sigv4.ErrNoAuth) {
		return nil
	}
	if err != nil {
		return sigv4Error(err)
	}
	c.authInfo = a
	p, secret, err := h.o.Auth.Authenticate(c.ctx, a.AccessKeyID, a.SecurityToken)
	if err != nil {
		return credentialError(err, a.SecurityToken != "")
	}
	v, err := sigv4.Verify(c.r, a, secret, sigv4.Options{Now: h.o.Now, MaxSkew: maxSkew, Region: h.o.Region, S3: true})
	if err != nil {
		return sigv4Error(err)
	}
	if a.Presigned {
		if err := checkPresignedHeaders(c, a); err != nil {
			return err
		}
	}
	if err := checkEmptyPayload(c, a); err != nil {
		return err
	}
	c.principal, c.auth = p, v
	return h.checkExpectedOwner(c)
}

// checkEmptyPayload refuses a request without a body whose x-amz-content-sha256 names the
// hash of another body, as S3 does for every request: the body is checked where it is read
// (sigv4.Body), but GET, HEAD and DELETE handlers never read theirs.
func checkEmptyPayload(c *call, a *sigv4.Auth) error {
	if c.r.Body != nil && c.r.Body != http.NoBody || len(a.PayloadHash) != 64 || a.PayloadHash == sigv4.PayloadHash(nil) {
		return nil
	}
	return sigv4Error(&sigv4.Error{Kind: sigv4.ErrContentSHA256Mismatch,
		Message: "The provided 'x-amz-content-sha256' header does not match what was computed."})
}

// checkExpectedOwner honours x-amz-expected-bucket-owner: every bucket belongs to the
// account, so naming another owner is refused, as S3 refuses it.
func (h *Handler) checkExpectedOwner(c *call) error {
	if v := c.header("x-amz-expected-bucket-owner"); v != "" && v != h.o.Auth.Account() {
		return errAccessDenied.because("x-amz-expected-bucket-owner "+v+" is not the account that owns every bucket", nil)
	}
	return nil
}

// credentialError maps Authenticate's refusals: S3 says InvalidAccessKeyId for a key it does
// not know, InvalidToken for a session token that does not open or belong to the key, and
// ExpiredToken (400, unlike the query services) for an expired session (reference §6).
func credentialError(err error, withToken bool) error {
	switch iam.KindOf(err) {
	case iam.KindExpiredSession:
		return errExpiredToken.because(reasonOf(err), err)
	case iam.KindInvalidClientTokenID:
		if withToken {
			return errInvalidToken.because(reasonOf(err), err)
		}
		return errInvalidAccessKeyID.because(reasonOf(err), err)
	}
	return err
}

func reasonOf(err error) string {
	var ie *iam.Error
	if errors.As(err, &ie) && ie.Reason != "" {
		return ie.Reason
	}
	return err.Error()
}

// checkPresignedHeaders refuses a presigned request carrying unsigned x-amz-* headers that
// change what the request does (metadata, copy sources, ACLs…): a presigned URL grants the
// request that was signed, not another one, as S3 refuses them. Headers that only describe
// the transfer (date, payload hash, checksums, token) are tolerated.
func checkPresignedHeaders(c *call, a *sigv4.Auth) error {
	var bad []string
	for _, name := range a.UnsignedAmzHeaders(c.r) {
		switch {
		case name == "x-amz-date", name == "x-amz-content-sha256", name == "x-amz-security-token",
			name == "x-amz-user-agent", name == "x-amz-decoded-content-length", name == "x-amz-trailer",
			name == "x-amz-sdk-checksum-algorithm", strings.HasPrefix(name, "x-amz-checksum-"):
		default:
			bad = append(bad, name)
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return errAccessDenied.because("presigned request carries unsigned headers: "+strings.Join(bad, ", "), nil).
		with(Field{"HeadersNotSigned", strings.Join(bad, ", ")})
}

// sigv4Error maps a verification failure to S3's codes, with the extra elements S3 adds;
// nil when err is not one. sigv4's messages are already AWS's words.
func sigv4Error(err error) *Error {
	var se *sigv4.Error
	if !errors.As(err, &se) {
		return nil
	}
	code, status := sigv4Code(err)
	return &Error{Code: code, Status: status, Message: se.Message, Reason: se.Message, Extra: sigv4Fields(se), Err: err}
}

// sigv4Code is the catalogue of verification failures.
func sigv4Code(err error) (string, int) {
	for _, m := range [...]struct {
		kind   error
		code   string
		status int
	}{
		{sigv4.ErrSigV2, "InvalidRequest", 400},
		// A client's credentials in a form inkan does not verify are the client's error,
		// never a 5xx. S3 answers a scheme it does not know (empty, Bearer, Basic,
		// AWS4-HMAC-SHA512…) with 400 InvalidArgument "Unsupported Authorization Type"
		// and ArgumentName Authorization (seen in S3's answers quoted in
		// versity/versitygw#1705, danialfarid/ng-file-upload#615), and an AWS mechanism an
		// endpoint lacks (SigV2 in newer regions) with 400 InvalidRequest "The authorization
		// mechanism you have provided is not supported": SigV4a gets the latter.
		{sigv4.ErrUnknownScheme, "InvalidArgument", 400},
		{sigv4.ErrUnsupportedAlgorithm, "InvalidRequest", 400},
		{sigv4.ErrMultipleAuth, "InvalidArgument", 400},
		{sigv4.ErrInvalidContentSHA256, "InvalidArgument", 400},
		{sigv4.ErrMalformedPresign, "AuthorizationQueryParametersError", 400},
		{sigv4.ErrIncomplete, "AuthorizationHeaderMalformed", 400},
		{sigv4.ErrScope, "AuthorizationHeaderMalformed", 400},
		{sigv4.ErrRequestTimeSkewed, "RequestTimeTooSkewed", 403},
		{sigv4.ErrPresignExpired, "AccessDenied", 403},
		{sigv4.ErrPresignNotYetValid, "AccessDenied", 403},
		{sigv4.ErrSignatureMismatch, errSignatureDoesNotMatch.Code, errSignatureDoesNotMatch.Status},
		{sigv4.ErrMissingContentSHA256, "InvalidRequest", 400},
		{sigv4.ErrContentSHA256Mismatch, "XAmzContentSHA256Mismatch", 400},
		{sigv4.ErrMissingDecodedLength, "MissingContentLength", 411},
		{sigv4.ErrIncompleteBody, "IncompleteBody", 400},
	} {
		if errors.Is(err, m.kind) {
			return m.code, m.status
		}
	}
	return "InvalidRequest", 400 // ErrChunkEncoding and anything newer
}

// sigv4Fields are the elements S3's error documents add: the expected region, the clock
// readings of skew and expiry, and the string to sign (a hash, no secret).
func sigv4Fields(se *sigv4.Error) []Field {
	stamp := func(t time.Time) string { return t.UTC().Format(time.RFC3339) }
	switch {
	case errors.Is(se, sigv4.ErrUnknownScheme):
		// S3 echoes the whole header as ArgumentValue; inkan echoes only the scheme, so a
		// bearer token or a password never travels back through proxies that log bodies.
		return []Field{{"ArgumentName", "Authorization"}, {"ArgumentValue", se.Scheme}}
	case errors.Is(se, sigv4.ErrScope) && se.Region != "":
		return []Field{{"Region", se.Region}}
	case errors.Is(se, sigv4.ErrRequestTimeSkewed):
		return []Field{{"RequestTime", stamp(se.RequestTime)}, {"ServerTime", stamp(se.ServerTime)},
			{"MaxAllowedSkewMilliseconds", strconv.FormatInt(se.MaxSkew.Milliseconds(), 10)}}
	case errors.Is(se, sigv4.ErrPresignExpired):
		return []Field{{"X-Amz-Expires", strconv.FormatInt(int64(se.Expires/time.Second), 10)},
			{"Expires", stamp(se.RequestTime.Add(se.Expires))}, {"ServerTime", stamp(se.ServerTime)}}
	case errors.Is(se, sigv4.ErrSignatureMismatch) && se.StringToSign != "":
		return []Field{{"StringToSign", se.StringToSign}}
	}
	return nil
}

// authorize decides one action of the caller on a bucket or an object (key "") of it, with
// the request's global keys, the operation's keys and that bucket's policy: a copy's source
// is decided by the source bucket's policy. Root is bound by a bucket policy's explicit
// Deny like anyone (iam.Service.Authorize), but for the bucket policy's own management,
// which skips the policy lookup so that root can replace a policy that no longer compiles.
// A denial is remembered for the audit record.
func (h *Handler) authorize(c *call, action, bucket, key string, keys policy.Keys) error {
	if c.principal != nil && c.principal.Root && iam.RootKeepsAccess(action) {
		return nil
	}
	err := h.decide(c, action, bucket, key, keys)
	if err != nil {
		c.denial = denial{action: action, resource: resourceARN(bucket, key)}
	}
	return err
}

func (h *Handler) decide(c *call, action, bucket, key string, keys policy.Keys) error {
	var bp *policy.Policy
	if bucket != "" {
		var err error
		if bp, err = h.o.Policies.BucketPolicy(c.ctx, bucket); err != nil {
			// Fail closed: a policy that cannot be read or compiled might deny this caller.
			return errAccessDenied.because("the policy of bucket "+bucket+" cannot be used: "+err.Error(), err)
		}
	}
	all := c.globalKeys()
	maps.Copy(all, keys)
	req := &iam.AccessRequest{Action: action, Resource: resourceARN(bucket, key), Keys: all, ResourcePolicy: bp}
	var err error
	if c.principal == nil && h.restrictsAnonymous(c, bucket, bp) {
		return errAccessDenied.because("bucket "+bucket+"'s public access block has RestrictPublicBuckets: its public policy grants no anonymous caller", nil)
	}
	if c.principal == nil {
		err = h.o.Auth.AuthorizeAnonymous(c.ctx, req)
	} else {
		err = h.o.Auth.Authorize(c.ctx, c.principal, req)
	}
	if err == nil {
		return nil
	}
	var ie *iam.Error
	if errors.As(err, &ie) && ie.Kind == iam.KindAccessDenied {
		out := errAccessDenied.because(ie.Reason, err)
		if ie.Message != "" {
			out.Message = ie.Message
		}
		return out
	}
	return err
}

// allowed reports whether the caller may perform action on a bucket or object, without
// recording a denial: the 404-or-403 rule of missing objects asks it about s3:ListBucket.
func (h *Handler) allowed(c *call, action, bucket, key string, keys policy.Keys) (bool, error) {
	err := h.decide(c, action, bucket, key, keys)
	var e *Error
	if errors.As(err, &e) && e.Code == errAccessDenied.Code {
		return false, nil
	}
	return err == nil, err
}

// globalKeys are the condition keys every request carries (reference §5.2, S3's own
// s3:authType, s3:signatureversion and s3:x-amz-content-sha256). iam adds the principal's
// and the time keys.
func (c *call) globalKeys() policy.Keys {
	k := policy.Keys{"aws:securetransport": {strconv.FormatBool(c.r.TLS != nil)}}
	if ip := remoteIP(c.r.RemoteAddr); ip.IsValid() {
		k["aws:sourceip"] = []string{ip.String()}
	}
	if ua := c.header("User-Agent"); ua != "" {
		k["aws:useragent"] = []string{ua}
	}
	if c.authInfo != nil {
		k["s3:signatureversion"] = []string{"AWS4-HMAC-SHA256"}
		k["s3:authtype"] = []string{"REST-HEADER"}
		switch {
		case c.form:
			k["s3:authtype"] = []string{"POST"}
		case c.authInfo.Presigned:
			k["s3:authtype"] = []string{"REST-QUERY-STRING"}
		}
		if c.authInfo.PayloadHash != "" {
			k["s3:x-amz-content-sha256"] = []string{c.authInfo.PayloadHash}
		}
	}
	return k
}

func remoteIP(addr string) netip.Addr {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

// isDenial reports whether an error refuses the caller (authentication or authorization)
// rather than the request: those are audited.
func isDenial(e *Error) bool {
	switch e.Code {
	case "AccessDenied", "InvalidAccessKeyId", "InvalidToken", "ExpiredToken", "SignatureDoesNotMatch",
		"RequestTimeTooSkewed", "AuthorizationHeaderMalformed", "AuthorizationQueryParametersError":
		return true
	}
	return false
}

// Recorder receives decision records; *audit.Log and *decisionlog.Trail are ones.
type Recorder interface {
	// Append records rec, which the caller does not change afterwards. It must not wait
	// on anything remote: it runs on the request path. An error means the record may be
	// lost; the caller logs it and answers the request anyway.
	Append(rec *audit.Record) error
}

// audit records a denial with its trace.
func (h *Handler) audit(c *call, e *Error) {
	if h.o.Audit == nil {
		return
	}
	rec := h.newRecord(c, c.denial.action, c.denial.resource)
	rec.Outcome, rec.Code, rec.Reason = "deny", e.Code, e.Reason
	var ie *iam.Error
	if errors.As(e.Err, &ie) && ie.Trace != nil {
		if tr, err := json.Marshal(ie.Trace); err == nil {
			rec.Trace = tr
		}
	}
	h.append(rec)
}

// sampleAllow records the allowed action when AuditAllow picks this request.
func (h *Handler) sampleAllow(c *call, action string) {
	if h.o.Audit != nil && h.o.AuditAllow != nil && h.o.AuditAllow() {
		h.auditAllow(c, action)
	}
}

// auditAllow records that the caller was allowed the routed operation's action.
func (h *Handler) auditAllow(c *call, action string) {
	rec := h.newRecord(c, action, "")
	rec.Outcome = "allow"
	h.append(rec)
}

// newRecord is the audit record of the request: who asked, what, from where. An empty
// action or resource is the routed operation's.
func (h *Handler) newRecord(c *call, action, resource string) *audit.Record {
	rec := &audit.Record{Time: h.o.Now().UTC(), RequestID: c.requestID, Service: "s3", Action: action, Resource: resource}
	if rec.Action == "" && c.op != nil {
		rec.Action = c.op.action
	}
	if rec.Resource == "" && c.op != nil {
		rec.Resource = c.resource()
	}
	if ip := remoteIP(c.r.RemoteAddr); ip.IsValid() {
		rec.SourceIP = ip.String()
	}
	rec.Caller = "anonymous"
	if c.authInfo != nil {
		rec.Caller = "access key " + c.authInfo.AccessKeyID
	}
	if c.principal != nil {
		rec.Caller = c.principal.ARN
		if c.principal.Session != nil {
			rec.Role, rec.Provider, rec.Subject = c.principal.Session.RoleARN, c.principal.Session.Provider, c.principal.Session.Subject
		}
	}
	return rec
}

func (h *Handler) append(rec *audit.Record) {
	if err := h.o.Audit.Append(rec); err != nil {
		h.o.Logger.Error("audit append failed", "request_id", rec.RequestID, "err", err)
	}
}
