package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAppendedRecordsAreFoundByRequestID(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, 1<<20, 3, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := 0; i < 5; i++ {
		if err := l.Append(&Record{RequestID: fmt.Sprint("req-", i), Outcome: "deny", Reason: fmt.Sprint("reason ", i)}); err != nil {
			t.Fatal(err)
		}
	}
	r, err := l.Find(context.Background(), "req-3")
	if err != nil {
		t.Fatal(err)
	}
	if r.Reason != "reason 3" {
		t.Fatalf("found %+v", r)
	}
	if _, err := l.Find(context.Background(), "req-9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing id: %v", err)
	}
	if _, err := l.Find(context.Background(), "req-"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a prefix of an id matched: %v", err)
	}
}

func TestRotationKeepsAtMostMaxFilesAndOldRecordsStayFindable(t *testing.T) {
	dir := t.TempDir()
	tick := time.Unix(1700000000, 0)
	l, err := Open(dir, 300, 2, func() time.Time { tick = tick.Add(time.Second); return tick })
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if err := l.Append(&Record{RequestID: fmt.Sprint("r", i), Outcome: "allow", Reason: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	l.Close()
	files, _ := filepath.Glob(filepath.Join(dir, "audit-*.log"))
	if len(files) != 2 {
		t.Fatalf("%d rotated files, want 2", len(files))
	}
	if _, err := FindIn(dir, "r19"); err != nil {
		t.Fatalf("newest record: %v", err)
	}
	if _, err := FindIn(dir, "r0"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the oldest record should have been rotated away: %v", err)
	}
	st, _ := os.Stat(filepath.Join(dir, current))
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("audit file mode %v", st.Mode().Perm())
	}
}

func TestRecordsReachTheFileWithinTheFlushInterval(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir, 1<<20, 3, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Append(&Record{RequestID: "soon", Outcome: "deny"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * FlushInterval)
	for {
		// Another process (inkan explain --data-dir) reads the directory, not the buffer.
		if _, err := FindIn(dir, "soon"); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("the record was not flushed to the file")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
