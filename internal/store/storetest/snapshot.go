package storetest

import (
	"context"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
)

// populate writes one of everything, with two roles (one bare) so that
// ordering and joins are exercised.
func populate(tb testing.TB, s store.Store) {
	tb.Helper()
	ctx := context.Background()
	must(tb, s.CreateProvider(ctx, sampleProvider("token.actions.githubusercontent.com")), "CreateProvider")
	must(tb, s.CreateRole(ctx, sampleRole("Deploy")), "CreateRole Deploy")
	must(tb, s.CreateRole(ctx, sampleRole("audit")), "CreateRole audit")
	must(tb, s.PutRolePolicy(ctx, inlinePolicy("deploy", "write"), nil), "PutRolePolicy write")
	must(tb, s.PutRolePolicy(ctx, inlinePolicy("deploy", "list"), nil), "PutRolePolicy list")
	must(tb, s.CreateManagedPolicy(ctx, sampleManaged("read")), "CreateManagedPolicy")
	must(tb, s.AttachRolePolicy(ctx, "deploy", sampleManaged("read").ARN, nil), "AttachRolePolicy")
	must(tb, s.AttachRolePolicy(ctx, "audit", sampleManaged("read").ARN, nil), "AttachRolePolicy")
	must(tb, s.AddSealingKey(ctx, sampleKey("k1", 0)), "AddSealingKey")
	must(tb, s.PutBucketPolicy(ctx, store.BucketPolicy{Bucket: "artifacts", Document: "{}"}), "PutBucketPolicy")
	must(tb, s.PutBucketSetting(ctx, store.BucketSetting{Bucket: "artifacts", Name: "cors", Document: "<CORSConfiguration/>"}), "PutBucketSetting")
}

// populated is the Snapshot of a store that populate wrote, without its
// generation.
func populated() *store.Snapshot {
	p := sampleProvider("token.actions.githubusercontent.com")
	p.Tags = store.SortedTags(p.Tags)
	read := sampleManaged("read")
	read.AttachmentCount = 2
	inline := func(name string) store.RolePolicy {
		rp := inlinePolicy("deploy", name)
		rp.RoleName = "Deploy"
		return rp
	}
	return &store.Snapshot{
		Providers:       []store.Provider{p},
		Roles:           []store.Role{sampleRole("audit"), sampleRole("Deploy")},
		RolePolicies:    []store.RolePolicy{inline("list"), inline("write")},
		ManagedPolicies: []store.ManagedPolicy{read},
		Attachments:     []store.Attachment{{RoleName: "audit", PolicyARN: read.ARN}, {RoleName: "Deploy", PolicyARN: read.ARN}},
		BucketPolicies:  []store.BucketPolicy{{Bucket: "artifacts", Document: "{}"}},
		BucketSettings:  []store.BucketSetting{{Bucket: "artifacts", Name: "cors", Document: "<CORSConfiguration/>"}},
	}
}

