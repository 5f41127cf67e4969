package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

const (
	copyRootKey    = "AKIACOPYSTORETEST000"
	copyRootSecret = "copy-store-test-root-secret-0000"
)

// newCopyIAM opens an iam.Service with the test's root key on st.
func newCopyIAM(t *testing.T, st store.Store) *iam.Service {
	t.Helper()
	s, err := iam.New(context.Background(), iam.Options{Store: st, Verifier: oidc.NewVerifier(oidc.Options{}),
		Account: "000000000000", RootAccessKeyID: copyRootKey, RootSecretAccessKey: copyRootSecret, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// issueSession assumes role deploy as root.
func issueSession(t *testing.T, s *iam.Service) iam.Credentials {
	t.Helper()
	ctx := context.Background()
	root, _, err := s.Authenticate(ctx, copyRootKey, "")
	if err != nil {
		t.Fatal(err)
	}
	out, err := s.AssumeRole(ctx, root, &iam.AssumeRoleInput{SessionInput: iam.SessionInput{
		RoleARN: "arn:aws:iam::000000000000:role/deploy", SessionName: "before-the-copy"}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Credentials
}

func TestCopyStoreMovesASQLiteStoreToPostgresWhoseNodesAcceptTheSessionsIssuedBefore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "inkan.db")
	src, err := sqlstore.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s := newCopyIAM(t, src)
	if _, err := s.CreateRole(ctx, &iam.CreateRoleInput{Name: "deploy",
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:AssumeRole"}]}`}); err != nil {
		t.Fatal(err)
	}
	sealedByOldKey := issueSession(t, s)
	if err := s.RotateSealingKeys(ctx); err != nil {
		t.Fatal(err)
	}
	sealedByNewKey := issueSession(t, s)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}

	url := pgtest.Database(t)
	var stdout, stderr bytes.Buffer
	env := Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(string) string { return "" }}
	if err := (adminCmd{}).Run(ctx, env, []string{"copy-store", "--from", path, "--to", url}); err != nil {
		t.Fatalf("copy-store: %v\n%s", err, stderr.String())
	}
	for _, want := range []string{"verified", "roles             1", "sealing keys      2"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("copy-store's report lacks %q:\n%s", want, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), pgtest.Shared(t).Password()) {
		t.Errorf("copy-store printed the password:\n%s", stdout.String())
	}

	dst, err := sqlstore.OpenPostgres(ctx, url, sqlstore.PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	node := newCopyIAM(t, dst)
	for name, c := range map[string]iam.Credentials{"the retired key": sealedByOldKey, "the active key": sealedByNewKey} {
		p, _, err := node.Authenticate(ctx, c.AccessKeyID, c.SessionToken)
		if err != nil || p.Session == nil {
			t.Errorf("a session sealed by %s on SQLite, presented to a node on the copy: %v", name, err)
		}
	}

	err = (adminCmd{}).Run(ctx, env, []string{"copy-store", "--from", path, "--to", url})
	if err == nil || !strings.Contains(err.Error(), "not empty") || strings.Contains(err.Error(), pgtest.Shared(t).Password()) {
		t.Fatalf("a second copy-store into the same database = %v, want a refusal naming it not empty, without the password", err)
	}
}
