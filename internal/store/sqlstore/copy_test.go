package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

// populateForCopy writes one of everything through the store API, with the
// details a copy could lose: a revoked role, a retired key, a blob at version
// 2, more decision records than one page.
func populateForCopy(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	day := time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.CreateProvider(ctx, store.Provider{ARN: "arn:aws:iam::000000000000:oidc-provider/idp", URL: "https://idp",
		ClientIDs: []string{"sts.amazonaws.com"}, ClaimTags: []store.ClaimTag{{Claim: "repository", Tag: "repository"}}, CreateDate: day}))
	for i, name := range []string{"Deploy", "audit"} {
		must(s.CreateRole(ctx, store.Role{ID: fmt.Sprint("AROA", i), Name: name, Path: "/", ARN: "arn:aws:iam::000000000000:role/" + name,
			TrustPolicy: "{}", MaxSessionDuration: 3600, Tags: []store.Tag{{Key: "k", Value: name}}, CreateDate: day}))
	}
	must(s.UpdateRole(ctx, "deploy", func(r *store.Role) error { r.SessionsValidAfter = day.Add(time.Hour); return nil }))
	must(s.PutRolePolicy(ctx, store.RolePolicy{RoleName: "deploy", Name: "write", Document: `{"a":1}`}, nil))
	must(s.CreateManagedPolicy(ctx, store.ManagedPolicy{ARN: "arn:aws:iam::000000000000:policy/read", ID: "ANPA1", Name: "read", Path: "/",
		Document: "{}", DefaultVersionID: "v3", CreateDate: day, UpdateDate: day.Add(time.Minute)}))
	must(s.AttachRolePolicy(ctx, "audit", "arn:aws:iam::000000000000:policy/read", nil))
	must(s.PutBucketPolicy(ctx, store.BucketPolicy{Bucket: "artifacts", Document: "{}"}))
	for i, id := range []string{"old", "new"} {
		must(s.AddSealingKey(ctx, store.SealingKey{ID: id, Secret: make([]byte, store.SealingKeySize), CreateDate: day.AddDate(0, 0, i)}))
	}
	must(s.RetireSealingKey(ctx, "old", day.AddDate(0, 0, 1)))
	_, err := s.PutBlob(ctx, "root-credentials", []byte("v1"), 0)
	must(err)
	_, err = s.PutBlob(ctx, "root-credentials", []byte("\x00v2"), 1)
	must(err)
	var batch []store.Decision
	for i := range decisionPage + 7 {
		batch = append(batch, store.Decision{RequestID: fmt.Sprint("R", i), Time: day, Service: "sts", Action: "a", Outcome: "deny", Body: []byte(fmt.Sprint(i))})
	}
	must(s.AppendDecisions(ctx, batch))
}

// populatedSQLite returns a SQLite store that populateForCopy filled.
func populatedSQLite(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "inkan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	populateForCopy(t, s)
	return s
}

func TestCopyFromSQLiteToPostgresCarriesEverythingAndRefusesANonEmptyTarget(t *testing.T) {
	ctx := context.Background()
	src := populatedSQLite(t)
	dst := mustOpenPostgres(t, pgtest.Database(t), nil)
	copied, err := Copy(ctx, dst, src)
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	verified, err := Verify(ctx, src, dst)
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := Counts{Providers: 1, Roles: 2, InlinePolicies: 1, ManagedPolicies: 1, Attachments: 1, BucketPolicies: 1,
		SealingKeys: 2, Blobs: 1, Decisions: decisionPage + 7}
	if copied != want || verified != want {
		t.Fatalf("Copy counted %+v and Verify %+v, want %+v", copied, verified, want)
	}
	srcGen, _ := src.Generation(ctx)
	if dstGen, _ := dst.Generation(ctx); dstGen <= srcGen {
		t.Errorf("the copy's generation %d is not above the source's %d", dstGen, srcGen)
	}
	if d, err := dst.GetDecision(ctx, fmt.Sprint("R", decisionPage+6)); err != nil || string(d.Body) != fmt.Sprint(decisionPage+6) {
		t.Errorf("the last decision record in the copy = %+v, %v", d, err)
	}
	if _, err := Copy(ctx, dst, src); !errors.Is(err, ErrTargetNotEmpty) {
		t.Fatalf("a second Copy into the same target = %v, want ErrTargetNotEmpty", err)
	}
	if err := dst.PutBucketPolicy(ctx, store.BucketPolicy{Bucket: "changed", Document: "{}"}); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, src, dst); err == nil {
		t.Fatal("Verify found no difference after the copy changed")
	}
}

func TestCopyIntoATargetWithOnlyABlobIsRefusedAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	src := populatedSQLite(t)
	dst, err := Open(ctx, filepath.Join(t.TempDir(), "target.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if _, err := dst.PutBlob(ctx, "devidp-keys", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := Copy(ctx, dst, src); !errors.Is(err, ErrTargetNotEmpty) {
		t.Fatalf("Copy = %v, want ErrTargetNotEmpty", err)
	}
	if roles, _ := dst.ListRoles(ctx); len(roles) != 0 {
		t.Fatalf("the refused copy wrote %d roles", len(roles))
	}
}
