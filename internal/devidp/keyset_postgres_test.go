package devidp

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store/sqlstore"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

func TestOnPostgreSQLNodesAgreeOnTheFirstKeysAndSeeARotation(t *testing.T) {
	dsn := pgtest.Database(t)
	clock := newFakeClock()
	const nodes = 3
	var sets [nodes]*KeySet
	var errs [nodes]error
	var wg sync.WaitGroup
	for i := range nodes {
		st, err := sqlstore.OpenPostgres(context.Background(), dsn, sqlstore.PostgresOptions{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		wg.Go(func() { sets[i], errs[i] = OpenSharedKeySet(st, KeySetOptions{Clock: clock.Now}) })
	}
	wg.Wait()
	for i := range nodes {
		if errs[i] != nil {
			t.Fatalf("node %d: %v", i, errs[i])
		}
		if activeKid(t, sets[i]) != activeKid(t, sets[0]) {
			t.Fatalf("node %d opened other keys than node 0", i)
		}
	}
	rotated, err := sets[0].Rotate()
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(DefaultSharedRefresh)
	for i := range nodes {
		if activeKid(t, sets[i]) != rotated.KeyID {
			t.Fatalf("node %d does not sign with the key rotated on node 0 after %v", i, time.Duration(DefaultSharedRefresh))
		}
	}
}
