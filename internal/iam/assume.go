package iam

import (
	"regexp"
	"strconv"
	"time"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/session"
)

// Session limits of STS (reference §1.2).
const (
	DefaultSessionDuration = time.Hour
	MinSessionDuration     = 15 * time.Minute
	MaxChainedDuration     = time.Hour
	maxSessionPolicyLen    = 2048
	maxSessionPolicyARNs   = 10
	maxSessionTags         = 50
)

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)

// Credentials are temporary credentials.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// AssumedRole is what every AssumeRole* returns.
type AssumedRole struct {
	Credentials Credentials
	// ARN is arn:aws:sts::<acct>:assumed-role/<role>/<session>; ID is <role id>:<session>.
	ARN, ID          string
	SourceIdentity   string
	PackedPolicySize int // percent; -1 when no session policy or tag was passed
	// Web identity only:
	Provider, Audience, Subject string
	// Claims are the verified token's claims (web identity only); not secret.
	Claims map[string]any
}

// SessionInput holds the parameters every AssumeRole* shares.
type SessionInput struct {
	RoleARN, SessionName string
	// Duration zero means the default (one hour).
	Duration   time.Duration
	Policy     string
	PolicyARNs []string
	// SourceIP and SecureTransport describe the request, for condition keys.
	SourceIP        string
	SecureTransport bool
}

func (in *SessionInput) validate() *Error {
	if n := len(in.RoleARN); n < 20 || n > 2048 {
		return validation(in.RoleARN, "roleArn", "Member must have length between 20 and 2048")
	}
	if n := len(in.SessionName); n < 2 || n > 64 {
		return validation(in.SessionName, "roleSessionName", "Member must have length between 2 and 64")
	}
	if !sessionNamePattern.MatchString(in.SessionName) {
		return validation(in.SessionName, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	if in.Duration != 0 && (in.Duration < MinSessionDuration || in.Duration > MaxSessionLifetime) {
		secs := strconv.Itoa(int(in.Duration / time.Second))
		if in.Duration < MinSessionDuration {
			return validation(secs, "durationSeconds", "Member must have value greater than or equal to 900")
		}
		return validation(secs, "durationSeconds", "Member must have value less than or equal to 43200")
	}
	if len(in.Policy) > maxSessionPolicyLen {
		return validation("(policy)", "policy", "Member must have length less than or equal to 2048")
	}
	for _, c := range in.Policy {
		if !(c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xff)) {
			return validation("(policy)", "policy", `Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u00FF]+`)
		}
	}
	if len(in.PolicyARNs) > maxSessionPolicyARNs {
		return validation("(policyArns)", "policyArns", "Member must have length less than or equal to 10")
	}
	return nil
}

// sessionPolicies compiles the session policies of in: the inline document and the managed
// policies its ARNs name.
func (s *Service) sessionPolicies(snap *snapshot, in *SessionInput) ([]*policy.Policy, *Error) {
	var out []*policy.Policy
	if in.Policy != "" {
		p, err := policy.Parse([]byte(in.Policy), policy.Session)
		if err != nil {
			return nil, &Error{Kind: KindMalformedPolicy, Message: "The policy is not in the valid JSON format. " + err.Error(), Reason: err.Error(), Err: err}
		}
		out = append(out, p)
	}
	for _, a := range in.PolicyARNs {
		m := snap.managed[a]
		if m == nil || m.doc == nil {
			// UNCONFIRMED: AWS's exact code for an unknown managed session policy; inkan refuses
			// with ValidationError rather than silently narrowing the session to nothing.
			return nil, errorf(KindValidation, "Policy %s does not exist or is not attachable.", a)
		}
		out = append(out, m.doc)
	}
	return out, nil
}

// packedSize estimates AWS's packed policy size as a percentage of its limit: the session
// policies and tags against 2,048 characters. UNCONFIRMED: AWS's packing is opaque; inkan
// reports the plain-text ratio, and refuses above 100 %.
func packedSize(in *SessionInput, tags []session.Tag) int {
	if in.Policy == "" && len(in.PolicyARNs) == 0 && len(tags) == 0 {
		return -1
	}
	n := len(in.Policy)
	for _, a := range in.PolicyARNs {
		n += len(a)
	}
	for _, t := range tags {
		n += len(t.Key) + len(t.Value)
	}
	return (n*100 + maxSessionPolicyLen - 1) / maxSessionPolicyLen
}

// issue mints the credentials of a new session.
func (s *Service) issue(c *session.Claims) (Credentials, error) {
	akid, secret, err := s.ring.NewCredentials()
	if err != nil {
		return Credentials{}, err
	}
	c.AccessKeyID, c.SecretAccessKey = akid, secret
	tok, err := s.ring.Seal(c)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{AccessKeyID: akid, SecretAccessKey: secret, SessionToken: tok, Expiration: c.Expires}, nil
}

// duration applies the default and the role's maximum.
func duration(in *SessionInput, r *role) (time.Duration, *Error) {
	d := in.Duration
	if d == 0 {
		d = DefaultSessionDuration
	}
	if max := time.Duration(r.rec.MaxSessionDuration) * time.Second; max > 0 && d > max {
		return 0, errorf(KindValidation, "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
	}
	return d, nil
}

func timeKeys(k policy.Keys, now time.Time) {
	k["aws:currenttime"] = []string{now.UTC().Format(time.RFC3339)}
	k["aws:epochtime"] = []string{strconv.FormatInt(now.Unix(), 10)}
}

func requestKeys(k policy.Keys, in *SessionInput, now time.Time) {
	timeKeys(k, now)
	if in.SourceIP != "" {
		k["aws:sourceip"] = []string{in.SourceIP}
	}
	k["aws:securetransport"] = []string{strconv.FormatBool(in.SecureTransport)}
	k["sts:rolesessionname"] = []string{in.SessionName}
}

// notAuthorized is STS's answer to a trust-policy denial.
func notAuthorized(action, reason string, trace *policy.Trace, claims map[string]any) *Error {
	return &Error{Kind: KindAccessDenied, Message: "Not authorized to perform " + action, Reason: reason, Trace: trace, Claims: claims}
}

// evaluate runs the evaluator and, on a denial, again with a trace for the explanation.
func evaluate(req *policy.Request, set *policy.Set) (bool, string, *policy.Trace) {
	if policy.Evaluate(req, set).Effect == policy.Allow {
		return true, "", nil
	}
	_, tr := policy.Explain(req, set)
	return false, tr.Reason(), tr
}
