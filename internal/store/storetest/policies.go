package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
)

func rolePolicyTests() []test {
	ctx := context.Background()
	return []test{
		{"an inline policy reads back under the role's stored spelling, and putting it again replaces it", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("Deploy")), "CreateRole")
			p := inlinePolicy("deploy", "write")
			must(t, s.PutRolePolicy(ctx, p, nil), "PutRolePolicy")
			got, err := s.GetRolePolicy(ctx, "DEPLOY", "write")
			must(t, err, "GetRolePolicy")
			equal(t, "inline policy", got, store.RolePolicy{RoleName: "Deploy", Name: "write", Document: p.Document})
			p.Document = `{"Version":"2012-10-17","Statement":[]}`
			must(t, s.PutRolePolicy(ctx, p, nil), "PutRolePolicy again")
			ps, err := s.ListRolePolicies(ctx, "deploy")
			must(t, err, "ListRolePolicies")
			equal(t, "inline policies after replace", ps, []store.RolePolicy{{RoleName: "Deploy", Name: "write", Document: p.Document}})
		}},
		{"inline policy names are matched exactly, so names differing in case are two policies", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			must(t, s.PutRolePolicy(ctx, inlinePolicy("deploy", "Write"), nil), "PutRolePolicy Write")
			must(t, s.PutRolePolicy(ctx, inlinePolicy("deploy", "write"), nil), "PutRolePolicy write")
			ps, err := s.ListRolePolicies(ctx, "deploy")
			must(t, err, "ListRolePolicies")
			equal(t, "inline policies", ps, []store.RolePolicy{inlinePolicy("deploy", "Write"), inlinePolicy("deploy", "write")})
			_, err = s.GetRolePolicy(ctx, "deploy", "WRITE")
			wantErr(t, err, store.ErrNotFound, "GetRolePolicy in a third case")
		}},
		{"inline policies list by name, a role without any lists none, and other roles' policies stay apart", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("a")), "CreateRole a")
			must(t, s.CreateRole(ctx, sampleRole("b")), "CreateRole b")
			ps, err := s.ListRolePolicies(ctx, "a")
			must(t, err, "ListRolePolicies of a bare role")
			if ps != nil {
				t.Fatalf("ListRolePolicies of a bare role = %v, want nil", ps)
			}
			for _, name := range []string{"zeta", "alpha", "mid"} {
				must(t, s.PutRolePolicy(ctx, inlinePolicy("a", name), nil), "PutRolePolicy "+name)
			}
			must(t, s.PutRolePolicy(ctx, inlinePolicy("b", "other"), nil), "PutRolePolicy b")
			ps, err = s.ListRolePolicies(ctx, "a")
			must(t, err, "ListRolePolicies")
			equal(t, "inline policies of a", ps, []store.RolePolicy{inlinePolicy("a", "alpha"), inlinePolicy("a", "mid"), inlinePolicy("a", "zeta")})
		}},
		{"inline policy calls on a missing role or policy fail with ErrNotFound", func(t *testing.T, s store.Store) {
			wantErr(t, s.PutRolePolicy(ctx, inlinePolicy("missing", "p"), nil), store.ErrNotFound, "PutRolePolicy")
			_, err := s.GetRolePolicy(ctx, "missing", "p")
			wantErr(t, err, store.ErrNotFound, "GetRolePolicy, missing role")
			_, err = s.ListRolePolicies(ctx, "missing")
			wantErr(t, err, store.ErrNotFound, "ListRolePolicies")
			wantErr(t, s.DeleteRolePolicy(ctx, "missing", "p"), store.ErrNotFound, "DeleteRolePolicy, missing role")
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			_, err = s.GetRolePolicy(ctx, "deploy", "p")
			wantErr(t, err, store.ErrNotFound, "GetRolePolicy, missing policy")
			wantErr(t, s.DeleteRolePolicy(ctx, "deploy", "p"), store.ErrNotFound, "DeleteRolePolicy, missing policy")
		}},
		{"a deleted inline policy is gone and deleting it again fails with ErrNotFound", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			must(t, s.PutRolePolicy(ctx, inlinePolicy("deploy", "p"), nil), "PutRolePolicy")
			must(t, s.DeleteRolePolicy(ctx, "Deploy", "p"), "DeleteRolePolicy")
			_, err := s.GetRolePolicy(ctx, "deploy", "p")
			wantErr(t, err, store.ErrNotFound, "GetRolePolicy after delete")
			wantErr(t, s.DeleteRolePolicy(ctx, "deploy", "p"), store.ErrNotFound, "second DeleteRolePolicy")
		}},
		{"put's admit function sees the role's other inline policies and can refuse the write", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			must(t, s.PutRolePolicy(ctx, inlinePolicy("deploy", "a"), nil), "PutRolePolicy a")
			must(t, s.PutRolePolicy(ctx, inlinePolicy("deploy", "b"), nil), "PutRolePolicy b")
			var seen []store.RolePolicy
			replacement := inlinePolicy("deploy", "a")
			replacement.Document = "{}"
			must(t, s.PutRolePolicy(ctx, replacement, func(others []store.RolePolicy) error { seen = others; return nil }), "PutRolePolicy a again")
			equal(t, "others seen when replacing a", seen, []store.RolePolicy{inlinePolicy("deploy", "b")})

			err := s.PutRolePolicy(ctx, inlinePolicy("deploy", "c"), func(others []store.RolePolicy) error {
				if len(others) >= 2 {
					return errRefused
				}
				return nil
			})
			if err != errRefused {
				t.Fatalf("PutRolePolicy returned %v, want admit's own error", err)
			}
			_, err = s.GetRolePolicy(ctx, "deploy", "c")
			wantErr(t, err, store.ErrNotFound, "GetRolePolicy of the refused policy")
		}},
		{"an inline policy with an empty name or unstorable document is refused with ErrInvalid", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			wantErr(t, s.PutRolePolicy(ctx, store.RolePolicy{RoleName: "deploy", Document: "{}"}, nil), store.ErrInvalid, "empty name")
			wantErr(t, s.PutRolePolicy(ctx, store.RolePolicy{RoleName: "deploy", Name: "p", Document: "\xff"}, nil), store.ErrInvalid, "invalid UTF-8")
		}},
	}
}

