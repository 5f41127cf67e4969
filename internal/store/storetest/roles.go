package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

func roleTests() []test {
	ctx := context.Background()
	return []test{
		{"a created role reads back equal, whatever the case of the name asked for", func(t *testing.T, s store.Store) {
			r := sampleRole("Deploy")
			r.SessionsValidAfter = at(3)
			must(t, s.CreateRole(ctx, r), "CreateRole")
			for _, name := range []string{"Deploy", "deploy", "DEPLOY"} {
				got, err := s.GetRole(ctx, name)
				must(t, err, "GetRole "+name)
				equal(t, "GetRole "+name, got, r)
			}
		}},
		{"a role that was never revoked has a zero SessionsValidAfter", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("fresh")), "CreateRole")
			got, err := s.GetRole(ctx, "fresh")
			must(t, err, "GetRole")
			if !got.SessionsValidAfter.IsZero() {
				t.Fatalf("SessionsValidAfter = %v, want the zero time", got.SessionsValidAfter)
			}
		}},
		{"creating a role whose name differs only in case, or whose ID or ARN is taken, fails with ErrExists", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("Deploy")), "CreateRole")
			wantErr(t, s.CreateRole(ctx, sampleRole("DEPLOY")), store.ErrExists, "name in other case")
			sameID := sampleRole("other")
			sameID.ID = sampleRole("Deploy").ID
			wantErr(t, s.CreateRole(ctx, sameID), store.ErrExists, "same ID")
			sameARN := sampleRole("third")
			sameARN.ARN = sampleRole("Deploy").ARN
			wantErr(t, s.CreateRole(ctx, sameARN), store.ErrExists, "same ARN")
			got, err := s.GetRole(ctx, "deploy")
			must(t, err, "GetRole")
			equal(t, "stored spelling", got.Name, "Deploy")
		}},
		{"getting a missing role fails with ErrNotFound", func(t *testing.T, s store.Store) {
			_, err := s.GetRole(ctx, "missing")
			wantErr(t, err, store.ErrNotFound, "GetRole")
		}},
		{"roles list ordered by name case-insensitively, in their stored spelling", func(t *testing.T, s store.Store) {
			for _, name := range []string{"charlie", "Alpha", "bravo"} {
				must(t, s.CreateRole(ctx, sampleRole(name)), "CreateRole "+name)
			}
			rs, err := s.ListRoles(ctx)
			must(t, err, "ListRoles")
			var names []string
			for _, r := range rs {
				names = append(names, r.Name)
			}
			equal(t, "listed roles", names, []string{"Alpha", "bravo", "charlie"})
		}},
		{"updating a role changes its trust policy, tags and revocation marker", func(t *testing.T, s store.Store) {
			r := sampleRole("deploy")
			must(t, s.CreateRole(ctx, r), "CreateRole")
			revoked := time.Date(2026, 6, 1, 0, 0, 0, 999, time.UTC)
			must(t, s.UpdateRole(ctx, "DEPLOY", func(r *store.Role) error {
				r.TrustPolicy = `{"Version":"2012-10-17","Statement":[]}`
				r.Description = ""
				r.MaxSessionDuration = 43200
				r.PermissionsBoundary = ""
				r.Tags = []store.Tag{{Key: "z", Value: ""}, {Key: "a", Value: "1"}}
				r.SessionsValidAfter = revoked
				return nil
			}), "UpdateRole")
			got, err := s.GetRole(ctx, "deploy")
			must(t, err, "GetRole")
			want := r
			want.TrustPolicy = `{"Version":"2012-10-17","Statement":[]}`
			want.Description = ""
			want.MaxSessionDuration = 43200
			want.PermissionsBoundary = ""
			want.Tags = []store.Tag{{Key: "a", Value: "1"}, {Key: "z", Value: ""}}
			want.SessionsValidAfter = revoked.Truncate(time.Microsecond)
			equal(t, "updated role", got, want)
		}},
		{"an update may not change a role's ID, name, path or ARN, not even the case of its name", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			for field, mutate := range map[string]func(*store.Role){
				"ID":   func(r *store.Role) { r.ID = "AROAOTHER" },
				"Name": func(r *store.Role) { r.Name = "Deploy" },
				"Path": func(r *store.Role) { r.Path = "/" },
				"ARN":  func(r *store.Role) { r.ARN = "arn:aws:iam::000000000000:role/deploy" },
			} {
				err := s.UpdateRole(ctx, "deploy", func(r *store.Role) error { mutate(r); return nil })
				wantErr(t, err, store.ErrInvalid, "changed "+field)
			}
			got, err := s.GetRole(ctx, "deploy")
			must(t, err, "GetRole")
			equal(t, "role after refused updates", got, sampleRole("deploy"))
		}},
		{"a role update's error comes back unchanged and nothing is written", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			err := s.UpdateRole(ctx, "deploy", func(r *store.Role) error {
				r.TrustPolicy = "changed"
				return errRefused
			})
			if err != errRefused {
				t.Fatalf("UpdateRole returned %v, want the function's own error", err)
			}
			got, err := s.GetRole(ctx, "deploy")
			must(t, err, "GetRole")
			equal(t, "trust policy", got.TrustPolicy, sampleRole("deploy").TrustPolicy)
		}},
		{"updating or deleting a missing role fails with ErrNotFound", func(t *testing.T, s store.Store) {
			wantErr(t, s.UpdateRole(ctx, "missing", func(*store.Role) error { return nil }), store.ErrNotFound, "UpdateRole")
			wantErr(t, s.DeleteRole(ctx, "missing", store.Restrict), store.ErrNotFound, "DeleteRole Restrict")
			wantErr(t, s.DeleteRole(ctx, "missing", store.Cascade), store.ErrNotFound, "DeleteRole Cascade")
		}},
		{"deleting a role with Restrict refuses with ErrConflict while it has an inline or attached policy", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("inline")), "CreateRole inline")
			must(t, s.PutRolePolicy(ctx, inlinePolicy("inline", "p"), nil), "PutRolePolicy")
			wantErr(t, s.DeleteRole(ctx, "inline", store.Restrict), store.ErrConflict, "role with an inline policy")

			must(t, s.CreateRole(ctx, sampleRole("attached")), "CreateRole attached")
			mp := sampleManaged("read")
			must(t, s.CreateManagedPolicy(ctx, mp), "CreateManagedPolicy")
			must(t, s.AttachRolePolicy(ctx, "attached", mp.ARN, nil), "AttachRolePolicy")
			wantErr(t, s.DeleteRole(ctx, "ATTACHED", store.Restrict), store.ErrConflict, "role with an attachment")

			for _, name := range []string{"inline", "attached"} {
				_, err := s.GetRole(ctx, name)
				must(t, err, "GetRole "+name+" after refused delete")
			}
			must(t, s.DeleteRolePolicy(ctx, "inline", "p"), "DeleteRolePolicy")
			must(t, s.DeleteRole(ctx, "inline", store.Restrict), "DeleteRole once bare")
			_, err := s.GetRole(ctx, "inline")
			wantErr(t, err, store.ErrNotFound, "GetRole after delete")
		}},
		{"deleting a role with Cascade removes its inline policies and attachments, and a new role of that name starts bare", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			must(t, s.PutRolePolicy(ctx, inlinePolicy("deploy", "p"), nil), "PutRolePolicy")
			mp := sampleManaged("read")
			must(t, s.CreateManagedPolicy(ctx, mp), "CreateManagedPolicy")
			must(t, s.AttachRolePolicy(ctx, "deploy", mp.ARN, nil), "AttachRolePolicy")
			must(t, s.DeleteRole(ctx, "Deploy", store.Cascade), "DeleteRole Cascade")

			got, err := s.GetManagedPolicy(ctx, mp.ARN)
			must(t, err, "GetManagedPolicy")
			equal(t, "attachment count after cascade", got.AttachmentCount, 0)
			must(t, s.DeleteManagedPolicy(ctx, mp.ARN), "DeleteManagedPolicy once detached by the cascade")

			again := sampleRole("deploy")
			again.ID = "AROANEWID"
			must(t, s.CreateRole(ctx, again), "CreateRole again")
			ps, err := s.ListRolePolicies(ctx, "deploy")
			must(t, err, "ListRolePolicies")
			equal(t, "inline policies of the new role", len(ps), 0)
			ap, err := s.ListAttachedRolePolicies(ctx, "deploy")
			must(t, err, "ListAttachedRolePolicies")
			equal(t, "attached policies of the new role", len(ap), 0)
		}},
		{"a role with an empty key or unstorable text is refused with ErrInvalid", func(t *testing.T, s store.Store) {
			for name, mutate := range map[string]func(*store.Role){
				"empty ID":                   func(r *store.Role) { r.ID = "" },
				"empty name":                 func(r *store.Role) { r.Name = "" },
				"empty ARN":                  func(r *store.Role) { r.ARN = "" },
				"invalid UTF-8 trust policy": func(r *store.Role) { r.TrustPolicy = "{\"\xff\"}" },
				"NUL in description":         func(r *store.Role) { r.Description = "\x00" },
			} {
				r := sampleRole("invalid")
				mutate(&r)
				wantErr(t, s.CreateRole(ctx, r), store.ErrInvalid, name)
			}
			must(t, s.CreateRole(ctx, sampleRole("valid")), "CreateRole valid")
			wantErr(t, s.UpdateRole(ctx, "valid", func(r *store.Role) error { r.Tags = []store.Tag{{Key: "k", Value: "\xfe"}}; return nil }),
				store.ErrInvalid, "update leaving an invalid tag")
			wantErr(t, s.DeleteRole(ctx, "valid", store.DeleteMode(99)), store.ErrInvalid, "unknown delete mode")
		}},
		{"a refused record's error names its key but never its document", func(t *testing.T, s store.Store) {
			r := sampleRole("leak")
			r.TrustPolicy = "SECRET-MARKER \xff"
			err := s.CreateRole(ctx, r)
			wantErr(t, err, store.ErrInvalid, "CreateRole")
			if msg := err.Error(); !strings.Contains(msg, "leak") || strings.Contains(msg, "SECRET-MARKER") {
				t.Fatalf("error %q should name the role and not quote its trust policy", msg)
			}
		}},
	}
}
