package sqlstore

import (
	"context"
	"testing"

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
