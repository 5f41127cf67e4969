package iam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/session"
)

// WebIdentityInput is AssumeRoleWithWebIdentity's request.
type WebIdentityInput struct {
	SessionInput
	Token      string
	ProviderID string
}

const (
	actionWebIdentity  = "sts:AssumeRoleWithWebIdentity"
	actionTagSession   = "sts:TagSession"
	actionSetSourceID  = "sts:SetSourceIdentity"
	claimAWSTags       = "https://aws.amazon.com/tags"
	claimSourceID      = "https://aws.amazon.com/source_identity"
	maxWebIdentityToke = 20000
)

// AssumeRoleWithWebIdentity exchanges a verified OIDC token for a role session, as STS does
// (reference §1–§4): the token is verified against its issuer's registered provider, the
// role's trust policy is evaluated on its claims, and the session is sealed into stateless
// credentials. The session is not cut short to the token's expiry.
func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, in *WebIdentityInput) (*AssumedRole, error) {
	out, err := s.assumeWebIdentity(ctx, in)
	s.observe(actionWebIdentity, outcome(err))
	return out, err
}

// withProvider records on a refusal which provider verified the token.
func withProvider(err error, prov *provider) error {
	var e *Error
	if prov != nil && errors.As(err, &e) && e.Provider == "" {
		e.Provider = prov.rec.ARN
	}
	return err
}

func outcome(err error) string {
	switch {
	case err == nil:
		return "allow"
	case KindOf(err) == KindAccessDenied:
		return "deny"
	}
	return "error"
}

func (s *Service) assumeWebIdentity(ctx context.Context, in *WebIdentityInput) (_ *AssumedRole, err error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	if n := len(in.Token); n < 4 || n > maxWebIdentityToke {
		return nil, validation("(token)", "webIdentityToken", fmt.Sprintf("Member must have length between 4 and %d", maxWebIdentityToke))
	}
	if in.ProviderID != "" {
		return nil, errorf(KindValidation, "ProviderId is only for OAuth 2.0 access tokens from www.amazon.com or graph.facebook.com; do not set it with an OpenID Connect ID token")
	}
	snap := s.snap.Load()
	// One parse: the verifier hands the unverified iss to the lookup, which picks the
	// registered provider (byte-for-byte URL match) before any key is fetched.
	var prov *provider
	defer func() { err = withProvider(err, prov) }()
	tok, err := s.opt.Verifier.VerifyWith(ctx, in.Token, func(iss string) (*oidc.Provider, error) {
		if prov = snap.providers[iss]; prov == nil {
			return nil, &Error{Kind: KindInvalidIdentityToken, Message: "No OpenIDConnect provider found in your account for " + iss,
				Reason: "no OIDC provider is registered for issuer " + strconv.Quote(iss) + " (the provider URL must equal the token's iss byte for byte)"}
		}
		return &prov.oidc, nil
	})
	if err != nil {
		var de *Error
		if errors.As(err, &de) {
			return nil, de
		}
		return nil, tokenError(err)
	}
	// Claims are not secret and the map is ours (Verify keeps no reference): explanations
	// carry it as is.
	claims := tok.Claims
	r, ok := snap.roleByARN(s.opt.Account, in.RoleARN)
	if !ok {
		return nil, notAuthorized(actionWebIdentity, "role "+in.RoleARN+" does not exist in account "+s.opt.Account, nil, claims)
	}
	if r.broken != "" {
		return nil, notAuthorized(actionWebIdentity, "role "+r.rec.Name+" is unusable: "+r.broken, nil, claims)
	}
	keys := policy.Keys{}
	requestKeys(keys, &in.SessionInput, s.opt.Now())
	cctx := newClaimContext(keys, prov.keyPrefix, tok)
	req := &policy.Request{Principal: policy.Principal{Type: "Federated", IDs: []string{prov.rec.ARN}, Account: s.opt.Account},
		Action: actionWebIdentity, Resource: r.rec.ARN, Context: cctx}
	set := &policy.Set{Resource: r.trust}
	if ok, reason, tr := evaluate(req, set); !ok {
		return nil, notAuthorized(actionWebIdentity, reason, tr, claims)
	}
	tags, transitive, err := s.webIdentityTags(prov, tok, req, cctx, set, claims)
	if err != nil {
		return nil, err
	}
	sourceID, err := s.webIdentitySourceIdentity(tok, req, cctx, set, claims)
	if err != nil {
		return nil, err
	}
	d, verr := duration(&in.SessionInput, r)
	if verr != nil {
		return nil, verr
	}
	if _, perr := s.sessionPolicies(snap, &in.SessionInput); perr != nil {
		return nil, perr
	}
	packed := packedSize(&in.SessionInput, tags)
	if packed > 100 {
		return nil, errorf(KindPackedPolicyTooLarge, "Packed size of session policies and tags is %d%% of the limit", packed)
	}
	now := s.opt.Now().UTC()
	c := &session.Claims{RoleARN: r.rec.ARN, RoleID: r.rec.ID, SessionName: in.SessionName, Provider: prov.rec.ARN,
		Subject: tok.Subject, Audience: tok.Audience, SourceIdentity: sourceID, Issued: now, Expires: now.Add(d),
		Policy: in.Policy, PolicyARNs: in.PolicyARNs, Tags: tags, Transitive: transitive,
		Federated: sessionClaimKeys(prov.keyPrefix, tok)}
	creds, err := s.issue(c)
	if err != nil {
		return nil, err
	}
	return &AssumedRole{Credentials: creds, ARN: assumedRoleARN(s.opt.Account, r.rec.ARN, in.SessionName),
		ID: r.rec.ID + ":" + in.SessionName, SourceIdentity: sourceID, PackedPolicySize: packed,
		Provider: prov.rec.ARN, Audience: tok.Audience, Subject: tok.Subject, Claims: claims}, nil
}

