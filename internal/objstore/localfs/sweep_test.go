package localfs

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

func TestSweepRemovesTemporaryAndUnreferencedFilesButKeepsReferencedOnes(t *testing.T) {
	dir := t.TempDir()
	b := openTest(t, dir, Options{SweepInterval: -1})
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, "b", "kept", strings.NewReader("kept"), 4, objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	orphan, _ := b.blobs.newID()
	stray := filepath.Join(dir, tmpDir, "0123456789abcdef0123456789abcdef")
	junk := filepath.Join(dir, tmpDir, "not-an-id")
	for _, p := range []string{b.blobs.path(orphan), stray, junk} {
		if err := os.WriteFile(p, []byte("left by a crash"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	st, err := b.Sweep(ctx)
	if err != nil || st != (SweepStats{TempFiles: 2, Orphans: 1}) {
		t.Fatalf("Sweep = %+v, %v; want 2 temporary files and 1 orphan", st, err)
	}
	fsck(t, b)
	obj, err := b.GetObject(ctx, "b", "kept", objstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	obj.Body.Close()
	if st, err := b.Sweep(ctx); err != nil || st != (SweepStats{}) {
		t.Fatalf("second Sweep = %+v, %v; want nothing to do", st, err)
	}
}

func TestSweepLeavesWritesInProgressAndOpenBodiesAlone(t *testing.T) {
	dir := t.TempDir()
	b := openTest(t, dir, Options{SweepInterval: -1})
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	// a write between its rename and its commit: held, not yet referenced
	w, err := b.blobs.write(ctx, strings.NewReader("in flight"), -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	// an open body whose data was freed by an overwrite
	data := bytes.Repeat([]byte("v1"), 1<<20)
	if _, err := b.PutObject(ctx, "b", "k", bytes.NewReader(data), int64(len(data)), objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	obj, err := b.GetObject(ctx, "b", "k", objstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, "b", "k", strings.NewReader("v2"), 2, objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if st, err := b.Sweep(ctx); err != nil || st != (SweepStats{}) {
		t.Fatalf("Sweep = %+v, %v; want nothing removed", st, err)
	}
	if _, err := os.Stat(b.blobs.path(w.id)); err != nil {
		t.Fatalf("the sweep removed a write in progress: %v", err)
	}
	var got bytes.Buffer
	if _, err := got.ReadFrom(obj.Body); err != nil || !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("open body after the sweep: %d bytes, %v", got.Len(), err)
	}
	obj.Body.Close()
	b.blobs.discard(w)
	fsck(t, b)
}

func TestSweepAbortsOnlyUploadsOlderThanTheLimit(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	b := openTest(t, t.TempDir(), Options{Now: func() time.Time { return now }, UploadMaxAge: 24 * time.Hour, SweepInterval: -1})
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	old, _ := b.CreateMultipartUpload(ctx, "b", "old", objstore.ObjectMeta{}, nil)
	if _, err := b.UploadPart(ctx, "b", "old", old, 1, strings.NewReader("part"), 4, objstore.PartOptions{}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(20 * time.Hour)
	young, _ := b.CreateMultipartUpload(ctx, "b", "young", objstore.ObjectMeta{}, nil)
	now = now.Add(5 * time.Hour)
	if st, err := b.Sweep(ctx); err != nil || st != (SweepStats{Uploads: 1}) {
		t.Fatalf("Sweep = %+v, %v; want one expired upload", st, err)
	}
	if err := b.AbortMultipartUpload(ctx, "b", "old", old); !errors.Is(err, objstore.ErrNoSuchUpload) {
		t.Fatalf("the old upload survived the sweep: %v", err)
	}
	if err := b.AbortMultipartUpload(ctx, "b", "young", young); err != nil {
		t.Fatalf("the young upload did not survive the sweep: %v", err)
	}
	fsck(t, b)
}

func TestTheBackgroundSweepRunsOnItsInterval(t *testing.T) {
	dir := t.TempDir()
	b := openTest(t, dir, Options{SweepInterval: 10 * time.Millisecond})
	stray := filepath.Join(dir, tmpDir, "0123456789abcdef0123456789abcdef")
	if err := os.WriteFile(stray, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, err := os.Stat(stray); errors.Is(err, os.ErrNotExist) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the background sweep did not remove a temporary file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	fsck(t, b)
}
