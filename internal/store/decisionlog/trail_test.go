package decisionlog_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
)

func openTrail(t *testing.T, st store.Decisions) (*decisionlog.Trail, *audit.Log, *decisionlog.Writer) {
	t.Helper()
	return openTrailWith(t, st, decisionlog.Options{MaxDelay: time.Millisecond, MaxBackoff: time.Millisecond, CloseWait: 10 * time.Millisecond})
}

func openTrailWith(t *testing.T, st store.Decisions, o decisionlog.Options) (*decisionlog.Trail, *audit.Log, *decisionlog.Writer) {
	t.Helper()
	file, err := audit.Open(filepath.Join(t.TempDir(), "audit"), 1<<20, 2, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	w := decisionlog.NewWriter(st, o)
	t.Cleanup(func() { w.Close() })
	return decisionlog.NewTrail(file, w), file, w
}

func TestTheTrailFindsAnotherNodesDecisionInTheStoreAndItsOwnOldOnesInTheFile(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	one, _, _ := openTrail(t, st)
	two, twoFile, _ := openTrail(t, st)
	if err := one.Append(record("made-on-one")); err != nil {
		t.Fatal(err)
	}
	eventually(t, "node two finds node one's decision", func() bool {
		rec, err := two.Find(ctx, "made-on-one")
		return err == nil && rec.Reason == "because made-on-one"
	})
	// A record in the file only (written before the store kept decisions).
	if err := twoFile.Append(record("file-only")); err != nil {
		t.Fatal(err)
	}
	if rec, err := two.Find(ctx, "file-only"); err != nil || rec.RequestID != "file-only" {
		t.Fatalf("a record only in the file: %+v, %v", rec, err)
	}
	if _, err := two.Find(ctx, "nowhere"); !errors.Is(err, audit.ErrNotFound) {
		t.Fatalf("a record nowhere: %v", err)
	}
}

func TestWithTheStoreDownTheTrailStillFindsLocalRecordsAndReportsTheOutageForOthers(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	tr, file, _ := openTrail(t, st)
	st.down.Store(true)
	if err := tr.Append(record("queued")); err != nil {
		t.Fatal(err)
	}
	if err := file.Append(record("old")); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"queued", "old"} {
		if _, err := tr.Find(ctx, id); err != nil {
			t.Fatalf("%s with the store down: %v", id, err)
		}
	}
	if _, err := tr.Find(ctx, "elsewhere"); !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("another node's record with the store down: %v, want store.ErrUnavailable", err)
	}
}
