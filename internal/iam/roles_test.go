package iam

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

func createDeployRole(t *testing.T, s *Service) store.Role {
	t.Helper()
	r, err := s.CreateRole(context.Background(), &CreateRoleInput{Name: "deploy", TrustPolicy: ghTrust})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCreateRoleAppliesIAMDefaultsAndReturnsTheStoredRole(t *testing.T) {
	s, clock := newCRUDService(t)
	r := createDeployRole(t, s)
	if r.Path != "/" || r.ARN != "arn:aws:iam::123456789012:role/deploy" || r.MaxSessionDuration != 3600 {
		t.Fatalf("path %q ARN %q max session %d", r.Path, r.ARN, r.MaxSessionDuration)
	}
	if !strings.HasPrefix(r.ID, "AROA") || len(r.ID) != 20 {
		t.Fatalf("role id %q", r.ID)
	}
	if r.TrustPolicy != ghTrust {
		t.Fatal("the trust policy was not kept byte for byte")
	}
	if !r.CreateDate.Equal(clock.t.Truncate(time.Microsecond)) || !r.SessionsValidAfter.IsZero() {
		t.Fatalf("CreateDate %v SessionsValidAfter %v", r.CreateDate, r.SessionsValidAfter)
	}
	if live := s.snap.Load().roles["deploy"]; live == nil || live.trust == nil || live.broken != "" {
		t.Fatal("the new role is not usable in the configuration used for decisions")
	}

	full, err := s.CreateRole(context.Background(), &CreateRoleInput{Name: "Build", Path: "/ci/", TrustPolicy: ghTrust,
		Description: "builds things", MaxSessionDuration: 43200, Tags: []store.Tag{{Key: "team", Value: "ci"}}})
	must(t, err)
	if full.ARN != "arn:aws:iam::123456789012:role/ci/Build" || full.MaxSessionDuration != 43200 || full.Description != "builds things" || len(full.Tags) != 1 {
		t.Fatalf("role %+v", full)
	}
	if got := s.RoleARN("build"); got != full.ARN {
		t.Fatalf("RoleARN(build) = %q, want the stored ARN with its path", got)
	}
	if got := s.RoleARN("absent"); got != "arn:aws:iam::123456789012:role/absent" {
		t.Fatalf("RoleARN of an unknown role = %q", got)
	}
}

func TestRoleParametersAreValidatedAsIAMValidatesThem(t *testing.T) {
	s, _ := newCRUDService(t)
	cases := []struct {
		name string
		in   CreateRoleInput
		kind Kind
		msg  string
	}{
		{"an empty name", CreateRoleInput{TrustPolicy: ghTrust}, KindValidation, "Value '' at 'roleName' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a name of 65 characters", CreateRoleInput{Name: strings.Repeat("r", 65), TrustPolicy: ghTrust}, KindValidation, "Member must have length less than or equal to 64"},
		{"a name with a slash", CreateRoleInput{Name: "a/b", TrustPolicy: ghTrust}, KindValidation, `Value 'a/b' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"a path without its final slash", CreateRoleInput{Name: "r", Path: "/ci", TrustPolicy: ghTrust}, KindValidation, "at 'path'"},
		{"a description of 1001 characters", CreateRoleInput{Name: "r", TrustPolicy: ghTrust, Description: strings.Repeat("d", 1001)}, KindValidation, "at 'description'"},
		{"a description with a control character", CreateRoleInput{Name: "r", TrustPolicy: ghTrust, Description: "a\x7fb"}, KindValidation, "at 'description'"},
		{"a session of 3599 seconds", CreateRoleInput{Name: "r", TrustPolicy: ghTrust, MaxSessionDuration: 3599}, KindValidation, "Value '3599' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600"},
		{"a session of 43201 seconds", CreateRoleInput{Name: "r", TrustPolicy: ghTrust, MaxSessionDuration: 43201}, KindValidation, "less than or equal to 43200"},
		{"a duplicated tag key", CreateRoleInput{Name: "r", TrustPolicy: ghTrust, Tags: []store.Tag{{Key: "a"}, {Key: "A"}}}, KindInvalidInput, "Duplicate tag keys"},
		{"no trust policy", CreateRoleInput{Name: "r"}, KindValidation, "at 'assumeRolePolicyDocument'"},
		{"a trust policy that is not JSON", CreateRoleInput{Name: "r", TrustPolicy: "{"}, KindMalformedPolicy, ""},
		{"a trust policy without Principal", CreateRoleInput{Name: "r", TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`}, KindMalformedPolicy, ""},
		{"a missing permissions boundary", CreateRoleInput{Name: "r", TrustPolicy: ghTrust, PermissionsBoundary: "arn:aws:iam::123456789012:policy/absent"}, KindNoSuchEntity, "Scope ARN: arn:aws:iam::123456789012:policy/absent does not exist or is not attachable."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.CreateRole(context.Background(), &c.in)
			wantError(t, err, c.kind, c.msg)
		})
	}
	all, err := s.ListRoles(context.Background(), "")
	must(t, err)
	if len(all) != 0 {
		t.Fatalf("refused roles were stored: %v", all)
	}
}

