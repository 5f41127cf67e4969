package explain

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/session"
)

// Provider is an OIDC provider as IAM registers it.
type Provider struct {
	// URL is the issuer URL. The scheme does not change the condition keys, so a URL written
	// without one (as GetOpenIDConnectProvider answers) is fine.
	URL string
	// ARN is the provider's ARN; when empty it is derived from URL and the account.
	ARN       string
	ClientIDs []string
}

// WebIdentity is an AssumeRoleWithWebIdentity to simulate.
type WebIdentity struct {
	Account  string
	RoleARN  string
	Trust    *policy.Policy
	Provider Provider
	// Claims are the token's claims (verified by the caller, or only decoded).
	Claims map[string]any
	// SessionName is RoleSessionName (sts:RoleSessionName).
	SessionName string
	// SourceIP (aws:SourceIp) is left out when empty.
	SourceIP string
	// Secure is aws:SecureTransport: whether the request came over TLS.
	Secure bool
	Now    time.Time
}

// Result is a simulated decision.
type Result struct {
	Allowed bool   `json:"allowed"`
	Verdict string `json:"verdict"`
	// Trace is nil when the request was refused before any policy was read (a token whose
	// audience or issuer the provider does not accept).
	Trace *Trace `json:"trace,omitempty"`
	// Context holds the condition keys the request carried.
	Context policy.Keys    `json:"context,omitempty"`
	Claims  map[string]any `json:"claims,omitempty"`
}

// ErrIncomplete is wrapped by the errors of a simulation that lacks an input.
var ErrIncomplete = errors.New("explain: incomplete simulation")

// SimulateWebIdentity evaluates the role's trust policy for the token's claims, building the
// request as internal/iam's AssumeRoleWithWebIdentity does. A token refused before the trust
// policy (issuer or audience) gives a denied Result without a trace.
func SimulateWebIdentity(in *WebIdentity) (*Result, error) {
	if in.Trust == nil || in.RoleARN == "" || in.Provider.URL == "" {
		return nil, fmt.Errorf("%w: a trust policy, a role ARN and a provider URL are required", ErrIncomplete)
	}
	if sub, _ := in.Claims["sub"].(string); sub == "" {
		return nil, fmt.Errorf("%w: the token has no sub claim, which STS requires", ErrIncomplete)
	}
	res := &Result{Claims: in.Claims}
	if err := checkIssuer(in.Claims, in.Provider.URL); err != nil {
		res.Verdict = verdict(false, err.Error())
		return res, nil
	}
	aud, err := Audience(in.Claims, in.Provider.ClientIDs)
	if err != nil {
		res.Verdict = verdict(false, err.Error())
		return res, nil
	}
	keys := policy.Keys{}
	requestKeys(keys, in.Now, in.Secure, in.SourceIP)
	keys["sts:rolesessionname"] = []string{in.SessionName}
	ClaimKeys(keys, KeyPrefix(in.Provider.URL), in.Claims, aud)
	arn := in.Provider.ARN
	if arn == "" {
		arn = ProviderARN(in.Account, in.Provider.URL)
	}
	req := &policy.Request{Principal: policy.Principal{Type: "Federated", IDs: []string{arn}, Account: in.Account},
		Action: "sts:AssumeRoleWithWebIdentity", Resource: in.RoleARN, Context: keys}
	return explain(res, req, &policy.Set{Resource: in.Trust})
}

// checkIssuer refuses a token whose iss is not the provider's URL. A provider URL written
// without scheme is compared without the token's scheme.
func checkIssuer(claims map[string]any, url string) error {
	iss, ok := claims["iss"].(string)
	if !ok {
		return nil
	}
	if iss == url || (!strings.Contains(url, "://") && KeyPrefix(iss) == KeyPrefix(url)) {
		return nil
	}
	return fmt.Errorf("the token's issuer %q is not the provider's URL %q (InvalidIdentityToken: No OpenIDConnect provider found in your account for %s)", iss, url, iss)
}

