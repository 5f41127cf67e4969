package devidp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// keySource keeps a KeySet's key file: a directory (dirSource) or a blob of a store shared
// by every node (blobSource). A KeySet calls load with its mutex held; update may run
// concurrently with load and with other processes' updates.
type keySource interface {
	// load returns the key file, or changed false when it is still the one identified by
	// seen (the tag of an earlier load; nil: none). An error wrapping fs.ErrNotExist when
	// there is no key file yet.
	load(seen any) (file keyFile, tag any, changed bool, err error)
	// update replaces the key file by fn's result, excluding other writers (a lock file,
	// or compare-and-swap retried on conflict: fn may then run more than once). fn gets
	// nil when there is no key file and returns nil to write nothing.
	update(fn func(current *keyFile) (*keyFile, error)) error
}

// dirSource keeps keys.json in a directory, written under a lock file. A file replaced by
// another process is noticed by its inode, size and modification time: a stat per read is
// cheap next to an RSA signature and needs no watcher goroutine.
type dirSource struct{ dir string }

func (d dirSource) path() string { return filepath.Join(d.dir, keysFileName) }

func (d dirSource) load(seen any) (keyFile, any, bool, error) {
	info, err := os.Stat(d.path())
	if err != nil {
		return keyFile{}, nil, false, fmt.Errorf("devidp: key file: %w", err)
	}
	if prev, ok := seen.(os.FileInfo); ok && sameFile(prev, info) {
		return keyFile{}, seen, false, nil
	}
	file, loaded, err := readKeyFileInfo(d.path())
	return file, loaded, err == nil, err
}

func (d dirSource) update(fn func(*keyFile) (*keyFile, error)) error {
	unlock, err := lockDir(d.dir)
	if err != nil {
		return err
	}
	defer unlock()
	var current *keyFile
	file, err := readKeyFile(d.path())
	switch {
	case err == nil:
		current = &file
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	next, err := fn(current)
	if err != nil || next == nil {
		return err
	}
	return writeKeyFile(d.dir, *next)
}

// Blobs is the part of the store a shared KeySet keeps its keys in; store.Store is one.
type Blobs interface {
	// GetBlob returns the blob's data and version; store.ErrNotFound if there is none.
	GetBlob(ctx context.Context, name string) ([]byte, int64, error)
	// PutBlob writes the blob if its version is ifVersion (0: it must not exist) and
	// returns the new version; store.ErrConflict if another writer got there first.
	PutBlob(ctx context.Context, name string, data []byte, ifVersion int64) (int64, error)
}

const (
	// keysBlob names the shared key file in the store.
	keysBlob = "devidp-keys"
	// DefaultSharedRefresh is how long a shared KeySet trusts its copy of the keys before
	// asking the store whether they changed: a rotation on any node is seen by every other
	// within it.
	DefaultSharedRefresh = 500 * time.Millisecond
	blobTimeout          = 10 * time.Second
	blobAttempts         = 10
)

// blobSource keeps the key file as a store blob, written by compare-and-swap on its
// version. A read within refresh of the last one trusts the copy; after that it re-reads
// the blob and re-parses it only when the version changed.
type blobSource struct {
	blobs   Blobs
	now     func() time.Time
	refresh time.Duration
	checked time.Time // when load last read the blob; guarded by the KeySet's mutex
}

func (b *blobSource) load(seen any) (keyFile, any, bool, error) {
	if seen != nil && b.now().Sub(b.checked) < b.refresh {
		return keyFile{}, seen, false, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	data, version, err := b.blobs.GetBlob(ctx, keysBlob)
	if errors.Is(err, store.ErrNotFound) {
		return keyFile{}, nil, false, fmt.Errorf("devidp: key blob %s: %w", keysBlob, fs.ErrNotExist)
	}
	if errors.Is(err, store.ErrUnavailable) && seen != nil {
		// Last known good: with the store down, the keys this node already holds keep
		// signing tokens and serving the JWKS (a rotation elsewhere is seen on recovery);
		// the next read waits another refresh period.
		b.checked = b.now()
		return keyFile{}, seen, false, nil
	}
	if err != nil {
		return keyFile{}, nil, false, fmt.Errorf("devidp: key blob %s: %w", keysBlob, err)
	}
	b.checked = b.now()
	if v, ok := seen.(int64); ok && v == version {
		return keyFile{}, seen, false, nil
	}
	file, err := decodeKeyFile(data, "blob "+keysBlob)
	return file, version, err == nil, err
}

func (b *blobSource) update(fn func(*keyFile) (*keyFile, error)) error {
	ctx, cancel := context.WithTimeout(context.Background(), blobTimeout)
	defer cancel()
	for range blobAttempts {
		var current *keyFile
		data, version, err := b.blobs.GetBlob(ctx, keysBlob)
		switch {
		case err == nil:
			file, err := decodeKeyFile(data, "blob "+keysBlob)
			if err != nil {
				return err
			}
			current = &file
		case !errors.Is(err, store.ErrNotFound):
			return fmt.Errorf("devidp: key blob %s: %w", keysBlob, err)
		}
		next, err := fn(current)
		if err != nil || next == nil {
			return err
		}
		raw, err := json.Marshal(next)
		if err != nil {
			return fmt.Errorf("devidp: encode key file: %w", err)
		}
		_, err = b.blobs.PutBlob(ctx, keysBlob, raw, version)
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
	return fmt.Errorf("devidp: key blob %s: %d writers raced; try again", keysBlob, blobAttempts)
}

// decodeKeyFile strictly decodes a key file; where names it in errors.
func decodeKeyFile(raw []byte, where string) (keyFile, error) {
	var file keyFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return keyFile{}, fmt.Errorf("devidp: key file %s: %w", where, err)
	}
	return file, nil
}
