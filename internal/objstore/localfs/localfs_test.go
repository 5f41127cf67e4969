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
		if !b.blobs.anonymous {
			t.Error("this system should support O_TMPFILE data files")
		}
		t.Cleanup(func() { fsck(t, b) })
		return b
	})
}

// TestConformanceWithNamedTemporaryFiles runs the suite on the path taken
// where O_TMPFILE is unavailable.
func TestConformanceWithNamedTemporaryFiles(t *testing.T) {
	objstoretest.Run(t, func(t *testing.T) objstore.Backend {
		b := openTest(t, t.TempDir(), Options{})
		b.blobs.anonymous = false
		t.Cleanup(func() { fsck(t, b) })
		return b
	})
}
