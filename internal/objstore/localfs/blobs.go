package localfs

import (
	"context"
	"crypto/cipher"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/inkan-dev/inkan/internal/md5lanes"
	"github.com/inkan-dev/inkan/internal/objstore"
)

// Layout of a backend directory. Data files live in blobs/<2 hex>/<32 hex>,
// named by random IDs; see tempFile for how they are written.
const (
	blobsDir = "blobs"
	tmpDir   = "tmp"
	copyBuf  = 1 << 20
	// writebackChunk is how much of a large body is written before the
	// kernel is asked to start writing it back.
	writebackChunk = 8 << 20
)

// blobStore writes and opens the data files.
type blobStore struct {
	root string
	// anonymous is set when data files are written as O_TMPFILE files.
	anonymous bool
	keep      *keeper
	rand      func() (blobID, error)
	seq       atomic.Uint64
	bufs      sync.Pool
	// cryptBufs are the read buffers of encrypted bodies (cryptBody).
	cryptBufs sync.Pool
	spares    spares
	// md5 hashes the bodies longer than one copy buffer (see pipeline).
	md5 *md5lanes.Engine
}

func newBlobStore(root string, keep *keeper, rand func() (blobID, error)) *blobStore {
	s := &blobStore{root: root, keep: keep, rand: rand, md5: md5lanes.NewEngine()}
	s.bufs.New = func() any { b := make([]byte, copyBuf); return &b }
	s.cryptBufs.New = func() any { b := make([]byte, readBatch*sealedChunk); return &b }
	if id, err := rand(); err == nil {
		s.seq.Store(uint64(id[0]) * shardRun) // each process starts in its own shard
	}
	return s
}

// shardRun is how many consecutive data files share a shard directory.
const shardRun = 4096

// newID returns a random ID whose first byte, the shard directory, changes
// only every shardRun files: writes committed in one batch then nearly
// always share one directory, and one directory fsync covers them all,
// while the 256 directories still fill evenly over time.
func (s *blobStore) newID() (blobID, error) {
	id, err := s.rand()
	if err != nil {
		return id, err
	}
	id[0] = byte(s.seq.Add(1) / shardRun)
	return id, nil
}

func (s *blobStore) path(id blobID) string {
	h := id.String()
	return filepath.Join(s.root, blobsDir, h[:2], h)
}

func (s *blobStore) tmpPath(id blobID) string {
	return filepath.Join(s.root, tmpDir, id.String())
}

// makeDirs creates the directory tree, shard directories included, so that
// writes never create directories, and chooses how to write data files.
func (s *blobStore) makeDirs() error {
	if err := os.MkdirAll(filepath.Join(s.root, tmpDir), 0o700); err != nil {
		return err
	}
	for i := range 256 {
		if err := os.MkdirAll(filepath.Join(s.root, blobsDir, fmt.Sprintf("%02x", i)), 0o700); err != nil {
			return err
		}
	}
	s.anonymous = probeAnonymous(filepath.Join(s.root, tmpDir), "probe")
	return syncDir(s.root)
}

// written is a data file the index does not reference yet: its bytes are
// durable, its name becomes durable when dir is fsynced (which the index
// does before committing; see index.writeAfterSync). Its ID is held in the
// keeper until the caller settles it with committed or discard.
type written struct {
	id   blobID
	size int64
	md5  [md5.Size]byte
	dir  string
}

// write streams body into a new data file: the bytes go to a temporary
// file, are fsynced, and the file is published under its name in blobs/
// (see tempFile). On any error nothing remains; a read error of body is
// returned unwrapped.
//
// With aead set, the file is encrypted with it (see crypt.go).
func (s *blobStore) write(ctx context.Context, body io.Reader, size int64, aead cipher.AEAD) (written, error) {
	id, err := s.newID()
	if err != nil {
		return written{}, err
	}
	s.keep.hold(id)
	w, err := s.writeHeld(ctx, id, body, size, aead)
	if err != nil {
		s.keep.release(id)
	}
	err = storageFull(err)
	if errors.Is(err, objstore.ErrStorageFull) {
		s.spares.drop(false) // their blocks are the retry's room
	}
	return w, err
}

