package objstore

import (
	"fmt"
	"strings"
)

// NormalizeETag strips the double quotes (and a weak "W/" prefix) clients
// put around ETags, so that ETags compare as stored.
func NormalizeETag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	if len(etag) >= 2 && etag[0] == '"' && etag[len(etag)-1] == '"' {
		etag = etag[1 : len(etag)-1]
	}
	return etag
}

// Check evaluates p against the key's current version: exists says whether
// there is one, etag is its ETag. It returns nil when the write may proceed,
// ErrNoSuchKey when IfMatch needs a version and there is none, and
// ErrPreconditionFailed otherwise.
func (p Precondition) Check(exists bool, etag string) error {
	if p.IfMatch != "" {
		if !exists {
			return fmt.Errorf("%w: if-match on a missing object", ErrNoSuchKey)
		}
		if want := NormalizeETag(p.IfMatch); want != "*" && want != etag {
			return fmt.Errorf("%w: if-match", ErrPreconditionFailed)
		}
	}
	if p.IfNoneMatch != "" && exists {
		if want := NormalizeETag(p.IfNoneMatch); want == "*" || want == etag {
			return fmt.Errorf("%w: if-none-match", ErrPreconditionFailed)
		}
	}
	return nil
}
