package upstream

import (
	"net/url"
	"strings"
	"sync"

	"github.com/inkan-dev/inkan/internal/objstore"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

var _ objstore.Backend = (*Backend)(nil)

// Backend is the objstore.Backend of an upstream S3 endpoint. Create it with
// New; it is safe for concurrent use and holds no state but its connection
// pool, so any number of inkan nodes may front the same upstream.
type Backend struct {
	opt    Options
	base   *url.URL
	signer sigv4.Signer // keeps the day's signing key: one HMAC per request, not five

	stateOnce sync.Mutex // serialises creating the state bucket
	stateMade bool
}

// New returns a backend for o. It does not contact the upstream: an upstream
// that is down at start-up makes calls fail with ErrUnavailable until it is
// back.
func New(o Options) (*Backend, error) {
	o, base, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Backend{opt: o, base: base}, nil
}

// bucketName is the upstream name of inkan's bucket, after the contract's
// check; the state bucket is nobody's to use.
func (b *Backend) bucketName(bucket string) (string, error) {
	if err := objstore.CheckBucket(bucket); err != nil {
		return "", err
	}
	name := b.opt.BucketPrefix + bucket
	if name == b.opt.StateBucket {
		return "", objstore.ErrInvalidBucketName
	}
	return name, nil
}

// objectName is bucketName plus the key checks: the contract's, then the
// portable-key rule unless Options.AnyKey.
func (b *Backend) objectName(bucket, key string) (string, error) {
	if err := objstore.CheckObject(bucket, key); err != nil {
		return "", err
	}
	if !b.opt.AnyKey {
		if err := portableKey(key); err != nil {
			return "", err
		}
	}
	return b.bucketName(bucket)
}

// listName is bucketName plus the checks of a listing's names. empty is
// true when no key the backend stores can match prefix (see
// portablePrefix).
func (b *Backend) listName(bucket, prefix string, names ...string) (name string, empty bool, err error) {
	if err := objstore.CheckNames(append(names, prefix)...); err != nil {
		return "", false, err
	}
	name, err = b.bucketName(bucket)
	return name, err == nil && !b.opt.AnyKey && !portablePrefix(prefix), err
}

// inkanBucket is the inkan name of an upstream bucket; ok is false for
// buckets outside the prefix and for the state bucket.
func (b *Backend) inkanBucket(name string) (string, bool) {
	if name == b.opt.StateBucket {
		return "", false
	}
	rest, ok := strings.CutPrefix(name, b.opt.BucketPrefix)
	return rest, ok && rest != ""
}
