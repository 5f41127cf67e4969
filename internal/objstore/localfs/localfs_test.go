package localfs

import (
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/objstoretest"
)

// openTest opens a backend in a fresh directory, closed at cleanup.
func openTest(t testing.TB, dir string, opts Options) *Backend {
	t.Helper()
	b, err := Open(t.Context(), dir, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// TestConformance runs the suite, then checks each backend's files against
// its index before it is closed.
func TestConformance(t *testing.T) {
	objstoretest.Run(t, func(t *testing.T) objstore.Backend {
		b := openTest(t, t.TempDir(), Options{})
		if b.blobs.anonymous != anonymousAvailable(t) {
			t.Errorf("the backend chose anonymous=%v against the probe", b.blobs.anonymous)
		}
		t.Cleanup(func() { fsck(t, b) })
		return b
	}, objstoretest.EveryKey())
}

// TestConformanceWithNamedTemporaryFiles runs the suite on the path taken
// where O_TMPFILE is unavailable.
func TestConformanceWithNamedTemporaryFiles(t *testing.T) {
	objstoretest.Run(t, func(t *testing.T) objstore.Backend {
		b := openTest(t, t.TempDir(), Options{})
		b.blobs.anonymous = false
		t.Cleanup(func() { fsck(t, b) })
		return b
	}, objstoretest.EveryKey())
}

// anonymousAvailable reports whether the test directory's file system
// takes O_TMPFILE data files (Linux ext4, XFS, Btrfs, tmpfs do). Where it
// does not, the backend uses named temporary files and only that path can
// be tested here.
func anonymousAvailable(t *testing.T) bool {
	ok := probeAnonymous(t.TempDir(), "probe")
	if !ok {
		t.Log("O_TMPFILE is unavailable on TMPDIR's file system: anonymous temporary files are not tested")
	}
	return ok
}