func TestRoleNamesAreUniqueWhateverTheirCase(t *testing.T) {
	s, _ := newCRUDService(t)
	createDeployRole(t, s)
	_, err := s.CreateRole(context.Background(), &CreateRoleInput{Name: "DEPLOY", Path: "/other/", TrustPolicy: ghTrust})
	wantError(t, err, KindEntityAlreadyExists, "Role with name DEPLOY already exists.")
	r, err := s.GetRole(context.Background(), "Deploy")
	must(t, err)
	if r.Name != "deploy" {
		t.Fatalf("GetRole(Deploy) found %q", r.Name)
	}
}

func TestTrustPoliciesAreHeldTo2048CharactersWithoutWhitespace(t *testing.T) {
	s, _ := newCRUDService(t)
	// Whitespace does not count: this document is far longer than 2048 bytes as written.
	spaced := strings.Replace(ghTrust, `"Version"`, strings.Repeat(" ", 4000)+`"Version"`, 1)
	_, err := s.CreateRole(context.Background(), &CreateRoleInput{Name: "spaced", TrustPolicy: spaced})
	must(t, err)
	long := strings.Replace(ghTrust, `"repo:acme/app:*"`, `["repo:acme/app:*","repo:acme/`+strings.Repeat("x", 2048)+`:*"]`, 1)
	_, err = s.CreateRole(context.Background(), &CreateRoleInput{Name: "long", TrustPolicy: long})
	wantError(t, err, KindLimitExceeded, "Cannot exceed quota for ACLSizePerRole: 2048")
	wantError(t, s.UpdateAssumeRolePolicy(context.Background(), "spaced", long), KindLimitExceeded, "ACLSizePerRole")
}

// unscopedTrust trusts every GitHub repository: it names the audience but not the subject.
const unscopedTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
 "Action":"sts:AssumeRoleWithWebIdentity",
 "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`