func managedTests() []test {
	ctx := context.Background()
	return []test{
		{"a created managed policy reads back equal with no attachments", func(t *testing.T, s store.Store) {
			p := sampleManaged("read")
			must(t, s.CreateManagedPolicy(ctx, p), "CreateManagedPolicy")
			got, err := s.GetManagedPolicy(ctx, p.ARN)
			must(t, err, "GetManagedPolicy")
			equal(t, "managed policy", got, p)
		}},
		{"the store ignores AttachmentCount on write and computes it on read", func(t *testing.T, s store.Store) {
			p := sampleManaged("read")
			p.AttachmentCount = 7
			must(t, s.CreateManagedPolicy(ctx, p), "CreateManagedPolicy")
			must(t, s.UpdateManagedPolicy(ctx, p.ARN, func(p *store.ManagedPolicy) error { p.AttachmentCount = 9; return nil }), "UpdateManagedPolicy")
			got, err := s.GetManagedPolicy(ctx, p.ARN)
			must(t, err, "GetManagedPolicy")
			equal(t, "attachment count", got.AttachmentCount, 0)
		}},
		{"creating a managed policy whose ARN or ID is taken, or whose name is taken in any case or path, fails with ErrExists", func(t *testing.T, s store.Store) {
			p := sampleManaged("Read")
			must(t, s.CreateManagedPolicy(ctx, p), "CreateManagedPolicy")
			wantErr(t, s.CreateManagedPolicy(ctx, p), store.ErrExists, "same policy")
			otherPath := sampleManaged("READ")
			otherPath.Path, otherPath.ARN = "/", "arn:aws:iam::000000000000:policy/READ"
			wantErr(t, s.CreateManagedPolicy(ctx, otherPath), store.ErrExists, "same name in another case and path")
			sameID := sampleManaged("write")
			sameID.ID = p.ID
			wantErr(t, s.CreateManagedPolicy(ctx, sameID), store.ErrExists, "same ID")
		}},
		{"managed policy ARNs are matched exactly", func(t *testing.T, s store.Store) {
			p := sampleManaged("read")
			must(t, s.CreateManagedPolicy(ctx, p), "CreateManagedPolicy")
			_, err := s.GetManagedPolicy(ctx, "arn:aws:iam::000000000000:policy/shared/READ")
			wantErr(t, err, store.ErrNotFound, "GetManagedPolicy in another case")
		}},
		{"managed policies list ordered by name case-insensitively", func(t *testing.T, s store.Store) {
			for _, name := range []string{"charlie", "Alpha", "bravo"} {
				must(t, s.CreateManagedPolicy(ctx, sampleManaged(name)), "CreateManagedPolicy "+name)
			}
			ps, err := s.ListManagedPolicies(ctx)
			must(t, err, "ListManagedPolicies")
			equal(t, "listed policies", names(ps), []string{"Alpha", "bravo", "charlie"})
		}},
		{"updating a managed policy sets a new default version; identity fields may not change", func(t *testing.T, s store.Store) {
			p := sampleManaged("read")
			must(t, s.CreateManagedPolicy(ctx, p), "CreateManagedPolicy")
			must(t, s.UpdateManagedPolicy(ctx, p.ARN, func(p *store.ManagedPolicy) error {
				p.Document, p.DefaultVersionID, p.UpdateDate = "{}", "v2", at(5)
				p.Tags = nil
				return nil
			}), "UpdateManagedPolicy")
			got, err := s.GetManagedPolicy(ctx, p.ARN)
			must(t, err, "GetManagedPolicy")
			want := p
			want.Document, want.DefaultVersionID, want.UpdateDate, want.Tags = "{}", "v2", at(5), nil
			equal(t, "updated policy", got, want)
			for field, mutate := range map[string]func(*store.ManagedPolicy){
				"ARN":  func(p *store.ManagedPolicy) { p.ARN += "2" },
				"ID":   func(p *store.ManagedPolicy) { p.ID += "2" },
				"Name": func(p *store.ManagedPolicy) { p.Name = "Read" },
				"Path": func(p *store.ManagedPolicy) { p.Path = "/" },
			} {
				err := s.UpdateManagedPolicy(ctx, p.ARN, func(p *store.ManagedPolicy) error { mutate(p); return nil })
				wantErr(t, err, store.ErrInvalid, "changed "+field)
			}
			err = s.UpdateManagedPolicy(ctx, p.ARN, func(p *store.ManagedPolicy) error { p.Document = "x"; return errRefused })
			if err != errRefused {
				t.Fatalf("UpdateManagedPolicy returned %v, want the function's own error", err)
			}
			wantErr(t, s.UpdateManagedPolicy(ctx, p.ARN+"-missing", func(*store.ManagedPolicy) error { return nil }), store.ErrNotFound, "missing policy")
			got, err = s.GetManagedPolicy(ctx, p.ARN)
			must(t, err, "GetManagedPolicy")
			equal(t, "policy after refused updates", got, want)
		}},
		{"attaching counts, lists both ways, and attaching twice changes nothing", func(t *testing.T, s store.Store) {
			for _, r := range []string{"Deploy", "build"} {
				must(t, s.CreateRole(ctx, sampleRole(r)), "CreateRole "+r)
			}
			read, write := sampleManaged("read"), sampleManaged("Write")
			must(t, s.CreateManagedPolicy(ctx, read), "CreateManagedPolicy read")
			must(t, s.CreateManagedPolicy(ctx, write), "CreateManagedPolicy write")
			must(t, s.AttachRolePolicy(ctx, "deploy", write.ARN, nil), "attach write to deploy")
			must(t, s.AttachRolePolicy(ctx, "deploy", read.ARN, nil), "attach read to deploy")
			must(t, s.AttachRolePolicy(ctx, "BUILD", read.ARN, nil), "attach read to build")
			must(t, s.AttachRolePolicy(ctx, "build", read.ARN, func([]string) error {
				t.Error("admit called for an attachment that exists")
				return nil
			}), "attach read to build again")

			got, err := s.GetManagedPolicy(ctx, read.ARN)
			must(t, err, "GetManagedPolicy read")
			equal(t, "read's attachment count", got.AttachmentCount, 2)
			attached, err := s.ListAttachedRolePolicies(ctx, "deploy")
			must(t, err, "ListAttachedRolePolicies")
			equal(t, "policies attached to deploy", names(attached), []string{"read", "Write"})
			equal(t, "attachment count in the attached list", attached[0].AttachmentCount, 2)
			roles, err := s.ListEntitiesForPolicy(ctx, read.ARN)
			must(t, err, "ListEntitiesForPolicy")
			equal(t, "roles read is attached to", roles, []string{"build", "Deploy"})
		}},
		{"attach's admit function sees the ARNs attached and can refuse the write", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			read, write := sampleManaged("read"), sampleManaged("write")
			must(t, s.CreateManagedPolicy(ctx, read), "CreateManagedPolicy read")
			must(t, s.CreateManagedPolicy(ctx, write), "CreateManagedPolicy write")
			var seen []string
			must(t, s.AttachRolePolicy(ctx, "deploy", read.ARN, func(a []string) error { seen = a; return nil }), "attach read")
			equal(t, "attached before the first attach", len(seen), 0)
			err := s.AttachRolePolicy(ctx, "deploy", write.ARN, func(a []string) error { seen = a; return errRefused })
			if err != errRefused {
				t.Fatalf("AttachRolePolicy returned %v, want admit's own error", err)
			}
			equal(t, "attached before the second attach", seen, []string{read.ARN})
			attached, err := s.ListAttachedRolePolicies(ctx, "deploy")
			must(t, err, "ListAttachedRolePolicies")
			equal(t, "attached after the refusal", names(attached), []string{"read"})
		}},
		{"attach, detach and the attachment lists fail with ErrNotFound on a missing role, policy or attachment", func(t *testing.T, s store.Store) {
			p := sampleManaged("read")
			must(t, s.CreateManagedPolicy(ctx, p), "CreateManagedPolicy")
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			wantErr(t, s.AttachRolePolicy(ctx, "missing", p.ARN, nil), store.ErrNotFound, "attach to a missing role")
			wantErr(t, s.AttachRolePolicy(ctx, "deploy", p.ARN+"x", nil), store.ErrNotFound, "attach a missing policy")
			wantErr(t, s.DetachRolePolicy(ctx, "missing", p.ARN), store.ErrNotFound, "detach from a missing role")
			wantErr(t, s.DetachRolePolicy(ctx, "deploy", p.ARN+"x"), store.ErrNotFound, "detach a missing policy")
			wantErr(t, s.DetachRolePolicy(ctx, "deploy", p.ARN), store.ErrNotFound, "detach a policy not attached")
			_, err := s.ListAttachedRolePolicies(ctx, "missing")
			wantErr(t, err, store.ErrNotFound, "ListAttachedRolePolicies")
			_, err = s.ListEntitiesForPolicy(ctx, p.ARN+"x")
			wantErr(t, err, store.ErrNotFound, "ListEntitiesForPolicy")
			roles, err := s.ListEntitiesForPolicy(ctx, p.ARN)
			must(t, err, "ListEntitiesForPolicy of an unattached policy")
			if roles != nil {
				t.Fatalf("ListEntitiesForPolicy of an unattached policy = %v, want nil", roles)
			}
		}},
		{"an attached managed policy cannot be deleted (ErrConflict) until it is detached", func(t *testing.T, s store.Store) {
			p := sampleManaged("read")
			must(t, s.CreateManagedPolicy(ctx, p), "CreateManagedPolicy")
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			must(t, s.AttachRolePolicy(ctx, "deploy", p.ARN, nil), "AttachRolePolicy")
			wantErr(t, s.DeleteManagedPolicy(ctx, p.ARN), store.ErrConflict, "delete attached")
			must(t, s.DetachRolePolicy(ctx, "DEPLOY", p.ARN), "DetachRolePolicy")
			attached, err := s.ListAttachedRolePolicies(ctx, "deploy")
			must(t, err, "ListAttachedRolePolicies")
			equal(t, "attached after detach", len(attached), 0)
			must(t, s.DeleteManagedPolicy(ctx, p.ARN), "DeleteManagedPolicy")
			_, err = s.GetManagedPolicy(ctx, p.ARN)
			wantErr(t, err, store.ErrNotFound, "GetManagedPolicy after delete")
			wantErr(t, s.DeleteManagedPolicy(ctx, p.ARN), store.ErrNotFound, "second DeleteManagedPolicy")
		}},
		{"a managed policy with an empty key or unstorable text is refused with ErrInvalid", func(t *testing.T, s store.Store) {
			for name, mutate := range map[string]func(*store.ManagedPolicy){
				"empty ARN":              func(p *store.ManagedPolicy) { p.ARN = "" },
				"empty ID":               func(p *store.ManagedPolicy) { p.ID = "" },
				"empty name":             func(p *store.ManagedPolicy) { p.Name = "" },
				"invalid UTF-8 document": func(p *store.ManagedPolicy) { p.Document = "\x80" },
			} {
				p := sampleManaged("invalid")
				mutate(&p)
				wantErr(t, s.CreateManagedPolicy(ctx, p), store.ErrInvalid, name)
			}
		}},
	}
}

// names returns the names of managed policies, in order.
func names(ps []store.ManagedPolicy) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.Name
	}
	return out
}

// roleNames is sampleRole names role0 … role(n-1).
func roleNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("role%04d", i)
	}
	return out
}