// tokenError maps a verification failure to STS's codes and messages (reference §1.4).
func tokenError(err error) *Error {
	var oe *oidc.Error
	if !errors.As(err, &oe) {
		return &Error{Kind: KindIDPCommunication, Message: idpKeysMessage, Reason: err.Error(), Err: err}
	}
	e := &Error{Kind: KindInvalidIdentityToken, Reason: oe.Reason, Err: err}
	switch oe.Kind {
	case oidc.ErrNotJWT:
		e.Message = "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"
	case oidc.ErrAudience:
		e.Message = "Incorrect token audience"
	case oidc.ErrExpired:
		e.Kind = KindExpiredIdentityToken
		e.Message = fmt.Sprintf("Token expired: current date/time %d must be before the expiration date/time %d", oe.Now, oe.Expiry)
	case oidc.ErrKeysUnavailable:
		e.Kind = KindIDPCommunication
		e.Message = idpKeysMessage
	case oidc.ErrThumbprint:
		e.Message = "OpenIDConnect provider's HTTPS certificate doesn't match configured thumbprint"
	case oidc.ErrTooLong:
		e.Kind = KindValidation
		e.Message = "1 validation error detected: Value at 'webIdentityToken' failed to satisfy constraint: Member must have length less than or equal to 20000"
	case oidc.ErrProvider:
		e.Kind = KindServiceFailure
		e.Message = "The registered OpenID Connect provider is invalid."
	default:
		e.Message = "The web identity token that was passed could not be validated by AWS. Get a new identity token from the identity provider and then retry the request."
	}
	return e
}

// idpKeysMessage is AWS's text, double space included.
const idpKeysMessage = "Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements"

// sessionClaimKeys are the claim keys that stay available after the session is created:
// aud, sub, amr (and id), as AWS documents.
func sessionClaimKeys(prefix string, tok *oidc.Token) map[string][]string {
	out := map[string][]string{prefix + ":aud": {tok.Audience}, prefix + ":sub": {tok.Subject}}
	if v, ok := ClaimValues(tok.Claims["amr"]); ok {
		out[prefix+":amr"] = v
	}
	return out
}

// ClaimValues turns a token claim into condition-key values: a string, number or boolean is
// one value, a list of strings several; ok is false for objects, null and mixed lists.
func ClaimValues(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case bool:
		return []string{fmt.Sprint(x)}, true
	case json.Number:
		return []string{x.String()}, true
	case float64, int64, int:
		return []string{fmt.Sprint(x)}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	case []string:
		return x, true
	}
	return nil, false
}

