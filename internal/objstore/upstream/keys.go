package upstream

import (
	"fmt"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// portableKey refuses, with ErrInvalidKey, the keys S3-compatible stores
// backed by a file system store under another name, or lose: a leading "/",
// an empty segment ("a//b"), "." or ".." segments, and a trailing "/" (a
// "directory marker"). SeaweedFS folds "//" and a leading "/" and refuses
// ".." (400); versitygw's posix backend resolves them as paths. A "dir/"
// marker is the directory itself in both: SeaweedFS drops it from listings
// once an object "dir" is written, versitygw cannot hold "dir" beside it or
// data in it. AWS S3 itself stores them all (Options.AnyKey lifts the rule
// for it).
//
// Decision: a key an upstream cannot store faithfully is refused, never
// renamed: a client that wrote "a//b" and could read it back as "a/b" would
// see another object than the one it wrote, and two keys could collide.
// The rule is the same for every upstream, so that whether a key is
// accepted does not depend on which store is behind inkan; see
// docs/upstream.md ("Portable keys").
func portableKey(key string) error {
	if strings.HasPrefix(key, "/") {
		return fmt.Errorf("%w: %q starts with \"/\", which S3-compatible file stores drop (portable keys, see docs/upstream.md)", objstore.ErrInvalidKey, key)
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("%w: %q has a %q segment, which S3-compatible file stores resolve or refuse (portable keys, see docs/upstream.md)", objstore.ErrInvalidKey, key, seg)
		}
	}
	if strings.Contains(key, "//") {
		return fmt.Errorf("%w: %q has an empty segment (\"//\"), which S3-compatible file stores fold (portable keys, see docs/upstream.md)", objstore.ErrInvalidKey, key)
	}
	if strings.HasSuffix(key, "/") {
		return fmt.Errorf("%w: %q ends with \"/\", a directory marker, which S3-compatible file stores cannot keep beside an object of the same name (portable keys, see docs/upstream.md)", objstore.ErrInvalidKey, key)
	}
	return nil
}

// portablePrefix reports whether any portable key can start with prefix: a
// prefix whose completed segments break the rule matches nothing, and is
// answered without asking the upstream (which might fold it and list other
// keys).
func portablePrefix(prefix string) bool {
	i := strings.LastIndexByte(prefix, '/')
	if i < 0 {
		return true
	}
	return portableKey(prefix[:i+1]+"x") == nil
}