func explain(res *Result, req *policy.Request, set *policy.Set) (*Result, error) {
	_, tr := policy.Explain(req, set)
	t, err := FromPolicy(tr)
	if err != nil {
		return nil, err
	}
	res.Trace, res.Allowed, res.Verdict = t, t.Allowed(), t.Verdict()
	res.Context, _ = req.Context.(policy.Keys)
	return res, nil
}

// requestKeys sets the global keys of every request: the time, the transport and the source.
func requestKeys(k policy.Keys, now time.Time, secure bool, sourceIP string) {
	k["aws:currenttime"] = []string{now.UTC().Format(time.RFC3339)}
	k["aws:epochtime"] = []string{strconv.FormatInt(now.Unix(), 10)}
	k["aws:securetransport"] = []string{strconv.FormatBool(secure)}
	if sourceIP != "" {
		k["aws:sourceip"] = []string{sourceIP}
	}
}

// Session is the role session whose permissions are simulated.
type Session struct {
	Account     string
	RoleARN     string
	RoleID      string
	SessionName string
	// Tags are the principal tags: the role's tags overridden by the session's.
	Tags map[string]string
	// Provider is the OIDC provider's ARN for a web identity session ("" otherwise), and
	// Federated the claim keys the session keeps (aud, sub, amr), as ClaimKeys names them.
	Provider  string
	Federated policy.Keys
	Issued    time.Time
}

// ARN is the session's ARN: arn:aws:sts::<account>:assumed-role/<role name>/<session name>.
func (s *Session) ARN() string {
	name := s.RoleARN[strings.LastIndexByte(s.RoleARN, '/')+1:]
	return "arn:aws:sts::" + s.Account + ":assumed-role/" + name + "/" + s.SessionName
}

// Permissions is a request of a role session to simulate.
type Permissions struct {
	Session Session
	// Identity are the role's inline and managed policies; SessionPolicies the policies the
	// session was created with (a session created with any applies them all); Boundary the
	// role's permissions boundary; ResourcePolicy a bucket policy.
	Identity        []*policy.Policy
	SessionPolicies []*policy.Policy
	Boundary        *policy.Policy
	ResourcePolicy  *policy.Policy
	Action          string
	Resource        string
	// Context holds the request's own condition keys (s3:prefix, aws:SourceIp …), any case.
	Context map[string][]string
	Secure  bool
	Now     time.Time
}

// SimulatePermissions evaluates a role session's request as internal/iam's Authorize does:
// the role's policies, the session policies and the permissions boundary intersect, the
// resource policy may grant, and any Deny wins.
func SimulatePermissions(in *Permissions) (*Result, error) {
	s := &in.Session
	if s.RoleARN == "" || in.Action == "" || in.Resource == "" {
		return nil, fmt.Errorf("%w: a role, an action and a resource are required", ErrIncomplete)
	}
	keys := sessionKeys(s)
	requestKeys(keys, in.Now, in.Secure, "")
	for k, v := range in.Context {
		keys.SetValues(k, v)
	}
	set := &policy.Set{Identity: in.Identity, Session: in.SessionPolicies, HasSession: len(in.SessionPolicies) > 0,
		Boundary: in.Boundary, Resource: in.ResourcePolicy}
	req := &policy.Request{Principal: policy.Principal{Type: "AWS", IDs: []string{s.ARN(), s.RoleARN}, Account: s.Account},
		Action: in.Action, Resource: in.Resource, Context: keys}
	return explain(&Result{}, req, set)
}

// sessionKeys are the global keys of a role session's requests: the domain's own
// (iam.SessionKeys), from the session as the simulation describes it.
func sessionKeys(s *Session) policy.Keys {
	c := &session.Claims{RoleARN: s.RoleARN, RoleID: s.RoleID, SessionName: s.SessionName, Provider: s.Provider,
		Issued: s.Issued, Federated: s.Federated}
	for k, v := range s.Tags {
		c.Tags = append(c.Tags, session.Tag{Key: k, Value: v})
	}
	return iam.SessionKeys(s.Account, c, nil)
}
