package iam

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestInlinePoliciesArePutReplacedListedAndDeleted(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	first, second := identityDoc(t, 300), identityDoc(t, 400)
	must(t, s.PutRolePolicy(ctx, "deploy", "write", first))
	must(t, s.PutRolePolicy(ctx, "DEPLOY", "read", first))
	must(t, s.PutRolePolicy(ctx, "deploy", "read", second))
	names, err := s.ListRolePolicies(ctx, "deploy")
	must(t, err)
	if !slices.Equal(names, []string{"read", "write"}) {
		t.Fatalf("names %v", names)
	}
	rp, err := s.GetRolePolicy(ctx, "Deploy", "read")
	must(t, err)
	if rp.Document != second || rp.RoleName != "deploy" {
		t.Fatalf("got %q on %q, want the replacement on the stored role name", rp.Document, rp.RoleName)
	}
	if n := len(s.snap.Load().roles["deploy"].identity); n != 2 {
		t.Fatalf("decisions use %d identity policies, want 2", n)
	}
	_, err = s.GetRolePolicy(ctx, "deploy", "READ")
	wantError(t, err, KindNoSuchEntity, "The role policy with name READ cannot be found.")
	must(t, s.DeleteRolePolicy(ctx, "deploy", "read"))
	wantError(t, s.DeleteRolePolicy(ctx, "deploy", "read"), KindNoSuchEntity, "The role policy with name read cannot be found.")
	if n := len(s.snap.Load().roles["deploy"].identity); n != 1 {
		t.Fatalf("decisions use %d identity policies after the delete, want 1", n)
	}
}

func TestInlinePolicyErrorsNameTheMissingEntity(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	doc := identityDoc(t, 200)
	const noRole = "The role with name absent cannot be found."
	wantError(t, s.PutRolePolicy(ctx, "absent", "p", doc), KindNoSuchEntity, noRole)
	_, err := s.GetRolePolicy(ctx, "absent", "p")
	wantError(t, err, KindNoSuchEntity, noRole)
	_, err = s.ListRolePolicies(ctx, "absent")
	wantError(t, err, KindNoSuchEntity, noRole)
	wantError(t, s.DeleteRolePolicy(ctx, "absent", "p"), KindNoSuchEntity, noRole)
	createDeployRole(t, s)
	wantError(t, s.PutRolePolicy(ctx, "deploy", "bad name", doc), KindValidation, "at 'policyName'")
	wantError(t, s.PutRolePolicy(ctx, "deploy", strings.Repeat("p", 129), doc), KindValidation, "less than or equal to 128")
}

func TestInlinePoliciesMustBeIdentityPolicies(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	wantError(t, s.PutRolePolicy(ctx, "deploy", "trust", ghTrust), KindMalformedPolicy, "")
	wantError(t, s.PutRolePolicy(ctx, "deploy", "json", `{"Statement":`), KindMalformedPolicy, "")
	wantError(t, s.PutRolePolicy(ctx, "deploy", "empty", ""), KindValidation, "at 'policyDocument'")
}

func TestARolesInlinePoliciesShareOneQuotaOf10240Characters(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	must(t, s.PutRolePolicy(ctx, "deploy", "a", identityDoc(t, 6000)))
	must(t, s.PutRolePolicy(ctx, "deploy", "b", identityDoc(t, 4090)))
	wantError(t, s.PutRolePolicy(ctx, "deploy", "c", identityDoc(t, 151)), KindLimitExceeded,
		"Maximum policy size of 10240 bytes exceeded for role deploy")
	// Replacing a policy counts its new size, not both.
	must(t, s.PutRolePolicy(ctx, "deploy", "a", identityDoc(t, 5999)))
	must(t, s.PutRolePolicy(ctx, "deploy", "c", identityDoc(t, 151)))
	wantError(t, s.PutRolePolicy(ctx, "deploy", "b", identityDoc(t, 4091)), KindLimitExceeded, "10240")
	// Whitespace is not counted: the role stays at exactly 10240 with this 5,151-byte document.
	spaced := strings.Replace(identityDoc(t, 151), `"Version"`, strings.Repeat("\n", 5000)+`"Version"`, 1)
	must(t, s.PutRolePolicy(ctx, "deploy", "c", spaced))
}
