package decisionlog_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store/decisionlog"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
	"github.com/inkan-dev/inkan/internal/testsupport/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func openPostgres(t *testing.T, dsn string) *sqlstore.Store {
	t.Helper()
	st, err := sqlstore.OpenPostgres(context.Background(), dsn, sqlstore.PostgresOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestOnPostgreSQLADecisionQueuedThroughAnOutageIsFoundOnAnotherNodeAfterIt(t *testing.T) {
	ctx := context.Background()
	cluster := pgtest.Start(t)
	dsn := cluster.Database(t)
	one, two := openPostgres(t, dsn), openPostgres(t, dsn)
	c := &counts{}
	trailOne, _, writer := openTrailWith(t, one, decisionlog.Options{MaxDelay: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Observer: c})
	trailTwo, _, _ := openTrail(t, two)

	if err := trailOne.Append(record("before")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "node two finds node one's decision", func() bool { _, err := trailTwo.Find(ctx, "before"); return err == nil })

	if err := cluster.Stop(); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		trailOne.Append(record(fmt.Sprint("during-", i)))
	}
	eventually(t, "writes fail during the outage", func() bool { return c.failedWrites.Load() > 0 })
	if _, err := trailOne.Find(ctx, "during-3"); err != nil {
		t.Fatalf("node one's own queued decision during the outage: %v", err)
	}
	if err := cluster.Start(); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the queue drains after the outage", func() bool { return writer.Pending() == 0 })
	// Node two's first read may meet a pooled connection that the restart cut (a retryable
	// store.ErrUnavailable); a caller retries.
	eventually(t, "node two finds a decision queued through the outage", func() bool {
		rec, err := trailTwo.Find(ctx, "during-19")
		return err == nil && rec.RequestID == "during-19"
	})
	if n, _ := two.CountDecisions(ctx); n != 21 || c.dropped.Load() != 0 {
		t.Fatalf("%d records stored, %d dropped; want 21 and 0", n, c.dropped.Load())
	}
}
