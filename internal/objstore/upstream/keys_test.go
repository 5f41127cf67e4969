package upstream

import (
	"errors"
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
)

func TestKeysFileStoresWouldRenameAreNotPortable(t *testing.T) {
	for _, k := range []string{"/a", "a//b", ".", "..", "a/./b", "a/..", "../x", "dir/", "ctl\x01", "x\uffff"} {
		if err := portableKey(k); !errors.Is(err, objstore.ErrInvalidKey) {
			t.Errorf("portableKey(%q) = %v, want ErrInvalidKey", k, err)
		}
	}
	for _, k := range []string{"a", "a/b", ".hidden", "a/..b", "...", "tab\tand\nnewline", "日本語/キー", "a\\b"} {
		if err := portableKey(k); err != nil {
			t.Errorf("portableKey(%q) = %v", k, err)
		}
	}
	for prefix, want := range map[string]bool{"": true, "a": true, "a/": true, "a/.": true, "/": false, "a//": false, "../": false, "a/./x": false} {
		if got := portablePrefix(prefix); got != want {
			t.Errorf("portablePrefix(%q) = %v, want %v", prefix, got, want)
		}
	}
}
