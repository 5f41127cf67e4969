package iam

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

func TestCreatePolicyStoresVersionOneUnderItsPath(t *testing.T) {
	s, clock := newCRUDService(t)
	doc := identityDoc(t, 300)
	p, err := s.CreatePolicy(context.Background(), &CreatePolicyInput{Name: "ReadArtifacts", Path: "/ci/",
		Description: "reads", Document: doc, Tags: []store.Tag{{Key: "team", Value: "ci"}}})
	must(t, err)
	if p.ARN != "arn:aws:iam::123456789012:policy/ci/ReadArtifacts" || p.Path != "/ci/" || p.DefaultVersionID != "v1" {
		t.Fatalf("policy %+v", p)
	}
	if !strings.HasPrefix(p.ID, "ANPA") || len(p.ID) != 20 || p.Document != doc || p.AttachmentCount != 0 {
		t.Fatalf("id %q, document kept %v, attachments %d", p.ID, p.Document == doc, p.AttachmentCount)
	}
	if now := clock.t.Truncate(time.Microsecond); !p.CreateDate.Equal(now) || !p.UpdateDate.Equal(now) {
		t.Fatalf("dates %v %v", p.CreateDate, p.UpdateDate)
	}
	if m := s.snap.Load().managed[p.ARN]; m == nil || m.doc == nil {
		t.Fatal("the new policy is not compiled for decisions")
	}
	v, err := s.GetPolicyVersion(context.Background(), p.ARN, "v1")
	must(t, err)
	if v.Document != doc {
		t.Fatal("GetPolicyVersion v1 does not return the document")
	}
	_, err = s.GetPolicyVersion(context.Background(), p.ARN, "v2")
	wantError(t, err, KindNoSuchEntity, "Policy "+p.ARN+" version v2 does not exist or is not attachable.")
}

func TestManagedPolicyParametersAndQuotasAreEnforced(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	cases := []struct {
		name string
		in   CreatePolicyInput
		kind Kind
		msg  string
	}{
		{"an empty name", CreatePolicyInput{Document: identityDoc(t, 200)}, KindValidation, "at 'policyName'"},
		{"a name with a space", CreatePolicyInput{Name: "a b", Document: identityDoc(t, 200)}, KindValidation, `[\w+=,.@-]+`},
		{"a bad path", CreatePolicyInput{Name: "p", Path: "x/", Document: identityDoc(t, 200)}, KindValidation, "at 'path'"},
		{"a description of 1001 characters", CreatePolicyInput{Name: "p", Description: strings.Repeat("d", 1001), Document: identityDoc(t, 200)}, KindValidation, "at 'description'"},
		{"a trust policy as document", CreatePolicyInput{Name: "p", Document: ghTrust}, KindMalformedPolicy, ""},
		{"a document of 6145 characters", CreatePolicyInput{Name: "p", Document: identityDoc(t, 6145)}, KindLimitExceeded, "Cannot exceed quota for PolicySize: 6144"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.CreatePolicy(ctx, &c.in)
			wantError(t, err, c.kind, c.msg)
		})
	}
	_, err := s.CreatePolicy(ctx, &CreatePolicyInput{Name: "p", Document: identityDoc(t, 6144)})
	must(t, err)
	_, err = s.CreatePolicy(ctx, &CreatePolicyInput{Name: "P", Path: "/elsewhere/", Document: identityDoc(t, 200)})
	wantError(t, err, KindEntityAlreadyExists, "A policy called P already exists. Duplicate names are not allowed.")
}

func TestMissingManagedPoliciesAreWordedAsIAMWordsThem(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	const missing = "arn:aws:iam::123456789012:policy/absent"
	_, err := s.GetPolicy(ctx, missing)
	wantError(t, err, KindNoSuchEntity, "Policy "+missing+" was not found.")
	wantError(t, s.DeletePolicy(ctx, missing), KindNoSuchEntity, "Policy "+missing+" was not found.")
	wantError(t, s.AttachRolePolicy(ctx, "deploy", missing), KindNoSuchEntity, "Policy "+missing+" does not exist or is not attachable.")
	wantError(t, s.DetachRolePolicy(ctx, "deploy", missing), KindNoSuchEntity, "Policy "+missing+" was not found.")
	p, err := s.CreatePolicy(ctx, &CreatePolicyInput{Name: "p", Document: identityDoc(t, 200)})
	must(t, err)
	wantError(t, s.AttachRolePolicy(ctx, "absent", p.ARN), KindNoSuchEntity, "The role with name absent cannot be found.")
	wantError(t, s.DetachRolePolicy(ctx, "absent", p.ARN), KindNoSuchEntity, "The role with name absent cannot be found.")
	wantError(t, s.DetachRolePolicy(ctx, "deploy", p.ARN), KindNoSuchEntity, "Policy "+p.ARN+" was not found.")
	_, err = s.ListAttachedRolePolicies(ctx, "absent", "")
	wantError(t, err, KindNoSuchEntity, "The role with name absent cannot be found.")
}

func TestAttachmentsAreCountedListedAndBlockDeletion(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	var arns []string
	for i := range 11 {
		p, err := s.CreatePolicy(ctx, &CreatePolicyInput{Name: fmt.Sprintf("p%02d", i), Path: "/ci/", Document: identityDoc(t, 200)})
		must(t, err)
		arns = append(arns, p.ARN)
	}
	for _, a := range arns[:10] {
		must(t, s.AttachRolePolicy(ctx, "deploy", a))
	}
	must(t, s.AttachRolePolicy(ctx, "deploy", arns[0])) // again: no change, no quota
	wantError(t, s.AttachRolePolicy(ctx, "deploy", arns[10]), KindLimitExceeded, "Cannot exceed quota for PoliciesPerRole: 10")
	if n := len(s.snap.Load().roles["deploy"].identity); n != 10 {
		t.Fatalf("decisions use %d identity policies, want 10", n)
	}
	attached, err := s.ListAttachedRolePolicies(ctx, "deploy", "/ci/")
	must(t, err)
	none, err := s.ListAttachedRolePolicies(ctx, "deploy", "/other/")
	must(t, err)
	if len(attached) != 10 || len(none) != 0 {
		t.Fatalf("attached %d under /ci/, %d under /other/", len(attached), len(none))
	}
	p0, _ := s.GetPolicy(ctx, arns[0])
	if p0.AttachmentCount != 1 {
		t.Fatalf("attachment count %d", p0.AttachmentCount)
	}
	only, err := s.ListPolicies(ctx, "", true)
	must(t, err)
	all, err := s.ListPolicies(ctx, "/ci/", false)
	must(t, err)
	if len(only) != 10 || len(all) != 11 {
		t.Fatalf("only attached %d, all %d", len(only), len(all))
	}
	wantError(t, s.DeletePolicy(ctx, arns[0]), KindDeleteConflict, "Cannot delete a policy attached to entities.")
	must(t, s.DetachRolePolicy(ctx, "deploy", arns[0]))
	must(t, s.DeletePolicy(ctx, arns[0]))
	if s.snap.Load().managed[arns[0]] != nil {
		t.Fatal("the deleted policy is still compiled for decisions")
	}
}
