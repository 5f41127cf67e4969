package storetest

import (
	"context"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
)

// FuzzRoleRoundTrip checks, on one store, that every role the store accepts
// comes back byte for byte (tags sorted by key), found under any case of its
// name, and that every role it refuses is refused with ErrInvalid and leaves
// nothing behind.
func FuzzRoleRoundTrip(f *testing.F, open Opener) {
	f.Add("deploy", `{"Version":"2012-10-17"}`, "team", "platform", "/")
	f.Add("Ünïcödé", "\u2028\u2029<>&\"\\", "k", "", "/a/b/")
	f.Add("nul", "a\x00b", "k", "v", "/")
	f.Add("bad", "\xff\xfe", "\xc3", "v", "/")
	f.Add("ǅemo", "𝔘𝔫𝔦", "", "", "")
	s := openFresh(f, open)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, name, doc, tagKey, tagValue, path string) {
		r := store.Role{
			ID: "AROAFUZZ", Name: name, Path: path, ARN: "arn:aws:iam::000000000000:role" + path + name,
			TrustPolicy: doc, Description: doc, Tags: []store.Tag{{Key: tagKey, Value: tagValue}, {Key: "a", Value: doc}},
			CreateDate: at(0), MaxSessionDuration: 3600,
		}
		err := s.CreateRole(ctx, r)
		if r.Check() != nil {
			wantErr(t, err, store.ErrInvalid, "CreateRole of an unstorable role")
			rs, err := s.ListRoles(ctx)
			must(t, err, "ListRoles")
			equal(t, "roles stored after a refusal", len(rs), 0)
			return
		}
		must(t, err, "CreateRole")
		defer func() { must(t, s.DeleteRole(ctx, name, store.Restrict), "DeleteRole") }()
		want := r
		want.Tags = store.SortedTags(r.Tags)
		for _, asked := range []string{name, store.FoldName(name)} {
			got, err := s.GetRole(ctx, asked)
			must(t, err, "GetRole")
			equal(t, "role read back", got, want)
		}
		err = s.PutRolePolicy(ctx, store.RolePolicy{RoleName: name, Name: tagKey, Document: doc}, nil)
		if tagKey == "" {
			wantErr(t, err, store.ErrInvalid, "PutRolePolicy with an empty name")
			return
		}
		must(t, err, "PutRolePolicy")
		p, err := s.GetRolePolicy(ctx, name, tagKey)
		must(t, err, "GetRolePolicy")
		equal(t, "inline policy read back", p, store.RolePolicy{RoleName: name, Name: tagKey, Document: doc})
		must(t, s.DeleteRolePolicy(ctx, name, tagKey), "DeleteRolePolicy")
	})
}
