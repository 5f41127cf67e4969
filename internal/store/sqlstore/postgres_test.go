package sqlstore

import (
	"context"
	"errors"
	"github.com/inkan-dev/inkan/internal/testsupport/syncbuf"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/storetest"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// openPostgres is the storetest Opener for PostgreSQL: location names a
// database of the package's shared cluster, created on first use.
func openPostgres(tb testing.TB, location string) store.Store {
	tb.Helper()
	s, err := OpenPostgres(context.Background(), pgtest.Shared(tb).DatabaseFor(tb, location), PostgresOptions{})
	if err != nil {
		tb.Fatalf("OpenPostgres: %v", err)
	}
	return s
}

func TestPostgresConformance(t *testing.T) { storetest.Run(t, openPostgres) }

func TestPostgresConcurrentOpensOfAnEmptyDatabaseMigrateItExactlyOnce(t *testing.T) {
	dsn := pgtest.Database(t)
	const nodes = 6
	errs := make([]error, nodes)
	var wg sync.WaitGroup
	for i := range nodes {
		wg.Go(func() {
			s, err := OpenPostgres(context.Background(), dsn, PostgresOptions{})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
	}
	ms, err := loadMigrations(postgresDialect.migrations)
	if err != nil {
		t.Fatal(err)
	}
	var n, latest int
	pgExec(t, dsn, func(conn *pgx.Conn) error {
		return conn.QueryRow(context.Background(), `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &latest)
	})
	if n != len(ms) || latest != ms[len(ms)-1].version {
		t.Fatalf("schema_migrations holds %d rows up to version %d, want %d up to %d", n, latest, len(ms), ms[len(ms)-1].version)
	}
}

func TestPostgresRefusesADatabaseFromANewerBinary(t *testing.T) {
	dsn := pgtest.Database(t)
	s, err := OpenPostgres(context.Background(), dsn, PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	pgExec(t, dsn, func(conn *pgx.Conn) error {
		_, err := conn.Exec(context.Background(), `INSERT INTO schema_migrations (version, name) VALUES (999, 'from_the_future')`)
		return err
	})
	_, err = OpenPostgres(context.Background(), dsn, PostgresOptions{})
	var se *SchemaError
	if !errors.As(err, &se) || se.Database != 999 {
		t.Fatalf("OpenPostgres = %v, want a *SchemaError for version 999", err)
	}
	if !strings.Contains(err.Error(), "run a newer inkan") {
		t.Errorf("the refusal %q does not say what to do", err)
	}
}

func TestPostgresAnnouncesAWriteThroughOneStoreOnAnotherWithinASecond(t *testing.T) {
	dsn := pgtest.Database(t)
	a, b := mustOpenPostgres(t, dsn, nil), mustOpenPostgres(t, dsn, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changes := b.Changes(ctx)
	receive(t, changes, 10*time.Second, "the announcement that b is listening")
	if err := a.CreateRole(ctx, store.Role{ID: "AROA1", Name: "deploy", ARN: "arn:aws:iam::000000000000:role/deploy"}); err != nil {
		t.Fatal(err)
	}
	receive(t, changes, time.Second, "the announcement of a's write")
	if _, err := a.PutBlob(ctx, "b", []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changes:
		t.Fatal("a blob write, which is not configuration, was announced")
	case <-time.After(300 * time.Millisecond):
	}
	cancel()
	if _, ok := <-changes; ok {
		t.Fatal("the channel is open after its context ended")
	}
}

func TestPostgresOutageIsErrUnavailableWithoutSecretsAndRecoversByItself(t *testing.T) {
	c := pgtest.Start(t)
	dsn := c.DatabaseFor(t, "outage")
	var logs syncbuf.Buffer
	s := mustOpenPostgres(t, dsn, slog.New(slog.NewTextHandler(&logs, nil)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	changes := s.Changes(ctx)
	receive(t, changes, 10*time.Second, "the announcement that the store is listening")
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	secrets := []string{c.Password(), strconv.Itoa(c.Port()), pgtest.Superuser}
	for name, op := range map[string]func() error{
		"Generation": func() error { _, err := s.Generation(ctx); return err },
		"Snapshot":   func() error { _, err := s.Snapshot(ctx); return err },
		"GetRole":    func() error { _, err := s.GetRole(ctx, "x"); return err },
		"CreateRole": func() error {
			return s.CreateRole(ctx, store.Role{ID: "AROA2", Name: "r", ARN: "arn:aws:iam::000000000000:role/r"})
		},
		"AppendDecisions": func() error {
			return s.AppendDecisions(ctx, []store.Decision{{RequestID: "R", Service: "sts", Action: "a", Outcome: "deny", Body: []byte("{}")}})
		},
		"OpenPostgres": func() error { _, err := OpenPostgres(ctx, dsn, PostgresOptions{}); return err },
	} {
		err := op()
		if !errors.Is(err, store.ErrUnavailable) {
			t.Errorf("%s with PostgreSQL down = %v, want ErrUnavailable", name, err)
			continue
		}
		assertNoSecrets(t, name+"'s error", err.Error(), secrets)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	receive(t, changes, 15*time.Second, "the announcement that the store listens again")
	if _, err := s.Generation(ctx); err != nil {
		t.Fatalf("Generation after PostgreSQL is back: %v", err)
	}
	other := mustOpenPostgres(t, dsn, nil)
	if err := other.PutBucketPolicy(ctx, store.BucketPolicy{Bucket: "b", Document: "{}"}); err != nil {
		t.Fatal(err)
	}
	receive(t, changes, time.Second, "the announcement of a write after the restart")
	assertNoSecrets(t, "the store's log", logs.String(), secrets[:1])
	if !strings.Contains(logs.String(), "listening for configuration changes again") {
		t.Errorf("the log does not record the recovery:\n%s", logs.String())
	}
}

func TestPostgresWrongPasswordIsNotUnavailableAndNotQuoted(t *testing.T) {
	dsn := pgtest.Database(t)
	_, err := OpenPostgres(context.Background(), dsn, PostgresOptions{Password: "wrong-s3cret-value"})
	if err == nil || errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("OpenPostgres with a wrong password = %v, want a failure that is not ErrUnavailable", err)
	}
	if !strings.Contains(err.Error(), "authentication failed") {
		t.Errorf("the error %q does not say that authentication failed", err)
	}
	assertNoSecrets(t, "the error", err.Error(), []string{"wrong-s3cret-value", pgtest.Shared(t).Password()})
}

func TestPostgresPasswordOptionReplacesTheURLs(t *testing.T) {
	c := pgtest.Shared(t)
	dsn := strings.Replace(c.DatabaseFor(t, "password-option"), c.Password(), "not-the-password", 1)
	s, err := OpenPostgres(context.Background(), dsn, PostgresOptions{Password: c.Password()})
	if err != nil {
		t.Fatalf("OpenPostgres with the password as an option: %v", err)
	}
	s.Close()
}

func mustOpenPostgres(t *testing.T, dsn string, logger *slog.Logger) *Store {
	t.Helper()
	s, err := OpenPostgres(context.Background(), dsn, PostgresOptions{Logger: logger})
	if err != nil {
		t.Fatalf("OpenPostgres: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// receive fails the test unless ch delivers within d.
func receive(t *testing.T, ch <-chan struct{}, d time.Duration, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(d):
		t.Fatalf("%s did not come within %v", what, d)
	}
}

func assertNoSecrets(t *testing.T, what, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s carries %q: %s", what, s, text)
		}
	}
}

// pgExec runs f on a direct connection to dsn, bypassing the store.
func pgExec(t *testing.T, dsn string, f func(*pgx.Conn) error) {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if err := f(conn); err != nil {
		t.Fatal(err)
	}
}

func FuzzPostgresRoleRoundTrip(f *testing.F) { storetest.FuzzRoleRoundTrip(f, openPostgres) }
