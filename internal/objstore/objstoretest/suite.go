package objstoretest

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// Option adjusts what Run requires of a backend.
type Option func(*options)

type options struct {
	everyKey bool
	except   map[string]string // case name → why it does not run
}

// EveryKey requires the backend to store every key objstore.CheckKey
// accepts. Without it a backend may refuse some with ErrInvalidKey (an
// upstream S3 refuses keys it would store under another name), and the key
// and listing tests check what it stored; with it, a refusal fails the test.
// localfs, which keeps keys as opaque bytes, runs with it.
func EveryKey() Option { return func(o *options) { o.everyKey = true } }

// Except skips the case named name, saying why in the skip message: for a
// defect of a third-party server that the backend in front of it cannot hide
// (a versitygw that lets a reader see one version's bytes under another's
// ETag, say). Only a test of an upstream backend may use it, and the reason
// must name the server, its version and the defect; the case keeps running
// for every other backend.
func Except(name, reason string) Option {
	return func(o *options) {
		if o.except == nil {
			o.except = map[string]string{}
		}
		o.except[name] = reason
	}
}

// Run runs the conformance suite. newBackend must return a new, empty
// backend each time it is called and arrange its cleanup with t.Cleanup.
func Run(t *testing.T, newBackend func(t *testing.T) objstore.Backend, opts ...Option) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	groups := []struct {
		name  string
		tests []test
	}{
		{"buckets", bucketTests},
		{"objects", objectTests},
		{"ranges", rangeTests},
		{"copy", copyTests},
		{"keys", keyTests},
		{"listing", listTests},
		{"multipart", multipartTests},
		{"tags", tagTests},
		{"concurrency", concurrencyTests},
		{"versioning", versionTests},
		{"encryption", encryptionTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					if why, ok := o.except[tc.name]; ok {
						t.Skip("excepted for this backend: " + why)
					}
					f := newFixture(t, newBackend(t))
					f.everyKey = o.everyKey
					tc.run(f)
				})
			}
		})
	}
}

// test is one case, named by the sentence it checks.
type test struct {
	name string
	run  func(f *fixture)
}

// bucket is the bucket every fixture creates.
const bucket = "conformance"

// fixture is a backend with one bucket, plus helpers that fail the test on
// unexpected errors.
type fixture struct {
	t   *testing.T
	b   objstore.Backend
	ctx context.Context
	// everyKey fails a test on any key the backend refuses (EveryKey).
	everyKey bool
}

func newFixture(t *testing.T, b objstore.Backend) *fixture {
	f := &fixture{t: t, b: b, ctx: t.Context()}
	if err := b.CreateBucket(f.ctx, bucket); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	return f
}

func (f *fixture) put(key string, data []byte) objstore.ObjectInfo {
	f.t.Helper()
	return f.putMeta(key, data, objstore.ObjectMeta{})
}

func (f *fixture) putMeta(key string, data []byte, meta objstore.ObjectMeta) objstore.ObjectInfo {
	f.t.Helper()
	info, err := f.b.PutObject(f.ctx, bucket, key, bytes.NewReader(data), int64(len(data)), objstore.PutOptions{Meta: meta})
	if err != nil {
		f.t.Fatalf("PutObject(%q): %v", key, err)
	}
	return info
}

// tryPut stores data at key and reports true, or reports false when the
// backend refuses the key with ErrInvalidKey and may (see EveryKey).
func (f *fixture) tryPut(key string, data []byte) bool {
	f.t.Helper()
	_, err := f.b.PutObject(f.ctx, bucket, key, bytes.NewReader(data), int64(len(data)), objstore.PutOptions{})
	return f.stored(key, err)
}

// stored reports whether a write of key succeeded, tolerating only a
// refusal of the key (ErrInvalidKey) and only without EveryKey.
func (f *fixture) stored(key string, err error) bool {
	f.t.Helper()
	switch {
	case err == nil:
		return true
	case errors.Is(err, objstore.ErrInvalidKey) && !f.everyKey:
		f.t.Logf("the backend refuses key %q: %v", key, err)
		return false
	}
	f.t.Fatalf("writing %q: %v", key, err)
	return false
}

// putEach stores each key (its bytes given by data) with tryPut and returns
// the keys stored, sorted and unique.
func (f *fixture) putEach(keys []string, data func(i int) []byte) []string {
	f.t.Helper()
	var stored []string
	for i, k := range keys {
		if f.tryPut(k, data(i)) {
			stored = append(stored, k)
		}
	}
	return sortedUnique(stored)
}

// read returns the bytes and description of key's current version.
func (f *fixture) read(key string) ([]byte, objstore.ObjectInfo) {
	f.t.Helper()
	obj, err := f.b.GetObject(f.ctx, bucket, key, objstore.GetOptions{})
	if err != nil {
		f.t.Fatalf("GetObject(%q): %v", key, err)
	}
	return f.drain(obj), obj.Info
}

// drain reads and closes an object's body, checking its length.
func (f *fixture) drain(obj *objstore.Object) []byte {
	f.t.Helper()
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		f.t.Fatalf("reading %q: %v", obj.Info.Key, err)
	}
	if int64(len(data)) != obj.Length {
		f.t.Fatalf("%q: body has %d bytes, Length says %d", obj.Info.Key, len(data), obj.Length)
	}
	return data
}

// wantContent checks that key holds exactly data.
func (f *fixture) wantContent(key string, data []byte) {
	f.t.Helper()
	got, info := f.read(key)
	if !bytes.Equal(got, data) {
		f.t.Fatalf("%q: got %d bytes (md5 %s), want %d bytes (md5 %s)", key, len(got), md5Hex(got), len(data), md5Hex(data))
	}
	if info.Size != int64(len(data)) {
		f.t.Fatalf("%q: Size %d, want %d", key, info.Size, len(data))
	}
}

// wantMissing checks that key has no object.
func (f *fixture) wantMissing(key string) {
	f.t.Helper()
	_, err := f.b.HeadObject(f.ctx, bucket, key, "")
	wantErr(f.t, err, objstore.ErrNoSuchKey)
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("got error %v, want %v", err, target)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// randomBytes returns n bytes, the same for the same seed.
func randomBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// failingReader yields data, then fails with err instead of io.EOF, as a
// verifying reader does when a checksum does not match.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

// errBody is the error failingReader returns in tests.
var errBody = errors.New("objstoretest: body checksum mismatch")

// errOf is the error of a call that also returns a value.
func errOf[T any](_ T, err error) error { return err }
