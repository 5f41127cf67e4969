//go:build unix

package devidp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenKeySetCreatesAPrivateDirectoryAndFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data", "devidp")
	openTestKeys(t, dir, newFakeClock())
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, keysFileName): 0o600} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode().Perm(); got != want {
			t.Errorf("%s mode %v, want %v", path, got, want)
		}
	}
}

func TestOpenKeySetRefusesAKeyFileOthersCanRead(t *testing.T) {
	dir := t.TempDir()
	openTestKeys(t, dir, newFakeClock())
	if err := os.Chmod(filepath.Join(dir, keysFileName), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenKeySet(dir, KeySetOptions{})
	if err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("OpenKeySet on a 0644 key file: %v, want a refusal telling to chmod 600", err)
	}
}
