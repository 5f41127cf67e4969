package localfs

import (
	"encoding/hex"
	"sync"
)

// blobID names a data file. IDs are random, never derived from a key.
type blobID [16]byte

func (id blobID) String() string { return hex.EncodeToString(id[:]) }

// parseBlobID parses a data file name; ok is false for anything else.
func parseBlobID(name string) (id blobID, ok bool) {
	if len(name) != 2*len(id) {
		return id, false
	}
	if _, err := hex.Decode(id[:], []byte(name)); err != nil {
		return id, false
	}
	return id, id.String() == name // reject upper-case spellings
}

// keeper decides when a blob file may be removed. Three things protect a
// blob: it is held (written but not yet committed to the index, or being
// freed by a transaction not yet committed), or it was retired (freed by a
// committed transaction) while a reader that may have seen the old index row
// is still running. Readers use epoch-based reclamation: a reader enters
// at the current epoch before it reads the index; retiring tags blobs with
// the current epoch and advances it; a retired blob is removed once no
// reader that entered at or before its tag is still running. So a GET never
// finds its blob gone, even for a multipart object whose later segments it
// opens lazily, and no lock is held while reading the index or the data.
type keeper struct {
	mu      sync.Mutex
	held    map[blobID]int
	epoch   uint64
	readers map[uint64]int
	retired []retiredBlob
	pending map[blobID]bool
	remove  func(blobID)
}

type retiredBlob struct {
	id    blobID
	epoch uint64
}

func newKeeper(remove func(blobID)) *keeper {
	return &keeper{
		held:    map[blobID]int{},
		readers: map[uint64]int{},
		pending: map[blobID]bool{},
		remove:  remove,
	}
}

// hold protects ids from the sweep until release or retire.
func (k *keeper) hold(ids ...blobID) {
	k.mu.Lock()
	defer k.mu.Unlock()
	for _, id := range ids {
		k.held[id]++
	}
}

// release undoes hold.
func (k *keeper) release(ids ...blobID) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.unholdLocked(ids)
}

func (k *keeper) unholdLocked(ids []blobID) {
	for _, id := range ids {
		if k.held[id] <= 1 {
			delete(k.held, id)
		} else {
			k.held[id]--
		}
	}
}

// enter registers a reader about to read the index; pass the result to exit.
func (k *keeper) enter() uint64 {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.readers[k.epoch]++
	return k.epoch
}

// exit ends a reader and removes the blobs it was the last to protect.
func (k *keeper) exit(epoch uint64) {
	k.mu.Lock()
	if k.readers[epoch] <= 1 {
		delete(k.readers, epoch)
	} else {
		k.readers[epoch]--
	}
	due := k.dueLocked()
	k.mu.Unlock()
	k.removeAll(due)
}

// retire is called after a transaction that freed ids (and held them) has
// committed: the ids are released and removed once their readers are done.
func (k *keeper) retire(ids []blobID) {
	if len(ids) == 0 {
		return
	}
	k.mu.Lock()
	k.unholdLocked(ids)
	for _, id := range ids {
		k.retired = append(k.retired, retiredBlob{id: id, epoch: k.epoch})
		k.pending[id] = true
	}
	k.epoch++
	due := k.dueLocked()
	k.mu.Unlock()
	k.removeAll(due)
}

// dueLocked pops the retired blobs no running reader can still see.
func (k *keeper) dueLocked() []blobID {
	oldest := k.epoch + 1
	for e := range k.readers {
		oldest = min(oldest, e)
	}
	n := 0
	for n < len(k.retired) && k.retired[n].epoch < oldest {
		n++
	}
	if n == 0 {
		return nil
	}
	due := make([]blobID, n)
	for i, r := range k.retired[:n] {
		due[i] = r.id
		delete(k.pending, r.id)
	}
	k.retired = append(k.retired[:0], k.retired[n:]...)
	return due
}

func (k *keeper) removeAll(ids []blobID) {
	for _, id := range ids {
		k.remove(id)
	}
}

// sweepable runs f, under the keeper's lock, only when id is neither held nor
// awaiting removal, and reports whether f ran. Holding the lock across f
// keeps a writer from settling id in between.
func (k *keeper) sweepable(id blobID, f func()) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.held[id] > 0 || k.pending[id] {
		return false
	}
	f()
	return true
}
