package cli

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"

	"github.com/inkan-dev/inkan/internal/store/sqlstore"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

func TestOnPostgreSQLOneOfSeveralStartingNodesGeneratesTheRootCredentials(t *testing.T) {
	dsn := pgtest.Database(t)
	const nodes = 3
	var (
		wg    sync.WaitGroup
		creds [nodes]rootCredentials
		outs  [nodes]bytes.Buffer
		errs  [nodes]error
	)
	for i := range nodes {
		st, err := sqlstore.OpenPostgres(context.Background(), dsn, sqlstore.PostgresOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		dir := t.TempDir()
		wg.Go(func() {
			creds[i], errs[i] = loadRootCredentials(context.Background(), st, dir, "", "", &outs[i], slog.New(slog.DiscardHandler))
		})
	}
	wg.Wait()
	printed := 0
	for i := range nodes {
		if errs[i] != nil || creds[i] != creds[0] {
			t.Fatalf("node %d: %s, %v; node 0: %s", i, creds[i].AccessKeyID, errs[i], creds[0].AccessKeyID)
		}
		if outs[i].Len() > 0 {
			printed++
		}
	}
	if printed != 1 {
		t.Fatalf("%d nodes printed the credentials, want 1", printed)
	}
}