func TestTheLinterRefusesUnscopedTrustPoliciesUnlessItsRefusalsAreWarnings(t *testing.T) {
	ctx := context.Background()
	strict, _ := newCRUDService(t)
	createGitHubProvider(t, strict)
	_, err := strict.CreateRole(ctx, &CreateRoleInput{Name: "open", TrustPolicy: unscopedTrust})
	wantError(t, err, KindMalformedPolicy, "Fix: ")
	createDeployRole(t, strict)
	wantError(t, strict.UpdateAssumeRolePolicy(ctx, "deploy", unscopedTrust), KindMalformedPolicy, "Fix: ")

	var logs bytes.Buffer
	lax, _ := newCRUDService(t, func(o *Options) {
		o.LintWarnOnly = true
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	_, err = lax.CreateRole(ctx, &CreateRoleInput{Name: "open", TrustPolicy: unscopedTrust})
	must(t, err)
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "role=open") {
		t.Fatalf("the accepted refusal was not logged as a warning: %q", logs.String())
	}
}

func TestDeleteRoleRefusesWhilePoliciesRemain(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	must(t, s.PutRolePolicy(ctx, "deploy", "read", identityDoc(t, 200)))
	wantError(t, s.DeleteRole(ctx, "deploy"), KindDeleteConflict, "Cannot delete entity, must delete policies first.")
	must(t, s.DeleteRolePolicy(ctx, "deploy", "read"))
	mp, err := s.CreatePolicy(ctx, &CreatePolicyInput{Name: "read", Document: identityDoc(t, 200)})
	must(t, err)
	must(t, s.AttachRolePolicy(ctx, "deploy", mp.ARN))
	wantError(t, s.DeleteRole(ctx, "deploy"), KindDeleteConflict, "Cannot delete entity, must detach all policies first.")
	must(t, s.DetachRolePolicy(ctx, "deploy", mp.ARN))
	must(t, s.DeleteRole(ctx, "DEPLOY"))
	if s.snap.Load().roles["deploy"] != nil {
		t.Fatal("the deleted role is still used for decisions")
	}
	wantError(t, s.DeleteRole(ctx, "deploy"), KindNoSuchEntity, "The role with name deploy cannot be found.")
}

func TestUpdateRoleChangesOnlyWhatItIsGiven(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	desc := "deploys"
	must(t, s.UpdateRole(ctx, &UpdateRoleInput{Name: "deploy", Description: &desc}))
	must(t, s.UpdateRole(ctx, &UpdateRoleInput{Name: "deploy", MaxSessionDuration: 7200}))
	r, err := s.GetRole(ctx, "deploy")
	must(t, err)
	if r.Description != "deploys" || r.MaxSessionDuration != 7200 {
		t.Fatalf("description %q max session %d", r.Description, r.MaxSessionDuration)
	}
	if live := s.snap.Load().roles["deploy"].rec.MaxSessionDuration; live != 7200 {
		t.Fatalf("decisions use max session %d", live)
	}
	empty := ""
	must(t, s.UpdateRole(ctx, &UpdateRoleInput{Name: "deploy", Description: &empty}))
	r, _ = s.GetRole(ctx, "deploy")
	if r.Description != "" || r.MaxSessionDuration != 7200 {
		t.Fatalf("clearing the description: %q, %d", r.Description, r.MaxSessionDuration)
	}
	wantError(t, s.UpdateRole(ctx, &UpdateRoleInput{Name: "deploy", MaxSessionDuration: 100}), KindValidation, "maxSessionDuration")
	wantError(t, s.UpdateRole(ctx, &UpdateRoleInput{Name: "absent", MaxSessionDuration: 3600}), KindNoSuchEntity, "The role with name absent cannot be found.")
}

func TestUpdateAssumeRolePolicyReplacesTheDocumentForDecisions(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	next := strings.Replace(ghTrust, "repo:acme/app:*", "repo:acme/other:*", 1)
	must(t, s.UpdateAssumeRolePolicy(ctx, "deploy", next))
	r, err := s.GetRole(ctx, "deploy")
	must(t, err)
	if r.TrustPolicy != next {
		t.Fatal("the new trust policy was not stored")
	}
	if s.snap.Load().roles["deploy"].rec.TrustPolicy != next {
		t.Fatal("decisions still use the old trust policy")
	}
	wantError(t, s.UpdateAssumeRolePolicy(ctx, "deploy", "[]"), KindMalformedPolicy, "")
	wantError(t, s.UpdateAssumeRolePolicy(ctx, "absent", ghTrust), KindNoSuchEntity, "The role with name absent cannot be found.")
}

func TestRoleTagsAreMergedListedAndRemoved(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	must(t, s.TagRole(ctx, "deploy", []store.Tag{{Key: "team", Value: "a"}, {Key: "env", Value: "prod"}}))
	must(t, s.TagRole(ctx, "deploy", []store.Tag{{Key: "Team", Value: "b"}}))
	must(t, s.UntagRole(ctx, "deploy", []string{"ENV", "absent"}))
	tags, err := s.ListRoleTags(ctx, "deploy")
	must(t, err)
	if len(tags) != 1 || tags[0] != (store.Tag{Key: "Team", Value: "b"}) {
		t.Fatalf("tags %v", tags)
	}
	wantError(t, s.TagRole(ctx, "deploy", []store.Tag{{Key: "aws:x"}}), KindInvalidInput, "aws:")
	wantError(t, s.TagRole(ctx, "absent", []store.Tag{{Key: "k"}}), KindNoSuchEntity, "absent")
	_, err = s.ListRoleTags(ctx, "absent")
	wantError(t, err, KindNoSuchEntity, "The role with name absent cannot be found.")
}

func TestPermissionsBoundariesMustNameAnExistingManagedPolicy(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	const missing = "arn:aws:iam::123456789012:policy/absent"
	wantError(t, s.PutRolePermissionsBoundary(ctx, "deploy", missing), KindNoSuchEntity, "Scope ARN: "+missing+" does not exist or is not attachable.")
	mp, err := s.CreatePolicy(ctx, &CreatePolicyInput{Name: "bound", Document: identityDoc(t, 200)})
	must(t, err)
	must(t, s.PutRolePermissionsBoundary(ctx, "deploy", mp.ARN))
	if live := s.snap.Load().roles["deploy"]; live.boundary == nil || live.broken != "" {
		t.Fatal("decisions do not use the boundary")
	}
	wantError(t, s.DeletePolicy(ctx, mp.ARN), KindDeleteConflict, "Cannot delete a policy attached to entities.")
	must(t, s.DeleteRolePermissionsBoundary(ctx, "deploy"))
	must(t, s.DeleteRolePermissionsBoundary(ctx, "deploy"))
	r, _ := s.GetRole(ctx, "deploy")
	if r.PermissionsBoundary != "" || s.snap.Load().roles["deploy"].boundary != nil {
		t.Fatal("the boundary was not removed")
	}
	wantError(t, s.PutRolePermissionsBoundary(ctx, "absent", mp.ARN), KindNoSuchEntity, "The role with name absent cannot be found.")
	must(t, s.DeletePolicy(ctx, mp.ARN))
}

func TestRevokingSessionsVoidsEverySessionIssuedBeforeTheCall(t *testing.T) {
	s, clock := newCRUDService(t)
	ctx := context.Background()
	createDeployRole(t, s)
	clock.t = clock.t.Add(time.Hour) // 11:00:00.123456789
	at, err := s.RevokeRoleSessions(ctx, "deploy")
	must(t, err)
	// Rounded up to the microsecond the store keeps, never down.
	if want := time.Date(2026, 11, 25, 11, 0, 0, 123457000, time.UTC); !at.Equal(want) {
		t.Fatalf("marker %v, want %v", at, want)
	}
	r, _ := s.GetRole(ctx, "deploy")
	if !r.SessionsValidAfter.Equal(at) || !s.snap.Load().roles["deploy"].rec.SessionsValidAfter.Equal(at) {
		t.Fatalf("stored marker %v", r.SessionsValidAfter)
	}
	_, err = s.RevokeRoleSessions(ctx, "absent")
	wantError(t, err, KindNoSuchEntity, "absent")
}

func TestListRolesFiltersByPathPrefix(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	for _, in := range []CreateRoleInput{{Name: "b", Path: "/ci/"}, {Name: "A", Path: "/ci/deep/"}, {Name: "c"}} {
		in.TrustPolicy = ghTrust
		_, err := s.CreateRole(ctx, &in)
		must(t, err)
	}
	names := func(rs []store.Role) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.Name)
		}
		return strings.Join(out, ",")
	}
	all, err := s.ListRoles(ctx, "")
	must(t, err)
	ci, err := s.ListRoles(ctx, "/ci/")
	must(t, err)
	if names(all) != "A,b,c" || names(ci) != "A,b" {
		t.Fatalf("all %s, /ci/ %s", names(all), names(ci))
	}
	_, err = s.ListRoles(ctx, "ci")
	wantError(t, err, KindValidation, "at 'pathPrefix'")
}
