package localfs

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// sparesHeld reports the pool's files and bytes.
func sparesHeld(s *spares) (int, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.files), s.bytes
}

func putBytes(t *testing.T, b *Backend, key string, data []byte) {
	t.Helper()
	if _, err := b.PutObject(t.Context(), "b", key, bytes.NewReader(data), int64(len(data)), objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestReplacedLargeDataFileIsKeptAsASpareAndTradedByTheNextLargeWrite(t *testing.T) {
	b := openTest(t, t.TempDir(), Options{SweepInterval: -1})
	if err := b.CreateBucket(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	v1 := randomBytes(3*spareMinSize+12345, 1) // not a multiple of the step
	small := randomBytes(spareMinSize-1, 2)
	putBytes(t, b, "big", v1)
	putBytes(t, b, "small", small)

	// Replacing the small object deletes its data file outright.
	putBytes(t, b, "small", randomBytes(10, 3))
	if n, _ := sparesHeld(&b.blobs.spares); n != 0 {
		t.Fatalf("a %d-byte data file became a spare", len(small))
	}
	// Replacing the large one keeps its file, unlinked, as a spare.
	v2 := randomBytes(100, 4)
	putBytes(t, b, "big", v2)
	if n, size := sparesHeld(&b.blobs.spares); n != 1 || size != int64(len(v1)) {
		t.Fatalf("spares after replacing a %d-byte object: %d files, %d bytes; want 1, %d", len(v1), n, size, len(v1))
	}
	fsck(t, b) // the spare has no name in blobs/

	// A small write leaves the spare alone; a large one takes it and frees
	// it as it goes.
	putBytes(t, b, "other", randomBytes(1000, 5))
	if n, _ := sparesHeld(&b.blobs.spares); n != 1 {
		t.Fatal("a small write took the spare")
	}
	v3 := randomBytes(2*spareMinSize, 6)
	putBytes(t, b, "next", v3)
	// It freed the spare's tail and two steps; what is left goes back.
	left := int64(len(v1)-len(v3)) / tradeStep * tradeStep
	wantFiles := 0
	if left >= spareMinSize {
		wantFiles = 1
	} else {
		left = 0
	}
	if n, size := sparesHeld(&b.blobs.spares); n != wantFiles || size != left {
		t.Fatalf("spares after a write of two steps: %d files, %d bytes; want %d, %d", n, size, wantFiles, left)
	}
	for key, want := range map[string][]byte{"big": v2, "next": v3} {
		if got, _ := readAll(t, b, key, objstore.GetOptions{}); !bytes.Equal(got, want) {
			t.Fatalf("%s: read %d bytes, not the %d written", key, len(got), len(want))
		}
	}
	fsck(t, b)
}

func TestSpareIsNotTakenWhileAReaderMayStillReadIt(t *testing.T) {
	b := openTest(t, t.TempDir(), Options{SweepInterval: -1})
	if err := b.CreateBucket(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	v1 := randomBytes(2*spareMinSize, 1)
	putBytes(t, b, "k", v1)
	obj, err := b.GetObject(t.Context(), "b", "k", objstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 4096)
	if _, err := io.ReadFull(obj.Body, head); err != nil {
		t.Fatal(err)
	}
	putBytes(t, b, "k", randomBytes(10, 2))
	putBytes(t, b, "other", randomBytes(3*spareMinSize, 3)) // would trade v1's file if it were a spare
	rest, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil || !bytes.Equal(append(head, rest...), v1) {
		t.Fatalf("a body opened before its object was replaced read %d bytes (%v), not its %d", len(head)+len(rest), err, len(v1))
	}
	// Now that the reader is done the file is a spare.
	if n, _ := sparesHeld(&b.blobs.spares); n != 1 {
		t.Fatalf("spares once the reader closed: %d; want 1", n)
	}
}

// newSpareFile makes a sparse file of size bytes for the pool tests.
func newSpareFile(t *testing.T, dir string, size int64) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "spare")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return f.Name()
}

func TestTradeTruncatesInWholeStepsAheadOfTheWrite(t *testing.T) {
	var s spares
	size := 5*tradeStep + 4096 + 7
	path := newSpareFile(t, t.TempDir(), size)
	s.remove(path)
	if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a spare keeps its name: %v", err)
	}
	tr := s.take(100, -1) // a write that had already written 100 bytes
	if tr == nil {
		t.Fatal("no spare to take")
	}
	defer tr.f.Close()
	for _, c := range []struct{ end, want int64 }{
		{100, 5 * tradeStep},                   // the unaligned tail goes first
		{100 + 4096 + 7, 5 * tradeStep},        // not yet a whole step more
		{100 + tradeStep, 4 * tradeStep},       // one step written
		{100 + 3*tradeStep + 5, 2 * tradeStep}, // rounded down
		{100 + size, 0},
		{200 + size, 0},
	} {
		tr.ahead(c.end)
		fi, err := tr.f.Stat()
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != c.want || tr.left != c.want {
			t.Fatalf("after a write to %d: spare holds %d bytes (left %d); want %d", c.end, fi.Size(), tr.left, c.want)
		}
	}
}

func TestSparesAreBoundedInFilesBytesAndTime(t *testing.T) {
	dir := t.TempDir()
	var s spares
	held := func() []*os.File {
		s.mu.Lock()
		defer s.mu.Unlock()
		var fs []*os.File
		for _, sp := range s.files {
			fs = append(fs, sp.f)
		}
		return fs
	}
	closed := func(f *os.File) bool {
		// evicted spares are closed by a goroutine of their own
		for range 100 {
			if _, err := f.Stat(); errors.Is(err, os.ErrClosed) {
				return true
			}
			time.Sleep(10 * time.Millisecond)
		}
		return false
	}

	// Too small: deleted, not kept.
	small := newSpareFile(t, dir, spareMinSize-1)
	s.remove(small)
	if n, _ := sparesHeld(&s); n != 0 {
		t.Fatal("a file below spareMinSize was kept")
	}
	if _, err := os.Lstat(small); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a small file was not deleted: %v", err)
	}

	// Files: the oldest go first.
	for range spareMaxFiles {
		s.remove(newSpareFile(t, dir, spareMinSize))
	}
	first := held()[0]
	s.remove(newSpareFile(t, dir, spareMinSize))
	if n, _ := sparesHeld(&s); n != spareMaxFiles || !closed(first) {
		t.Fatalf("%d spares, oldest closed %v; want %d and the oldest closed", n, closed(first), spareMaxFiles)
	}
	s.drop(false)

	// Bytes.
	for range spareMaxBytes / (1 << 30) {
		s.remove(newSpareFile(t, dir, 1<<30))
	}
	first = held()[0]
	s.remove(newSpareFile(t, dir, 1<<30))
	if n, size := sparesHeld(&s); size != spareMaxBytes || !closed(first) {
		t.Fatalf("%d spares of %d bytes, oldest closed %v; want %d bytes and the oldest closed", n, size, closed(first), int64(spareMaxBytes))
	}

	// Time: expire closes the spares older than spareTTL and keeps the rest.
	s.mu.Lock()
	s.files[0].at = time.Now().Add(-spareTTL)
	s.mu.Unlock()
	first, rest := held()[0], held()[1:]
	s.expire()
	if n, _ := sparesHeld(&s); n != len(rest) || !closed(first) {
		t.Fatalf("after expire: %d spares, expired one closed %v; want %d and it closed", n, closed(first), len(rest))
	}

	// drop(true), as Close does, closes them all and keeps no more.
	s.drop(true)
	for _, f := range rest {
		if !closed(f) {
			t.Fatal("a spare outlived drop")
		}
	}
	late := newSpareFile(t, dir, spareMinSize)
	s.remove(late)
	if n, _ := sparesHeld(&s); n != 0 {
		t.Fatal("a spare was kept after the backend closed")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("%d files left in %s", len(entries), filepath.Base(dir))
	}
}

