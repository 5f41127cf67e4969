package sts

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/session"
)

// Namespace is STS's XML namespace.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Options configures the service. What callers are told of a refusal's reason is the
// dispatcher's choice (server.Options.ReasonToCaller), the same for every query service.
type Options struct {
	// Audit answers DecodeAuthorizationMessage; nil disables it.
	Audit Finder
}

// Finder looks decision records up by request id; *audit.Log and *decisionlog.Trail are
// ones.
type Finder interface {
	// Find returns the newest record with the request id; an error wrapping
	// audit.ErrNotFound when none is recorded, one wrapping store.ErrUnavailable when the
	// shared decision log cannot be read now. Safe for concurrent use.
	Find(ctx context.Context, requestID string) (*audit.Record, error)
}

// Service returns STS's actions for the query dispatcher.
func Service(svc *iam.Service, o Options) awsquery.Service {
	h := handlers{svc: svc, audit: o.Audit}
	return awsquery.Service{
		Name:      "sts",
		Namespace: Namespace,
		Operations: map[string]awsquery.Operation{
			"AssumeRoleWithWebIdentity":  {Unsigned: true, Run: h.assumeRoleWithWebIdentity},
			"AssumeRole":                 {Run: h.assumeRole},
			"GetCallerIdentity":          {Run: h.getCallerIdentity},
			"DecodeAuthorizationMessage": {Run: h.decodeAuthorizationMessage},
		},
		Error: errorFor,
	}
}

type handlers struct {
	svc   *iam.Service
	audit Finder
}

func (h handlers) assumeRoleWithWebIdentity(ctx context.Context, c *awsquery.Call) (any, error) {
	// A JWT holds no white space; token files written by shells end in a newline that some
	// SDKs send as is, so surrounding white space is dropped rather than refused.
	in := &iam.WebIdentityInput{Token: strings.TrimSpace(c.Params.Get("WebIdentityToken")), ProviderID: c.Params.Get("ProviderId")}
	if err := sessionInput(c, &in.SessionInput); err != nil {
		return nil, err
	}
	if in.Token == "" {
		return nil, missing("webIdentityToken")
	}
	out, err := h.svc.AssumeRoleWithWebIdentity(ctx, in)
	if err != nil {
		return nil, err
	}
	return &webIdentityResult{
		Credentials:                 credentials(out.Credentials),
		SubjectFromWebIdentityToken: out.Subject,
		AssumedRoleUser:             assumedRoleUser{AssumedRoleID: out.ID, Arn: out.ARN},
		PackedPolicySize:            packed(out.PackedPolicySize),
		Provider:                    out.Provider,
		Audience:                    out.Audience,
		SourceIdentity:              out.SourceIdentity,
		tokenSize:                   newTokenSize(out.Credentials.SessionToken),
		claims:                      out.Claims,
	}, nil
}

func (h handlers) assumeRole(ctx context.Context, c *awsquery.Call) (any, error) {
	in := &iam.AssumeRoleInput{SourceIdentity: c.Params.Get("SourceIdentity"), ExternalID: c.Params.Get("ExternalId")}
	if err := sessionInput(c, &in.SessionInput); err != nil {
		return nil, err
	}
	tags, ok := c.Structs("Tags")
	if !ok {
		return nil, badParam("Tags")
	}
	for _, t := range tags {
		in.Tags = append(in.Tags, session.Tag{Key: t["Key"], Value: t["Value"]})
	}
	if in.TransitiveTagKeys, ok = c.List("TransitiveTagKeys"); !ok {
		return nil, badParam("TransitiveTagKeys")
	}
	out, err := h.svc.AssumeRole(ctx, c.Caller.(*iam.Principal), in)
	if err != nil {
		return nil, err
	}
	return &assumeRoleResult{
		Credentials:      credentials(out.Credentials),
		AssumedRoleUser:  assumedRoleUser{AssumedRoleID: out.ID, Arn: out.ARN},
		PackedPolicySize: packed(out.PackedPolicySize),
		SourceIdentity:   out.SourceIdentity,
		tokenSize:        newTokenSize(out.Credentials.SessionToken),
	}, nil
}

func (h handlers) getCallerIdentity(_ context.Context, c *awsquery.Call) (any, error) {
	id := h.svc.GetCallerIdentity(c.Caller.(*iam.Principal))
	return &callerIdentityResult{UserID: id.UserID, Account: id.Account, Arn: id.ARN}, nil
}

// sessionInput decodes the parameters every AssumeRole* shares.
func sessionInput(c *awsquery.Call, in *iam.SessionInput) error {
	in.RoleARN, in.SessionName, in.Policy = c.Params.Get("RoleArn"), c.Params.Get("RoleSessionName"), c.Params.Get("Policy")
	in.SourceIP, in.SecureTransport = c.SourceIP.String(), c.Secure
	if !c.SourceIP.IsValid() {
		in.SourceIP = ""
	}
	if in.RoleARN == "" {
		return missing("roleArn")
	}
	if in.SessionName == "" {
		return missing("roleSessionName")
	}
	if d := c.Params.Get("DurationSeconds"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n <= 0 {
			return &iam.Error{Kind: iam.KindValidation, Message: "1 validation error detected: Value '" + d +
				"' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"}
		}
		in.Duration = time.Duration(n) * time.Second
	}
	arns, ok := c.Structs("PolicyArns")
	if !ok {
		return badParam("PolicyArns")
	}
	for _, a := range arns {
		in.PolicyARNs = append(in.PolicyARNs, a["arn"])
	}
	return nil
}

func missing(field string) error {
	return &iam.Error{Kind: iam.KindValidation, Message: "1 validation error detected: Value null at '" + field + "' failed to satisfy constraint: Member must not be null"}
}

func badParam(name string) error {
	return &iam.Error{Kind: iam.KindValidation, Message: "The list parameter " + name + " is malformed: members are " + name + ".member.N with N from 1."}
}

func credentials(c iam.Credentials) credentialsXML {
	return credentialsXML{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken,
		Expiration: c.Expiration.UTC().Format("2006-01-02T15:04:05Z")}
}

func packed(n int) *int {
	if n < 0 {
		return nil
	}
	return &n
}

// Audit fills the audit record of a successful exchange.
func (r *webIdentityResult) Audit(rec *audit.Record) {
	rec.Subject, rec.Audience, rec.Provider = r.SubjectFromWebIdentityToken, r.Audience, r.Provider
	rec.Caller = r.AssumedRoleUser.Arn
	// The claims of an allowed exchange too: replaying a trust-policy edit against recorded
	// traffic (explain.Replay) needs them. They are not secret; the token is never recorded.
	rec.Claims = r.claims
}

// Audit fills the audit record of a successful AssumeRole.
func (r *assumeRoleResult) Audit(rec *audit.Record) {
	if rec.Role == "" {
		rec.Role = strings.TrimSpace(r.AssumedRoleUser.Arn)
	}
}
