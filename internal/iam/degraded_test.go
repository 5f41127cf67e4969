package iam

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/oidc/oidctest"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/storetest"
)

// degradedFixture is a web identity fixture whose store can be switched off.
func degradedFixture(t *testing.T) (*webIdentityFixture, *storetest.Outage) {
	t.Helper()
	var outage *storetest.Outage
	iss := oidctest.New(t, oidctest.Config{})
	svc, clock := newCRUDService(t, func(o *Options) {
		o.InsecureAllowHTTPLoopbackIssuers = true
		o.Verifier = oidc.NewVerifier(oidc.Options{InsecureAllowHTTPLoopback: true})
		outage = storetest.NewOutage(o.Store)
		o.Store = outage
	})
	clock.t = time.Now().UTC() // the issuer mints tokens for now
	ctx := context.Background()
	_, err := svc.CreateOpenIDConnectProvider(ctx, &CreateProviderInput{URL: iss.URL(), ClientIDs: []string{"sts.amazonaws.com"}})
	must(t, err)
	return &webIdentityFixture{svc: svc, clock: clock, issuer: iss, prefix: ConditionKeyPrefix(iss.URL())}, outage
}

const readData = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","sts:AssumeRole"],"Resource":"*"}]}`

func TestWithTheStoreDownExchangesAndAuthorizationGoOnWithoutTouchingIt(t *testing.T) {
	f, outage := degradedFixture(t)
	ctx := context.Background()
	roleARN := f.role(t, `"sts:AssumeRoleWithWebIdentity"`)
	must(t, f.svc.PutRolePolicy(ctx, "deploy", "read", readData))
	// A second role the first may chain into, and a bucket policy S3 consults.
	chained, err := f.svc.CreateRole(ctx, &CreateRoleInput{Name: "chained", TrustPolicy: chainTrustOf(roleARN)})
	must(t, err)
	must(t, f.svc.PutBucketPolicy(ctx, "data", publicRead))
	must(t, f.svc.PutBucketSetting(ctx, "data", "cors", "<CORSConfiguration/>"))
	policies := NewBucketPolicyCache(f.svc)

	outage.SetDown(true)
	out, err := f.assume(t, roleARN, nil)
	must(t, err)
	p, _, err := f.svc.Authenticate(ctx, out.Credentials.AccessKeyID, out.Credentials.SessionToken)
	must(t, err)
	if id := f.svc.GetCallerIdentity(p); id.ARN == "" {
		t.Fatal("GetCallerIdentity answered no ARN")
	}
	bp, err := policies.BucketPolicy(ctx, "data")
	if err != nil || bp == nil {
		t.Fatalf("bucket policy with the store down: %v, %v", bp, err)
	}
	must(t, f.svc.Authorize(ctx, p, &AccessRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a", ResourcePolicy: bp}))
	if doc, ok := f.svc.BucketSetting("data", "cors"); !ok || doc != "<CORSConfiguration/>" {
		t.Fatalf("the CORS setting with the store down: %q, %v", doc, ok)
	}
	_, err = f.svc.AssumeRole(ctx, p, &AssumeRoleInput{SessionInput: SessionInput{RoleARN: chained.ARN, SessionName: "chain"}})
	must(t, err)
	if n := outage.Calls(); n != 0 {
		t.Fatalf("the hot paths made %d store calls, want none", n)
	}
}

func TestWithTheStoreDownWritesAreRefusedRetryablyAndApplyNothing(t *testing.T) {
	f, outage := degradedFixture(t)
	ctx := context.Background()
	roleARN := f.role(t, `"sts:AssumeRoleWithWebIdentity"`)
	outage.SetDown(true)
	writes := map[string]func() error{
		"CreateRole": func() error {
			_, err := f.svc.CreateRole(ctx, &CreateRoleInput{Name: "later", TrustPolicy: chainTrustOf(roleARN)})
			return err
		},
		"RevokeRoleSessions": func() error { _, err := f.svc.RevokeRoleSessions(ctx, "deploy"); return err },
		"RotateSealingKeys":  func() error { return f.svc.RotateSealingKeys(ctx) },
		"PutBucketPolicy":    func() error { return f.svc.PutBucketPolicy(ctx, "data", publicRead) },
		"PutBucketSetting":   func() error { return f.svc.PutBucketSetting(ctx, "data", "cors", "<CORSConfiguration/>") },
		"GetRole":            func() error { _, err := f.svc.GetRole(ctx, "deploy"); return err },
	}
	for name, write := range writes {
		err := write()
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindUnavailable || !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s with the store down: %v, want KindUnavailable wrapping store.ErrUnavailable", name, err)
		}
	}
	if err := f.svc.Refresh(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Refresh with the store down: %v", err)
	}
	// The exchange still works from the snapshot: the revocation was not applied.
	if _, err := f.assume(t, roleARN, nil); err != nil {
		t.Fatalf("exchange after refused writes: %v", err)
	}
	outage.SetDown(false)
	if _, err := f.svc.GetRole(ctx, "later"); KindOf(err) != KindNoSuchEntity {
		t.Fatalf("a refused CreateRole left a role behind: %v", err)
	}
	_, err := f.svc.CreateRole(ctx, &CreateRoleInput{Name: "later", TrustPolicy: chainTrustOf(roleARN)})
	must(t, err)
}

func chainTrustOf(roleARN string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + roleARN + `"},"Action":"sts:AssumeRole"}]}`
}

func TestASealingKeyRotationOnOneNodeKeepsEverySessionValidOnTheOther(t *testing.T) {
	f, _ := degradedFixture(t)
	ctx := context.Background()
	roleARN := f.role(t, `"sts:AssumeRoleWithWebIdentity"`)
	// A second node on the same store.
	other, err := New(ctx, f.svc.opt)
	must(t, err)
	before, err := f.assume(t, roleARN, nil)
	must(t, err)
	must(t, other.RotateSealingKeys(ctx))
	must(t, f.svc.Refresh(ctx))
	after, err := f.assume(t, roleARN, nil)
	must(t, err)
	for _, node := range []*Service{f.svc, other} {
		for _, out := range []*AssumedRole{before, after} {
			if _, _, err := node.Authenticate(ctx, out.Credentials.AccessKeyID, out.Credentials.SessionToken); err != nil {
				t.Fatalf("a session was refused after the rotation: %v", err)
			}
		}
	}
}

// reloadFails is a store whose snapshots fail while fail is set: the write went through,
// the store went away before the reload.
type reloadFails struct {
	store.Store
	fail bool
}

func (r *reloadFails) Snapshot(ctx context.Context) (*store.Snapshot, error) {
	if r.fail {
		return nil, store.ErrUnavailable
	}
	return r.Store.Snapshot(ctx)
}

func TestAWriteCommittedBeforeTheStoreWentAwayIsASuccessAndReachesTheSnapshotOnRefresh(t *testing.T) {
	var rf *reloadFails
	s, _ := newCRUDService(t, func(o *Options) { rf = &reloadFails{Store: o.Store}; o.Store = rf })
	ctx := context.Background()
	rf.fail = true
	if _, err := s.CreateRole(ctx, &CreateRoleInput{Name: "late", TrustPolicy: chainTrustOf("arn:aws:iam::" + testAccount + ":root")}); err != nil {
		t.Fatalf("a committed write answered %v: the caller would apply it again", err)
	}
	if _, ok := s.snap.Load().roles["late"]; ok {
		t.Fatal("the snapshot was reloaded although the store failed")
	}
	rf.fail = false
	must(t, s.Refresh(ctx))
	if _, ok := s.snap.Load().roles["late"]; !ok {
		t.Fatal("Refresh did not bring the committed role into the snapshot")
	}
}