func TestTakeFitsTheWriteAndGiveBackKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	var s spares
	defer s.drop(true)
	for _, size := range []int64{3 * spareMinSize, 8 * spareMinSize, 2 * spareMinSize} {
		s.remove(newSpareFile(t, dir, size))
	}
	sizeOf := func(tr *trade) int64 {
		if tr == nil {
			t.Fatal("no spare to take")
		}
		return tr.size
	}
	// the smallest that covers the write
	a := s.take(0, 2*spareMinSize+1)
	if got := sizeOf(a); got != 3*spareMinSize {
		t.Fatalf("a write of 2 steps and a byte took a spare of %d bytes; want %d", got, 3*spareMinSize)
	}
	// none covers it: the largest
	b := s.take(0, 100*spareMinSize)
	if got := sizeOf(b); got != 8*spareMinSize {
		t.Fatalf("a write larger than every spare took one of %d bytes; want the largest, %d", got, 8*spareMinSize)
	}
	// what a write leaves goes back, in the order of removal; too little is closed
	b.ahead(5 * spareMinSize)
	s.giveBack(b)
	a.ahead(3*spareMinSize - 1)
	s.giveBack(a)
	if n, size := sparesHeld(&s); n != 2 || size != 3*spareMinSize+2*spareMinSize {
		t.Fatalf("after giving back: %d spares of %d bytes; want 2 of %d", n, size, 5*spareMinSize)
	}
	if _, err := a.f.Stat(); !errors.Is(err, os.ErrClosed) {
		t.Fatal("a spare with less than spareMinSize left was not closed")
	}
	s.mu.Lock()
	first := s.files[0].size
	s.mu.Unlock()
	if first != 3*spareMinSize {
		t.Fatalf("the oldest spare holds %d bytes; want the one removed first (%d left)", first, 3*spareMinSize)
	}
}