// webIdentityTags builds the session tags: the token's https://aws.amazon.com/tags claim
// (which the trust policy must allow with sts:TagSession, as AWS requires) and inkan's
// claim-to-tag mapping configured on the provider (declared by the operator, so it needs no
// sts:TagSession grant). A token tag wins over a mapped tag of the same key.
func (s *Service) webIdentityTags(prov *provider, tok *oidc.Token, req *policy.Request, cctx *claimContext, set *policy.Set, claims map[string]any) ([]session.Tag, []string, error) {
	byKey := map[string]session.Tag{}
	for _, m := range prov.rec.ClaimTags {
		if vals, ok := ClaimValues(tok.Claims[m.Claim]); ok && len(vals) == 1 && len(vals[0]) <= 256 {
			byKey[strings.ToLower(m.Tag)] = session.Tag{Key: m.Tag, Value: vals[0]}
		}
	}
	var transitive []string
	if raw, ok := tok.Claims[claimAWSTags]; ok {
		tokenTags, trans, err := parseTagClaim(raw)
		if err != nil {
			return nil, nil, &Error{Kind: KindInvalidIdentityToken, Message: "The web identity token's session tags are invalid: " + err.Error(), Reason: err.Error()}
		}
		tagReq := *req
		tagReq.Action = actionTagSession
		tagKeys := policy.Keys{}
		var keyNames []string
		for _, t := range tokenTags {
			tagKeys["aws:requesttag/"+strings.ToLower(t.Key)] = []string{t.Value}
			keyNames = append(keyNames, t.Key)
			byKey[strings.ToLower(t.Key)] = t
		}
		tagKeys["aws:tagkeys"] = keyNames
		tagReq.Context = cctx.with(tagKeys)
		if ok, reason, tr := evaluate(&tagReq, set); !ok {
			return nil, nil, notAuthorized(actionTagSession, "the token carries session tags but "+reason, tr, claims)
		}
		transitive = trans
	}
	if len(byKey) > maxSessionTags {
		return nil, nil, errorf(KindValidation, "The number of session tags (%d) exceeds the limit of %d.", len(byKey), maxSessionTags)
	}
	tags := make([]session.Tag, 0, len(byKey))
	for _, t := range byKey {
		tags = append(tags, t)
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags, transitive, nil
}

// parseTagClaim reads {"principal_tags": {"K": ["v"]}, "transitive_tag_keys": ["K"]}.
func parseTagClaim(raw any) ([]session.Tag, []string, error) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, errors.New("the tags claim must be an object")
	}
	var tags []session.Tag
	pt, _ := m["principal_tags"].(map[string]any)
	for k, v := range pt {
		vals, ok := ClaimValues(v)
		if !ok || len(vals) != 1 {
			return nil, nil, fmt.Errorf("tag %q must have exactly one string value", k)
		}
		if len(k) == 0 || len(k) > 128 || len(vals[0]) > 256 {
			return nil, nil, fmt.Errorf("tag %q: keys are 1 to 128 characters, values at most 256", k)
		}
		tags = append(tags, session.Tag{Key: k, Value: vals[0]})
	}
	trans, _ := ClaimValues(m["transitive_tag_keys"])
	return tags, trans, nil
}

// webIdentitySourceIdentity reads the source identity claim, which the trust policy must
// allow with sts:SetSourceIdentity.
func (s *Service) webIdentitySourceIdentity(tok *oidc.Token, req *policy.Request, cctx *claimContext, set *policy.Set, claims map[string]any) (string, error) {
	raw, ok := tok.Claims[claimSourceID]
	if !ok {
		return "", nil
	}
	v, _ := raw.(string)
	if n := len(v); n < 2 || n > 64 || !sessionNamePattern.MatchString(v) {
		return "", &Error{Kind: KindInvalidIdentityToken, Message: "The source identity in the web identity token is invalid.", Reason: "source identity must be 2 to 64 characters of [\\w+=,.@-]"}
	}
	siReq := *req
	siReq.Action = actionSetSourceID
	siReq.Context = cctx.with(policy.Keys{"sts:sourceidentity": {v}})
	if ok, reason, tr := evaluate(&siReq, set); !ok {
		return "", notAuthorized(actionSetSourceID, "the token carries a source identity but "+reason, tr, claims)
	}
	return v, nil
}
