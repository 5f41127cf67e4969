package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/storetest"
)

// open is the storetest Opener for SQLite: location is the database file.
func open(tb testing.TB, location string) store.Store {
	tb.Helper()
	s, err := Open(context.Background(), location)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func BenchmarkGetRole(b *testing.B)         { storetest.BenchmarkGetRole(b, open) }
func BenchmarkGetRoleParallel(b *testing.B) { storetest.BenchmarkGetRoleParallel(b, open) }
func BenchmarkSnapshot(b *testing.B)        { storetest.BenchmarkSnapshot(b, open) }
func BenchmarkGeneration(b *testing.B)      { storetest.BenchmarkGeneration(b, open) }

func FuzzRoleRoundTrip(f *testing.F) { storetest.FuzzRoleRoundTrip(f, open) }

func TestOpenCreatesTheDatabaseFileReadableByItsOwnerOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inkan.db")
	s := open(t, path)
	defer s.Close()
	if err := s.AddSealingKey(context.Background(), store.SealingKey{ID: "k", Secret: make([]byte, store.SealingKeySize)}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm&0o077 != 0 {
			t.Errorf("%s has mode %v, want no access for group or others", filepath.Base(f), perm)
		}
	}
}

func TestOpenHandlesPathsThatNeedEscapingInAURI(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a dir with ?, # and %20")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "in?kan#.db")
	s := open(t, path)
	if err := s.CreateRole(context.Background(), store.Role{ID: "AROA1", Name: "r", ARN: "arn:r"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}
	s = open(t, path)
	defer s.Close()
	if _, err := s.GetRole(context.Background(), "r"); err != nil {
		t.Fatalf("GetRole after reopen: %v", err)
	}
}

func TestOpenRecordsEachMigrationOnceAcrossReopens(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inkan.db")
	for range 2 {
		s := open(t, path)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ms, err := loadMigrations(sqliteDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	var n, latest int
	if err := db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &latest); err != nil {
		t.Fatal(err)
	}
	if n != len(ms) || latest != ms[len(ms)-1].version {
		t.Fatalf("schema_migrations holds %d rows up to version %d, want %d up to %d", n, latest, len(ms), ms[len(ms)-1].version)
	}
}

func TestOpenRefusesADatabaseFromANewerBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inkan.db")
	s := open(t, path)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db := rawDB(t, path)
	if _, err := db.Exec(`INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	_, err := Open(context.Background(), path)
	var se *SchemaError
	if !errors.As(err, &se) {
		t.Fatalf("Open = %v, want a *SchemaError", err)
	}
	if se.Database != 999 || se.Binary >= 999 {
		t.Fatalf("SchemaError = %+v, want Database 999 and the binary's own version", se)
	}
}

func TestAFailingMigrationLeavesTheDatabaseUntouched(t *testing.T) {
	path := filepath.Join(t.TempDir(), "inkan.db")
	db := rawDB(t, path)
	// A table the first migration also creates makes it fail halfway.
	if _, err := db.Exec(`CREATE TABLE bucket_policies (x INTEGER)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := Open(context.Background(), path); err == nil {
		t.Fatal("Open succeeded over a conflicting table")
	}
	db = rawDB(t, path)
	var tables int
	if err := db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('providers', 'roles', 'schema_migrations')`).Scan(&tables); err != nil {
		t.Fatal(err)
	}
	if tables != 0 {
		t.Fatalf("%d of the migration's tables exist after it failed, want none", tables)
	}
}

func TestMigrationFileNames(t *testing.T) {
	for name, ok := range map[string]bool{
		"0001_initial.sql": true, "0012_add_index.sql": true,
		"1_initial.sql": false, "0001.sql": false, "0001_.sql": false, "0000_zero.sql": false,
		"0001_initial.txt": false, "abcd_initial.sql": false,
	} {
		_, err := parseMigrationName(name)
		if (err == nil) != ok {
			t.Errorf("parseMigrationName(%q) error = %v, want ok=%v", name, err, ok)
		}
	}
}

// rawDB opens path directly, bypassing the store, for tests that tamper with it.
func rawDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConnectionsRunWithTheSettingsTheDocumentationPromises(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "inkan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		pool   string
		db     *sql.DB
		pragma string
		want   string
	}{
		{"writer", s.w, "journal_mode", "wal"},
		{"writer", s.w, "foreign_keys", "1"},
		{"writer", s.w, "synchronous", "2"}, // FULL
		{"writer", s.w, "busy_timeout", "10000"},
		{"reader", s.r, "query_only", "1"},
		{"reader", s.r, "busy_timeout", "10000"},
	} {
		var got string
		if err := c.db.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s connection: PRAGMA %s = %s, want %s", c.pool, c.pragma, got, c.want)
		}
	}
	if _, err := s.r.Exec(`DELETE FROM roles`); err == nil {
		t.Error("a reader connection accepted a write")
	}
}

func TestSQLiteAnnouncesWritesThroughTheStoreButNotDataWrites(t *testing.T) {
	s := open(t, t.TempDir()+"/inkan.db").(*Store)
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := s.Changes(ctx)
	if _, err := s.PutBlob(ctx, "b", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	if err := s.RetireSealingKey(ctx, "missing", time.Now()); err == nil {
		t.Fatal("retiring a missing key succeeded")
	}
	select {
	case <-changes:
		t.Fatal("a blob write or a failed write was announced")
	default:
	}
	for range 3 {
		if err := s.DeleteBucketPolicy(ctx, "none"); err == nil {
			t.Fatal("deleting a missing bucket policy succeeded")
		}
	}
	if err := s.PutBucketPolicy(ctx, bucketPolicy("a")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBucketPolicy(ctx, bucketPolicy("b")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
	default:
		t.Fatal("a configuration write was not announced")
	}
	select {
	case <-changes:
		t.Fatal("two writes were announced twice, want them coalesced")
	default:
	}
}

func bucketPolicy(bucket string) store.BucketPolicy {
	return store.BucketPolicy{Bucket: bucket, Document: "{}"}
}