func snapshotTests() []test {
	ctx := context.Background()
	return []test{
		{"a snapshot holds the whole configuration in list order, with the current generation", func(t *testing.T, s store.Store) {
			populate(t, s)
			snap, err := s.Snapshot(ctx)
			must(t, err, "Snapshot")
			want := populated()
			want.Generation = generation(t, s)
			equal(t, "snapshot", snap, want)
		}},
		{"an empty store's snapshot is empty", func(t *testing.T, s store.Store) {
			snap, err := s.Snapshot(ctx)
			must(t, err, "Snapshot")
			equal(t, "snapshot", snap, &store.Snapshot{Generation: generation(t, s)})
		}},
		{"every successful write increases the generation", func(t *testing.T, s store.Store) {
			role, mp := sampleRole("deploy"), sampleManaged("read")
			writes := []struct {
				name string
				do   func() error
			}{
				{"CreateProvider", func() error { return s.CreateProvider(ctx, sampleProvider("g.example")) }},
				{"UpdateProvider", func() error {
					return s.UpdateProvider(ctx, sampleProvider("g.example").ARN, func(*store.Provider) error { return nil })
				}},
				{"DeleteProvider", func() error { return s.DeleteProvider(ctx, sampleProvider("g.example").ARN) }},
				{"CreateRole", func() error { return s.CreateRole(ctx, role) }},
				{"UpdateRole", func() error {
					return s.UpdateRole(ctx, "deploy", func(r *store.Role) error { r.Description = "x"; return nil })
				}},
				{"PutRolePolicy", func() error { return s.PutRolePolicy(ctx, inlinePolicy("deploy", "p"), nil) }},
				{"DeleteRolePolicy", func() error { return s.DeleteRolePolicy(ctx, "deploy", "p") }},
				{"CreateManagedPolicy", func() error { return s.CreateManagedPolicy(ctx, mp) }},
				{"UpdateManagedPolicy", func() error {
					return s.UpdateManagedPolicy(ctx, mp.ARN, func(p *store.ManagedPolicy) error { p.DefaultVersionID = "v2"; return nil })
				}},
				{"AttachRolePolicy", func() error { return s.AttachRolePolicy(ctx, "deploy", mp.ARN, nil) }},
				{"DetachRolePolicy", func() error { return s.DetachRolePolicy(ctx, "deploy", mp.ARN) }},
				{"DeleteManagedPolicy", func() error { return s.DeleteManagedPolicy(ctx, mp.ARN) }},
				{"DeleteRole", func() error { return s.DeleteRole(ctx, "deploy", store.Restrict) }},
				{"AddSealingKey", func() error { return s.AddSealingKey(ctx, sampleKey("k", 0)) }},
				{"RetireSealingKey", func() error { return s.RetireSealingKey(ctx, "k", at(1)) }},
				{"DeleteSealingKey", func() error { return s.DeleteSealingKey(ctx, "k") }},
				{"PutBucketPolicy", func() error { return s.PutBucketPolicy(ctx, store.BucketPolicy{Bucket: "b", Document: "{}"}) }},
				{"DeleteBucketPolicy", func() error { return s.DeleteBucketPolicy(ctx, "b") }},
				{"PutBucketSetting", func() error {
					return s.PutBucketSetting(ctx, store.BucketSetting{Bucket: "b", Name: "cors", Document: "<x/>"})
				}},
				{"DeleteBucketSetting", func() error { return s.DeleteBucketSetting(ctx, "b", "cors") }},
			}
			before := generation(t, s)
			for _, w := range writes {
				must(t, w.do(), w.name)
				after := generation(t, s)
				if after <= before {
					t.Fatalf("generation after %s = %d, want more than %d", w.name, after, before)
				}
				before = after
			}
		}},
		{"failed writes and reads leave the generation unchanged", func(t *testing.T, s store.Store) {
			populate(t, s)
			before := generation(t, s)
			failures := map[string]error{
				"duplicate CreateRole":       s.CreateRole(ctx, sampleRole("DEPLOY")),
				"refused UpdateRole":         s.UpdateRole(ctx, "deploy", func(r *store.Role) error { r.Description = "x"; return errRefused }),
				"identity-changing Update":   s.UpdateRole(ctx, "deploy", func(r *store.Role) error { r.ID = "other"; return nil }),
				"refused admit":              s.PutRolePolicy(ctx, inlinePolicy("deploy", "new"), func([]store.RolePolicy) error { return errRefused }),
				"DeleteRole with conflict":   s.DeleteRole(ctx, "deploy", store.Restrict),
				"DeleteProvider missing":     s.DeleteProvider(ctx, "missing"),
				"invalid CreateManaged":      s.CreateManagedPolicy(ctx, store.ManagedPolicy{}),
				"DeleteManaged while in use": s.DeleteManagedPolicy(ctx, sampleManaged("read").ARN),
			}
			for name, err := range failures {
				if err == nil {
					t.Fatalf("%s succeeded, want a failure", name)
				}
			}
			_, _ = s.Snapshot(ctx)
			_, _ = s.ListRoles(ctx)
			_, _ = s.GetRole(ctx, "deploy")
			equal(t, "generation after failures and reads", generation(t, s), before)
		}},
	}
}

// testRestart writes one of everything, closes the store, reopens its
// location and expects the same snapshot, keys and generation.
func testRestart(t *testing.T, open Opener) {
	ctx := context.Background()
	loc := location(t)
	s := open(t, loc)
	populate(t, s)
	must(t, s.RetireSealingKey(ctx, "k1", at(1)), "RetireSealingKey")
	must(t, s.AddSealingKey(ctx, sampleKey("k2", 1)), "AddSealingKey k2")
	must(t, s.UpdateRole(ctx, "deploy", func(r *store.Role) error { r.SessionsValidAfter = at(4); return nil }), "UpdateRole")
	snapBefore, err := s.Snapshot(ctx)
	must(t, err, "Snapshot before close")
	keysBefore, err := s.ListSealingKeys(ctx)
	must(t, err, "ListSealingKeys before close")
	must(t, s.Close(), "Close")

	s = open(t, loc)
	t.Cleanup(func() { must(t, s.Close(), "Close after reopen") })
	snapAfter, err := s.Snapshot(ctx)
	must(t, err, "Snapshot after reopen")
	equal(t, "snapshot across a restart", snapAfter, snapBefore)
	keysAfter, err := s.ListSealingKeys(ctx)
	must(t, err, "ListSealingKeys after reopen")
	equal(t, "sealing keys across a restart", keysAfter, keysBefore)
	equal(t, "generation across a restart", generation(t, s), snapBefore.Generation)
	role, err := s.GetRole(ctx, "deploy")
	must(t, err, "GetRole after reopen")
	equal(t, "revocation marker across a restart", role.SessionsValidAfter, at(4))
	must(t, s.CreateRole(ctx, sampleRole("after-restart")), "CreateRole after reopen")
	if g := generation(t, s); g <= snapBefore.Generation {
		t.Fatalf("generation after a write following the restart = %d, want more than %d", g, snapBefore.Generation)
	}
}
