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
// data in it. Characters XML 1.0 cannot carry (control characters other
// than tab, LF and CR; U+FFFE, U+FFFF) need encoding-type=url in a listing,
// which versitygw ignores: it lists them as U+FFFD. AWS S3 itself stores
// them all (Options.AnyKey lifts the rule for it).
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
	if i := strings.IndexFunc(key, notXML); i >= 0 {
		return fmt.Errorf("%w: %q holds %U, which an XML listing cannot carry and versitygw lists mangled (portable keys, see docs/upstream.md)", objstore.ErrInvalidKey, key, []rune(key[i:])[0])
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

// notXML reports a character XML 1.0 cannot carry
// (https://www.w3.org/TR/xml/#charsets).
func notXML(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r == 0xfffe || r == 0xffff
}
