package localfs

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

var _ objstore.Backend = (*Backend)(nil)

// Options configure a Backend. The zero value is usable.
type Options struct {
	// Now is the clock for LastModified, Initiated and upload expiry;
	// time.Now when nil.
	Now func() time.Time
	// Rand supplies the random part of data file names and upload IDs;
	// crypto/rand.Reader when nil.
	Rand io.Reader
	// SweepInterval is the period of the background Sweep; 1 hour when 0,
	// none when negative (Open sweeps in any case).
	SweepInterval time.Duration
	// UploadMaxAge is how long a multipart upload may stay incomplete before
	// a sweep aborts it; 7 days when 0.
	UploadMaxAge time.Duration
	// Logger receives background sweep failures; discarded when nil.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.SweepInterval == 0 {
		o.SweepInterval = time.Hour
	}
	if o.UploadMaxAge == 0 {
		o.UploadMaxAge = 7 * 24 * time.Hour
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Backend is the local-disk objstore.Backend. Create it with Open; it is
// safe for concurrent use until Close.
type Backend struct {
	dir     string
	opts    Options
	keep    *keeper
	blobs   *blobStore
	idx     *index
	buckets bucketSet
	lock    *os.File
	stop    chan struct{}
	swept   chan struct{}
}

// Open opens (creating if needed) the backend stored in dir, takes an
// exclusive lock on it (a second Open of the same dir fails until Close),
// runs a Sweep, and starts the background sweep.
func Open(ctx context.Context, dir string, opts Options) (*Backend, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("localfs: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("localfs: create directory: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	b := &Backend{dir: dir, opts: opts.withDefaults(), lock: lock,
		stop: make(chan struct{}), swept: make(chan struct{})}
	b.keep = newKeeper(func(id blobID) { b.blobs.retireFile(id) })
	b.blobs = newBlobStore(dir, b.keep, b.newBlobID)
	if err := b.start(ctx); err != nil {
		lock.Close()
		return nil, err
	}
	return b, nil
}

func (b *Backend) start(ctx context.Context) error {
	if err := b.blobs.makeDirs(); err != nil {
		return fmt.Errorf("localfs: create directories: %w", err)
	}
	idx, err := openIndex(ctx, b.dir, b.keep)
	if err != nil {
		return err
	}
	b.idx = idx
	if err := b.loadBuckets(ctx); err != nil {
		idx.close()
		return err
	}
	if _, err := b.Sweep(ctx); err != nil {
		idx.close()
		return err
	}
	go b.sweepLoop()
	return nil
}

// Close stops the background sweep and closes the index. Call it once,
// after every other call has returned.
func (b *Backend) Close() error {
	close(b.stop)
	<-b.swept
	b.blobs.spares.drop(true)
	err := b.idx.close()
	if lerr := b.lock.Close(); err == nil {
		err = lerr
	}
	return err
}

func (b *Backend) newBlobID() (blobID, error) {
	var id blobID
	if _, err := io.ReadFull(b.opts.Rand, id[:]); err != nil {
		return id, fmt.Errorf("localfs: random: %w", err)
	}
	return id, nil
}

// newVersionID returns a version id: newUploadID's form (see versions.go).
func (b *Backend) newVersionID() (string, error) { return b.newUploadID(b.now()) }

// newUploadID returns an ID that sorts in initiation order: 16 hex digits of
// the time in nanoseconds, then 16 random hex digits.
func (b *Backend) newUploadID(now time.Time) (string, error) {
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], uint64(now.UnixNano()))
	if _, err := io.ReadFull(b.opts.Rand, raw[8:]); err != nil {
		return "", fmt.Errorf("localfs: random: %w", err)
	}
	return hex.EncodeToString(raw[:]), nil
}

// now is the clock in UTC without its monotonic reading, exactly as the
// index will return it.
func (b *Backend) now() time.Time {
	return b.opts.Now().UTC()
}
