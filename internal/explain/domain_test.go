package explain

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

// clock is the domain's settable clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// domain is the real iam.Service on a SQLite store, with an in-process OIDC issuer
// registered as a provider (audience sts.amazonaws.com, claim tag repository).
type domain struct {
	svc    *iam.Service
	issuer *oidctest.Issuer
	clock  *clock
	// prefix is the issuer's condition-key prefix; provider its ARN.
	prefix, provider string
}

func newDomain(t *testing.T) *domain {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "inkan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := &clock{t: now.Add(123456789)}
	d := &domain{issuer: oidctest.New(t, oidctest.Config{}), clock: c}
	d.svc, err = iam.New(ctx, iam.Options{Store: st, Account: account, Now: c.Now, Rand: rand.NewChaCha8([32]byte{1}),
		Verifier:                         oidc.NewVerifier(oidc.Options{Now: c.Now, InsecureAllowHTTPLoopback: true}),
		InsecureAllowHTTPLoopbackIssuers: true, LintWarnOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	p, err := d.svc.CreateOpenIDConnectProvider(ctx, &iam.CreateProviderInput{URL: d.issuer.URL(),
		ClientIDs: []string{"sts.amazonaws.com", "inkan"}, ClaimTags: []store.ClaimTag{{Claim: "repository", Tag: "repository"}}})
	if err != nil {
		t.Fatal(err)
	}
	d.prefix, d.provider = KeyPrefix(d.issuer.URL()), p.ARN
	return d
}

// localise rewrites a document written for GitHub's issuer to the test issuer.
func (d *domain) localise(doc string) string {
	return strings.ReplaceAll(strings.ReplaceAll(doc, ghProvider, d.provider), ghPrefix+":", d.prefix+":")
}

// role creates a role with a trust policy, inline policies and an optional boundary document.
func (d *domain) role(t *testing.T, name, trust string, inline map[string]string, boundary string) string {
	t.Helper()
	ctx := context.Background()
	in := &iam.CreateRoleInput{Name: name, TrustPolicy: d.localise(trust)}
	if boundary != "" {
		m, err := d.svc.CreatePolicy(ctx, &iam.CreatePolicyInput{Name: name + "-boundary", Document: boundary})
		if err != nil {
			t.Fatal(err)
		}
		in.PermissionsBoundary = m.ARN
	}
	r, err := d.svc.CreateRole(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for n, doc := range inline {
		if err := d.svc.PutRolePolicy(ctx, name, n, doc); err != nil {
			t.Fatal(err)
		}
	}
	return r.ARN
}

// token signs claims (with times from the domain's clock) by the test issuer.
func (d *domain) token(claims map[string]any) string {
	c := map[string]any{"iat": d.clock.Now().Unix(), "exp": d.clock.Now().Add(5 * time.Minute).Unix()}
	for k, v := range claims {
		c[k] = v
	}
	return d.issuer.Sign(c)
}

// TestTheSimulatorAgreesWithTheDomainOnEveryTrustCase runs every trust-policy denial cause
// through iam.Service's AssumeRoleWithWebIdentity with a real signed token, and checks that
// its reason is the simulator's: the two build the same request.
func TestTheSimulatorAgreesWithTheDomainOnEveryTrustCase(t *testing.T) {
	d := newDomain(t)
	for i, c := range trustCases() {
		t.Run(c.name, func(t *testing.T) {
			w := webIdentity(t, d.localise(c.trust), claimsOf(t, c.job))
			w.Claims["iss"], w.Provider = d.issuer.URL(), Provider{URL: d.issuer.URL(), ClientIDs: []string{"sts.amazonaws.com", "inkan"}}
			if c.edit != nil {
				c.edit(w)
			}
			w.Provider.ClientIDs = []string{"sts.amazonaws.com", "inkan"}
			w.Now = d.clock.Now()
			w.RoleARN = d.role(t, "case"+strings.Repeat("x", i), c.trust, nil, "")
			sim, err := SimulateWebIdentity(w)
			if err != nil {
				t.Fatal(err)
			}
			_, err = d.svc.AssumeRoleWithWebIdentity(context.Background(), &iam.WebIdentityInput{Token: d.token(w.Claims),
				SessionInput: iam.SessionInput{RoleARN: w.RoleARN, SessionName: w.SessionName, SourceIP: w.SourceIP, SecureTransport: w.Secure}})
			var e *iam.Error
			if !errors.As(err, &e) {
				t.Fatalf("the domain did not refuse: %v", err)
			}
			if sim.Trace == nil { // refused before the trust policy: the domain says so too
				if e.Kind != iam.KindInvalidIdentityToken || sim.Allowed {
					t.Fatalf("domain %v, simulation %s", err, sim.Verdict)
				}
				return
			}
			if want := verdict(false, e.Reason); sim.Verdict != want {
				t.Fatalf("simulation\n  %s\ndomain\n  %s", sim.Verdict, want)
			}
		})
	}
}

// permCase is one way a role session's request is refused by the domain.
type permCase struct {
	name     string
	inline   map[string]string
	boundary string
	session  string // session policy passed at assume time
	action   string
	resource string
	keys     policy.Keys
	// before runs after the session was created, before the request.
	before func(t *testing.T, d *domain, role string)
	reason string
	// simulated: the simulator, given the same documents, must give the same reason.
	simulated bool
}

func doc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

const (
	allowS3Builds = `{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::builds","arn:aws:s3:::builds/*"]}`
	allowGet      = `{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::builds/*"}`
	allowAppRW    = `{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::builds/app/*"}`
)

func permCases() []permCase {
	put := "arn:aws:s3:::builds/app/x.tgz"
	return []permCase{
		{name: "a session policy narrowing the role", inline: map[string]string{"s3": doc(allowS3Builds)}, session: doc(allowGet),
			action: "s3:PutObject", resource: put, simulated: true,
			reason: "the session policy does not allow s3:PutObject on " + put},
		{name: "a permissions boundary", inline: map[string]string{"s3": doc(allowS3Builds)}, boundary: doc(allowGet),
			action: "s3:PutObject", resource: put, simulated: true,
			reason: "the permissions boundary does not allow s3:PutObject on " + put},
		{name: "a condition of the permissions boundary", inline: map[string]string{"s3": doc(allowS3Builds)},
			boundary: doc(`{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}`),
			action:   "s3:GetObject", resource: put, keys: policy.Keys{"aws:securetransport": {"false"}}, simulated: true,
			reason: `the permissions boundary does not allow s3:GetObject on ` + put + `: aws:SecureTransport "false" matches none of ["true"] (Bool, Statement[0], permissions boundary "arn:aws:iam::` + account + `:policy/deploy-boundary")`},
		{name: "an explicit deny beating an allow", inline: map[string]string{"s3": doc(allowS3Builds,
			`{"Sid":"KeepReleases","Effect":"Deny","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::builds/releases/*"}`)},
			action: "s3:DeleteObject", resource: "arn:aws:s3:::builds/releases/v1.tgz", simulated: true,
			reason: `explicitly denied by Statement[1] "KeepReleases" (identity policy "s3")`},
		{name: "the wrong bucket", inline: map[string]string{"s3": doc(allowS3Builds)},
			action: "s3:PutObject", resource: "arn:aws:s3:::artifacts/app/x.tgz", simulated: true,
			reason: "no statement allows s3:PutObject on arn:aws:s3:::artifacts/app/x.tgz (identity policies)"},
		{name: "the wrong prefix", inline: map[string]string{"rw": doc(allowAppRW)},
			action: "s3:PutObject", resource: "arn:aws:s3:::builds/web/x.tgz", simulated: true,
			reason: "no statement allows s3:PutObject on arn:aws:s3:::builds/web/x.tgz (identity policies)"},
		{name: "a listing without s3:ListBucket", inline: map[string]string{"rw": doc(allowAppRW)},
			action: "s3:ListBucket", resource: "arn:aws:s3:::builds", keys: policy.Keys{"s3:prefix": {"app/"}}, simulated: true,
			reason: "no statement allows s3:ListBucket on arn:aws:s3:::builds (identity policies)"},
		{name: "a listing outside the allowed prefix", inline: map[string]string{"list": doc(allowAppRW,
			`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::builds","Condition":{"StringLike":{"s3:prefix":"app/*"}}}`)},
			action: "s3:ListBucket", resource: "arn:aws:s3:::builds", keys: policy.Keys{"s3:prefix": {"web/"}}, simulated: true,
			reason: `s3:prefix "web/" matches none of ["app/*"] (StringLike, Statement[1], identity policy "list")`},
		{name: "another repository's prefix through a principal tag", inline: map[string]string{"own": doc(
			`{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::builds/${aws:PrincipalTag/repository}/*"}`)},
			action: "s3:PutObject", resource: "arn:aws:s3:::builds/acme/web/x.tgz", simulated: true,
			reason: "no statement allows s3:PutObject on arn:aws:s3:::builds/acme/web/x.tgz (identity policies)"},
		{name: "an expired session", inline: map[string]string{"s3": doc(allowS3Builds)}, action: "s3:GetObject", resource: put,
			before: func(t *testing.T, d *domain, _ string) { d.clock.Advance(2 * time.Hour) },
			reason: "the session expired at 2026-09-01T13:00:00Z"},
		{name: "a revoked session", inline: map[string]string{"s3": doc(allowS3Builds)}, action: "s3:GetObject", resource: put,
			before: func(t *testing.T, d *domain, role string) {
				d.clock.Advance(time.Minute)
				if _, err := d.svc.RevokeRoleSessions(context.Background(), role); err != nil {
					t.Fatal(err)
				}
			},
			reason: "sessions of role deploy issued before 2026-09-01T12:01:00Z are revoked (this one was issued 2026-09-01T12:00:00Z)"},
		{name: "a role deleted since", action: "s3:GetObject", resource: put,
			before: func(t *testing.T, d *domain, role string) {
				if err := d.svc.DeleteRole(context.Background(), role); err != nil {
					t.Fatal(err)
				}
			},
			reason: "role arn:aws:iam::" + account + ":role/deploy of this session no longer exists"},
	}
}

func TestEveryDenialCauseOfASessionHasItsOneSentenceReasonFromTheDomain(t *testing.T) {
	for _, c := range permCases() {
		t.Run(c.name, func(t *testing.T) {
			d := newDomain(t)
			const name = "deploy"
			arn := d.role(t, name, seedTrust, c.inline, c.boundary)
			claims := oidctest.GitHubClaims(d.issuer.URL(), "sts.amazonaws.com", "acme/app", d.clock.Now())
			ctx := context.Background()
			out, err := d.svc.AssumeRoleWithWebIdentity(ctx, &iam.WebIdentityInput{Token: d.token(claims),
				SessionInput: iam.SessionInput{RoleARN: arn, SessionName: "GitHubActions", Policy: c.session}})
			if err != nil {
				t.Fatal(err)
			}
			if c.before != nil {
				c.before(t, d, name)
			}
			err = authorize(ctx, d, out.Credentials, c.action, c.resource, c.keys)
			var e *iam.Error
			if !errors.As(err, &e) {
				t.Fatalf("not refused: %v", err)
			}
			if e.Reason != c.reason {
				t.Fatalf("reason\n  %s\nwant\n  %s", e.Reason, c.reason)
			}
			if c.simulated {
				checkSimulation(t, d, &c, arn, out, e)
			}
		})
	}
}

// authorize authenticates the session's credentials and authorizes the request, as the S3
// endpoint does.
func authorize(ctx context.Context, d *domain, creds iam.Credentials, action, resource string, keys policy.Keys) error {
	p, _, err := d.svc.Authenticate(ctx, creds.AccessKeyID, creds.SessionToken)
	if err != nil {
		return err
	}
	return d.svc.Authorize(ctx, p, &iam.AccessRequest{Action: action, Resource: resource, Keys: keys})
}

// checkSimulation runs the case through SimulatePermissions with the same documents, and
// checks the reason and the trace against the domain's. The policies are named as the
// domain names them: inline policies by name, managed ones (the boundary) by ARN.
func checkSimulation(t *testing.T, d *domain, c *permCase, roleARN string, out *iam.AssumedRole, e *iam.Error) {
	t.Helper()
	in := &Permissions{Session: Session{Account: account, RoleARN: roleARN, RoleID: strings.Split(out.ID, ":")[0],
		SessionName: "GitHubActions", Tags: map[string]string{"repository": "acme/app"}, Provider: d.provider,
		Issued: d.clock.Now()}, Action: c.action, Resource: c.resource, Context: c.keys, Now: d.clock.Now()}
	for name, doc := range c.inline {
		in.Identity = append(in.Identity, mustParse(t, doc, policy.Identity).Named(name))
	}
	if c.boundary != "" {
		in.Boundary = mustParse(t, c.boundary, policy.Identity).Named("arn:aws:iam::" + account + ":policy/deploy-boundary")
	}
	if c.session != "" {
		in.SessionPolicies = []*policy.Policy{mustParse(t, c.session, policy.Session)}
	}
	sim, err := SimulatePermissions(in)
	if err != nil {
		t.Fatal(err)
	}
	if sim.Verdict != verdict(false, e.Reason) {
		t.Fatalf("simulation\n  %s\ndomain\n  %s", sim.Verdict, e.Reason)
	}
	domainTrace, err := FromPolicy(e.Trace)
	if err != nil {
		t.Fatal(err)
	}
	if len(domainTrace.Failures()) != len(sim.Trace.Failures()) || domainTrace.Decision != sim.Trace.Decision {
		t.Fatalf("traces differ:\n  domain %+v\n  simulation %+v", domainTrace.Decision, sim.Trace.Decision)
	}
}
