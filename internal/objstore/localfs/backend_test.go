package localfs

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
)

func TestObjectsSurviveCloseAndReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := t.Context()
	b, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.CreateBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	meta := objstore.ObjectMeta{ContentType: "x/y", UserMeta: map[string]string{"k": "\xffv"}}
	put, err := b.PutObject(ctx, "b", "k", strings.NewReader("data"), 4, objstore.PutOptions{Meta: meta})
	if err != nil {
		t.Fatal(err)
	}
	id, err := b.CreateMultipartUpload(ctx, "b", "up", meta, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	b = openTest(t, dir, Options{})
	head, err := b.HeadObject(ctx, "b", "k", "")
	if err != nil || head.ETag != put.ETag || !head.LastModified.Equal(put.LastModified) || head.Meta.UserMeta["k"] != "\xffv" {
		t.Fatalf("after reopening: %+v, %v; want %+v", head, err, put)
	}
	if _, err := b.ListParts(ctx, "b", "up", id, objstore.ListPartsOptions{MaxParts: 1}); err != nil {
		t.Fatalf("upload lost across reopening: %v", err)
	}
	fsck(t, b)
}

func TestASecondOpenOfTheSameDirectoryFails(t *testing.T) {
	dir := t.TempDir()
	openTest(t, dir, Options{})
	if b, err := Open(t.Context(), dir, Options{}); err == nil {
		b.Close()
		t.Fatal("a second Open of a directory in use succeeded")
	}
}

func TestHostileKeysNeverBecomePaths(t *testing.T) {
	dir := t.TempDir()
	b := openTest(t, dir, Options{})
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "../../escape"); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"../../../outside", "/etc/passwd", "..\\..\\x", "%2e%2e/%2e%2e/y", "a\x01b", strings.Repeat("../", 300)} {
		if _, err := b.PutObject(ctx, "../../escape", k, bytes.NewReader([]byte(k)), int64(len(k)), objstore.PutOptions{}); err != nil {
			t.Fatalf("PutObject(%q): %v", k, err)
		}
	}
	// fsck's walk fails on any name the backend would not create itself
	fsck(t, b)
	if files := dataFilesOn(t, dir); len(files) != 6 {
		t.Fatalf("%d data files for 6 objects", len(files))
	}
}

func TestAClosedBackendRefusesWrites(t *testing.T) {
	b, err := Open(t.Context(), t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.CreateBucket(t.Context(), "b"); err != objstore.ErrClosed {
		t.Fatalf("CreateBucket after Close: %v, want ErrClosed", err)
	}
}

func TestACopyOfAMultipartObjectKeepsItsETagAndPartsCount(t *testing.T) {
	b := openTest(t, t.TempDir(), Options{})
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	id, err := b.CreateMultipartUpload(ctx, "b", "k", objstore.ObjectMeta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var parts []objstore.CompletePart
	for n, data := range [][]byte{bytes.Repeat([]byte{1}, objstore.MinPartSize), []byte("tail")} {
		p, err := b.UploadPart(ctx, "b", "k", id, n+1, bytes.NewReader(data), int64(len(data)), objstore.PartOptions{})
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, objstore.CompletePart{Number: n + 1, ETag: p.ETag})
	}
	src, err := b.CompleteMultipartUpload(ctx, "b", "k", id, parts, objstore.CompleteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cp, err := b.CopyObject(ctx, objstore.CopySource{Bucket: "b", Key: "k"}, "b", "copy", objstore.CopyOptions{})
	if err != nil || cp.ETag != src.ETag || cp.PartsCount != 2 {
		t.Fatalf("CopyObject = %+v, %v; want ETag %s and 2 parts", cp, err, src.ETag)
	}
	if files := dataFilesOn(t, b.dir); len(files) != 2 {
		t.Fatalf("the copy wrote data: %d data files, want the 2 parts shared", len(files))
	}
	fsck(t, b)
}

func TestTheIndexIsPrivate(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(context.Background(), dir, Options{SweepInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	st, err := os.Stat(filepath.Join(dir, indexFile))
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("index.db mode %v, want 0600", st.Mode().Perm())
	}
}
