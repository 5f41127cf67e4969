package awsclient

import (
	"context"
	"net/url"
	"strconv"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// Credentials are temporary credentials returned by STS.
type Credentials struct {
	AccessKeyID     string    `xml:"AccessKeyId"`
	SecretAccessKey string    `xml:"SecretAccessKey"`
	SessionToken    string    `xml:"SessionToken"`
	Expiration      time.Time `xml:"Expiration"`
}

// Signing returns the credentials in the form sigv4.Sign and Client.Creds take.
func (c Credentials) Signing() sigv4.Credentials {
	return sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}

// AssumedRoleUser names a role session.
type AssumedRoleUser struct {
	Arn           string `xml:"Arn"`           // arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION
	AssumedRoleID string `xml:"AssumedRoleId"` // ROLEID:SESSION
}

// AssumeRoleOutput is the result of AssumeRole and AssumeRoleWithWebIdentity; the
// web-identity fields are empty for AssumeRole.
type AssumeRoleOutput struct {
	Credentials                 Credentials     `xml:"Credentials"`
	AssumedRoleUser             AssumedRoleUser `xml:"AssumedRoleUser"`
	SubjectFromWebIdentityToken string          `xml:"SubjectFromWebIdentityToken"`
	Audience                    string          `xml:"Audience"`
	Provider                    string          `xml:"Provider"`
	SourceIdentity              string          `xml:"SourceIdentity"`
	Metadata
}

// AssumeRoleWithWebIdentityInput is the request of AssumeRoleWithWebIdentity
// (aws-federation.md §1.2). DurationSeconds 0 leaves the server's default (3600 s).
type AssumeRoleWithWebIdentityInput struct {
	RoleArn          string
	RoleSessionName  string
	WebIdentityToken string // a secret: never logged, never in an error
	DurationSeconds  int
	Policy           string // optional inline session policy
}

// AssumeRoleWithWebIdentity trades a web identity token for temporary credentials. The
// call is unsigned, as AWS defines it; Client.Creds are not used. The token travels only
// in the form body.
func (c *Client) AssumeRoleWithWebIdentity(ctx context.Context, in AssumeRoleWithWebIdentityInput) (*AssumeRoleOutput, error) {
	p := url.Values{"RoleArn": {in.RoleArn}, "RoleSessionName": {in.RoleSessionName}, "WebIdentityToken": {in.WebIdentityToken}}
	setOptional(p, "DurationSeconds", in.DurationSeconds)
	if in.Policy != "" {
		p.Set("Policy", in.Policy)
	}
	return queryOut[AssumeRoleOutput](ctx, c, "sts", "AssumeRoleWithWebIdentity", p, false)
}

// AssumeRoleInput is the request of AssumeRole. DurationSeconds 0 leaves the default.
type AssumeRoleInput struct {
	RoleArn         string
	RoleSessionName string
	DurationSeconds int
	Policy          string
}

// AssumeRole trades Client.Creds (a user's keys or a role session, for chaining) for
// credentials of another role.
func (c *Client) AssumeRole(ctx context.Context, in AssumeRoleInput) (*AssumeRoleOutput, error) {
	p := url.Values{"RoleArn": {in.RoleArn}, "RoleSessionName": {in.RoleSessionName}}
	setOptional(p, "DurationSeconds", in.DurationSeconds)
	if in.Policy != "" {
		p.Set("Policy", in.Policy)
	}
	return queryOut[AssumeRoleOutput](ctx, c, "sts", "AssumeRole", p, true)
}

// CallerIdentity is the answer of GetCallerIdentity.
type CallerIdentity struct {
	Account string `xml:"Account"`
	Arn     string `xml:"Arn"`
	UserID  string `xml:"UserId"`
	Metadata
}

// GetCallerIdentity returns who Client.Creds are, as configure-aws-credentials checks
// after every assume. It needs no permission.
func (c *Client) GetCallerIdentity(ctx context.Context) (*CallerIdentity, error) {
	return queryOut[CallerIdentity](ctx, c, "sts", "GetCallerIdentity", nil, true)
}

func setOptional(p url.Values, name string, v int) {
	if v != 0 {
		p.Set(name, strconv.Itoa(v))
	}
}