func (s *blobStore) writeHeld(ctx context.Context, id blobID, body io.Reader, size int64, aead cipher.AEAD) (written, error) {
	var seal *sealer
	if aead != nil {
		prefix, err := s.rand()
		if err != nil {
			return written{}, err
		}
		seal = &sealer{c: newChunkCrypt(aead, id, prefix[:8])}
	}
	dst := s.path(id)
	t, err := s.createTemp(id)
	if err != nil {
		return written{}, fmt.Errorf("localfs: create data file: %w", err)
	}
	w := written{id: id, dir: filepath.Dir(dst)}
	if seal != nil {
		_, err = t.file().Write(seal.c.header())
	}
	if err == nil {
		w.size, w.md5, err = s.fill(ctx, t.file(), body, size, seal)
	}
	if err == nil {
		err = syncFile(t.file())
	}
	if err == nil {
		err = t.publish(dst)
	}
	if err != nil {
		t.abandon()
		return written{}, err
	}
	return w, nil
}

// tempFile is a data file being written. publish gives it its final name
// atomically and closes it; abandon closes and discards it. Either ends it.
type tempFile interface {
	file() *os.File
	publish(dst string) error
	abandon()
}

// createTemp starts a data file: anonymous (O_TMPFILE) where the system
// allows it, else named in tmp/.
func (s *blobStore) createTemp(id blobID) (tempFile, error) {
	if s.anonymous {
		f, err := openAnonymous(filepath.Dir(s.path(id)))
		return anonTemp{f}, err
	}
	f, err := os.OpenFile(s.tmpPath(id), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	return namedTemp{f}, err
}

// anonTemp is an O_TMPFILE file: it has no name until linked, so a crash
// leaves nothing behind, and publishing it is one directory operation in
// its final directory. A rename from tmp/ would take the file system's
// cross-directory rename lock and both directories' locks; on ext4 that
// tripled the CPU cost of a small PutObject under concurrency.
type anonTemp struct{ f *os.File }

func (t anonTemp) file() *os.File { return t.f }

func (t anonTemp) publish(dst string) error {
	err := linkAnonymous(t.f, dst)
	if cerr := t.f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(dst)
		return fmt.Errorf("localfs: place data file: %w", err)
	}
	return nil
}

func (t anonTemp) abandon() { t.f.Close() }

// namedTemp is a file in tmp/, renamed into place; the sweep removes those
// a crash leaves.
type namedTemp struct{ f *os.File }

func (t namedTemp) file() *os.File { return t.f }

func (t namedTemp) publish(dst string) error {
	err := t.f.Close()
	if err == nil {
		err = os.Rename(t.f.Name(), dst)
	}
	if err != nil {
		return fmt.Errorf("localfs: place data file: %w", err)
	}
	return nil
}

func (t namedTemp) abandon() {
	t.f.Close()
	_ = os.Remove(t.f.Name())
}

// probeAnonymous reports whether dir supports publishing O_TMPFILE files.
func probeAnonymous(dir string, name string) bool {
	f, err := openAnonymous(dir)
	if err != nil {
		return false
	}
	dst := filepath.Join(dir, name)
	err = anonTemp{f}.publish(dst)
	_ = os.Remove(dst)
	return err == nil
}

// committed settles a written file the index now references.
func (s *blobStore) committed(w written) { s.keep.release(w.id) }

// discard settles a written file the index will not reference.
func (s *blobStore) discard(w written) {
	s.removeFile(w.id)
	s.keep.release(w.id)
}

// removeFile deletes a data file; a missing file is not an error, and other
// failures leave an orphan for the next sweep.
func (s *blobStore) removeFile(id blobID) {
	_ = os.Remove(s.path(id))
}

// retireFile deletes the data file of a replaced or deleted version, which
// may become a spare (see spares).
func (s *blobStore) retireFile(id blobID) {
	s.spares.remove(s.path(id))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("localfs: open directory: %w", err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("localfs: sync directory: %w", err)
	}
	return nil
}
