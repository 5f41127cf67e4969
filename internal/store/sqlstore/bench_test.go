package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/storetest"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

// The PostgreSQL side of the storetest benchmarks that sqlstore_test.go runs on SQLite.

func BenchmarkPostgresGetRole(b *testing.B) { storetest.BenchmarkGetRole(b, openPostgres) }
func BenchmarkPostgresGetRoleParallel(b *testing.B) {
	storetest.BenchmarkGetRoleParallel(b, openPostgres)
}
func BenchmarkPostgresSnapshot(b *testing.B)   { storetest.BenchmarkSnapshot(b, openPostgres) }
func BenchmarkPostgresGeneration(b *testing.B) { storetest.BenchmarkGeneration(b, openPostgres) }

// snapshotRoles is the configuration size the issue asks the snapshot refresh time for.
const snapshotRoles = 10000

// BenchmarkSnapshot10000Roles measures a node's snapshot refresh with 10,000 roles, each with
// a trust policy, an inline policy and one of ten managed policies attached, on both dialects.
func BenchmarkSnapshot10000Roles(b *testing.B) {
	for name, open := range map[string]func(testing.TB) *Store{
		"sqlite": func(tb testing.TB) *Store {
			s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "inkan.db"))
			if err != nil {
				tb.Fatal(err)
			}
			return s
		},
		"postgres": func(tb testing.TB) *Store {
			s, err := OpenPostgres(context.Background(), pgtest.Database(tb), PostgresOptions{})
			if err != nil {
				tb.Fatal(err)
			}
			return s
		},
	} {
		b.Run(name, func(b *testing.B) {
			s := open(b)
			defer s.Close()
			fillRoles(b, s, snapshotRoles)
			b.ReportAllocs()
			for b.Loop() {
				snap, err := s.Snapshot(context.Background())
				if err != nil || len(snap.Roles) != snapshotRoles {
					b.Fatalf("Snapshot: %d roles, %v", len(snap.Roles), err)
				}
			}
		})
	}
}

// fillRoles writes n roles with their policies in one transaction: through the API each
// would be three transactions, minutes of setup for a benchmark of milliseconds.
func fillRoles(tb testing.TB, s *Store, n int) {
	tb.Helper()
	ctx := context.Background()
	err := s.write(ctx, func(tx *sql.Tx) error {
		for i := range 10 {
			arn := fmt.Sprint("arn:aws:iam::000000000000:policy/managed", i)
			if err := insertManaged(ctx, tx, store.ManagedPolicy{ARN: arn, ID: fmt.Sprint("ANPA", i), Name: fmt.Sprint("managed", i),
				Path: "/", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`}); err != nil {
				return err
			}
		}
		for i := range n {
			r := store.Role{ID: fmt.Sprintf("AROA%08d", i), Name: fmt.Sprintf("role-%05d", i), Path: "/ci/",
				ARN: fmt.Sprintf("arn:aws:iam::000000000000:role/ci/role-%05d", i), MaxSessionDuration: 3600,
				TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/app:*"}}}]}`,
				Tags:        []store.Tag{{Key: "owner", Value: "ci"}}}
			if err := insertRole(ctx, tx, r); err != nil {
				return err
			}
			if err := upsertRolePolicy(ctx, tx, r.ID, store.RolePolicy{Name: "write", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::artifacts/*"}]}`}); err != nil {
				return err
			}
			if err := insertAttachment(ctx, tx, r.ID, fmt.Sprint("arn:aws:iam::000000000000:policy/managed", i%10)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
}
