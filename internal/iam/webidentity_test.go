package iam

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
	"github.com/inkan-dev/inkan/internal/session"
	"github.com/inkan-dev/inkan/internal/store"
)

// webIdentityFixture is a Service trusting one in-process issuer (plain http on loopback, as
// --dev allows) with a role whose trust policy the test writes.
type webIdentityFixture struct {
	svc    *Service
	clock  *testClock
	issuer *oidctest.Issuer
	prefix string
}

func newWebIdentityFixture(t *testing.T, claimTags []store.ClaimTag) *webIdentityFixture {
	t.Helper()
	iss := oidctest.New(t, oidctest.Config{})
	svc, clock := newCRUDService(t, func(o *Options) {
		o.InsecureAllowHTTPLoopbackIssuers = true
		o.Verifier = oidc.NewVerifier(oidc.Options{InsecureAllowHTTPLoopback: true})
	})
	clock.t = time.Now().UTC()
	_, err := svc.CreateOpenIDConnectProvider(context.Background(), &CreateProviderInput{URL: iss.URL(),
		ClientIDs: []string{"sts.amazonaws.com"}, ClaimTags: claimTags})
	must(t, err)
	return &webIdentityFixture{svc: svc, clock: clock, issuer: iss, prefix: ConditionKeyPrefix(iss.URL())}
}

// role creates the role "deploy" trusting the issuer's tokens of acme/app for actions.
func (f *webIdentityFixture) role(t *testing.T, actions string) string {
	t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
	 "Principal":{"Federated":"` + f.svc.ProviderARN(f.issuer.URL()) + `"},"Action":` + actions + `,
	 "Condition":{"StringEquals":{"` + f.prefix + `:aud":"sts.amazonaws.com"},"StringLike":{"` + f.prefix + `:sub":"repo:acme/app:*"}}}]}`
	r, err := f.svc.CreateRole(context.Background(), &CreateRoleInput{Name: "deploy", TrustPolicy: trust})
	must(t, err)
	return r.ARN
}

func (f *webIdentityFixture) assume(t *testing.T, roleARN string, extra map[string]any) (*AssumedRole, error) {
	t.Helper()
	claims := oidctest.GitHubClaims(f.issuer.URL(), "sts.amazonaws.com", "acme/app", f.clock.t)
	for k, v := range extra {
		claims[k] = v
	}
	return f.svc.AssumeRoleWithWebIdentity(context.Background(), &WebIdentityInput{Token: f.issuer.Sign(claims),
		SessionInput: SessionInput{RoleARN: roleARN, SessionName: "GitHubActions"}})
}

func (f *webIdentityFixture) sessionOf(t *testing.T, out *AssumedRole) *session.Claims {
	t.Helper()
	p, _, err := f.svc.Authenticate(context.Background(), out.Credentials.AccessKeyID, out.Credentials.SessionToken)
	must(t, err)
	return p.Session
}

var awsTags = map[string]any{"https://aws.amazon.com/tags": map[string]any{
	"principal_tags": map[string]any{"team": []any{"platform"}}, "transitive_tag_keys": []any{"team"}}}

func TestTokenSessionTagsNeedTagSessionInTheTrustPolicy(t *testing.T) {
	f := newWebIdentityFixture(t, nil)
	arn := f.role(t, `"sts:AssumeRoleWithWebIdentity"`)
	_, err := f.assume(t, arn, awsTags)
	wantError(t, err, KindAccessDenied, "Not authorized to perform sts:TagSession")
	if e := err.(*Error); !strings.Contains(e.Reason, "the token carries session tags") {
		t.Fatalf("reason %q", e.Reason)
	}
}

func TestTokenSessionTagsAreKeptWhenTheTrustPolicyAllowsThem(t *testing.T) {
	f := newWebIdentityFixture(t, nil)
	arn := f.role(t, `["sts:AssumeRoleWithWebIdentity","sts:TagSession"]`)
	out, err := f.assume(t, arn, awsTags)
	must(t, err)
	c := f.sessionOf(t, out)
	if len(c.Tags) != 1 || c.Tags[0] != (session.Tag{Key: "team", Value: "platform"}) || len(c.Transitive) != 1 {
		t.Fatalf("session tags %+v transitive %v", c.Tags, c.Transitive)
	}
}

func TestTheProvidersClaimMappingBecomesSessionTags(t *testing.T) {
	f := newWebIdentityFixture(t, []store.ClaimTag{{Claim: "repository", Tag: "repository"}, {Claim: "environment", Tag: "env"}})
	arn := f.role(t, `"sts:AssumeRoleWithWebIdentity"`)
	out, err := f.assume(t, arn, map[string]any{"environment": "prod"})
	must(t, err)
	c := f.sessionOf(t, out)
	got := map[string]string{}
	for _, tag := range c.Tags {
		got[tag.Key] = tag.Value
	}
	if got["repository"] != "acme/app" || got["env"] != "prod" || len(got) != 2 {
		t.Fatalf("session tags %v", got)
	}
	// The tags reach policies as aws:PrincipalTag: a policy variable scopes the prefix.
	_, err = f.svc.CreatePolicy(context.Background(), &CreatePolicyInput{Name: "artifacts",
		Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::artifacts/${aws:PrincipalTag/repository}/*"}]}`})
	must(t, err)
	must(t, f.svc.AttachRolePolicy(context.Background(), "deploy", f.svc.PolicyARN("/", "artifacts")))
	p, _, err := f.svc.Authenticate(context.Background(), out.Credentials.AccessKeyID, out.Credentials.SessionToken)
	must(t, err)
	if err := f.svc.Authorize(context.Background(), p, &AccessRequest{Action: "s3:PutObject", Resource: "arn:aws:s3:::artifacts/acme/app/build.tgz"}); err != nil {
		t.Fatalf("own prefix: %v", err)
	}
	err = f.svc.Authorize(context.Background(), p, &AccessRequest{Action: "s3:PutObject", Resource: "arn:aws:s3:::artifacts/evil/app/build.tgz"})
	wantError(t, err, KindAccessDenied, "s3:PutObject")
}

func TestTheSourceIdentityClaimNeedsSetSourceIdentity(t *testing.T) {
	f := newWebIdentityFixture(t, nil)
	arn := f.role(t, `"sts:AssumeRoleWithWebIdentity"`)
	si := map[string]any{"https://aws.amazon.com/source_identity": "alice"}
	_, err := f.assume(t, arn, si)
	wantError(t, err, KindAccessDenied, "sts:SetSourceIdentity")

	g := newWebIdentityFixture(t, nil)
	arn = g.role(t, `["sts:AssumeRoleWithWebIdentity","sts:SetSourceIdentity"]`)
	out, err := g.assume(t, arn, si)
	must(t, err)
	if out.SourceIdentity != "alice" || g.sessionOf(t, out).SourceIdentity != "alice" {
		t.Fatalf("source identity %q", out.SourceIdentity)
	}
}

func TestTheSessionIsNotCutToTheTokensLife(t *testing.T) {
	f := newWebIdentityFixture(t, nil)
	arn := f.role(t, `"sts:AssumeRoleWithWebIdentity"`)
	out, err := f.assume(t, arn, nil) // the token lives 5 minutes
	must(t, err)
	if d := out.Credentials.Expiration.Sub(f.clock.t); d != DefaultSessionDuration {
		t.Fatalf("session lasts %v, want %v", d, DefaultSessionDuration)
	}
}
