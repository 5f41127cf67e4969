package localfs

import (
	"os"
	"sync"
	"time"
)

// spares keeps the data files of replaced and deleted large objects for up
// to a minute after the keeper removes them: unlinked, so nothing can open
// them and a crash frees them, but still open, so that their page-cache
// pages still exist. A large write takes the one that best fits it and
// truncates it step by step as it fills its own file (trade), so the kernel
// gets back pages that are in use right before the write needs new ones.
//
// Why: on a virtual machine that reports free memory to its host (free page
// reporting), a page left free for about two seconds is handed back, and the
// guest's first touch of it afterwards faults in the host. Copying a body
// into such pages was half of a 1 GiB PUT's server CPU here; four streams of
// 1 GiB PUTs cost 4.6 ms of server CPU per MB with fresh pages and 2.7 when
// trading (docs/performance.md). Where memory is full of page cache instead,
// trading spares the reclaim of other pages.
//
// A spare's blocks stay allocated until it is traded away or expires, so the
// pool is bounded in files, bytes and time, is not kept on a file system
// with less than a tenth free (see openSpare), and is dropped when a write
// finds the disk full.
type spares struct {
	mu     sync.Mutex
	files  []spare // oldest first
	bytes  int64
	timer  *time.Timer
	closed bool
}

type spare struct {
	f    *os.File
	size int64
	at   time.Time
}

const (
	// spareMinSize is the smallest data file kept as a spare, and the
	// least a write must still have to write to take one.
	spareMinSize = writebackChunk
	// spareMaxFiles and spareMaxBytes bound the pool; the oldest go first.
	spareMaxFiles = 64
	spareMaxBytes = 4 << 30
	// spareTTL is how long a spare's blocks stay allocated after its
	// object was replaced or deleted: space freed by a delete shows up in df
	// at most this late. A minute outlasts a pause between one burst of
	// uploads and the next (bench/minio/run.sh leaves 30–35 s between one
	// round of inkan's large PUTs and the next; at 30 s they found their
	// spares expired).
	spareTTL = 60 * time.Second
)

// tradeStep is how much of a spare one truncation frees. Truncating to a
// multiple of the largest page-cache folio never splits one: a truncation
// inside a folio zeroes the part it cuts off in place, and a sendfile of
// the spare's old object that a client has not finished receiving may still
// reference those pages (the keeper only knows that every reader returned).
// Whole folios leave the page cache untouched, and are freed when the last
// reference goes. The largest folio is a PMD's worth of pages (2 MiB with
// 4 KiB pages, 512 MiB with 64 KiB).
var tradeStep = max(int64(writebackChunk), pmdSize(int64(os.Getpagesize())))

// pmdSize is the memory one page-table page maps: a page of 8-byte entries.
func pmdSize(page int64) int64 { return page * (page / 8) }

// remove deletes the data file at path, keeping it open as a spare when it is
// large enough. A failure leaves an orphan for the next sweep, as a plain
// removal does.
func (s *spares) remove(path string) {
	f, size, ok := openSpare(path, spareMinSize)
	if !ok {
		_ = os.Remove(path)
		return
	}
	if err := os.Remove(path); err != nil {
		f.Close()
		return
	}
	// Real time, not the backend's clock: the bound is on how long the disk
	// space stays taken.
	s.keep(spare{f: f, size: size, at: time.Now()})
}

// keep puts sp in the pool in the order of removal, evicting the oldest
// beyond the bounds, and arms the expiry.
func (s *spares) keep(sp spare) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		sp.f.Close()
		return
	}
	i := len(s.files)
	for i > 0 && s.files[i-1].at.After(sp.at) {
		i--
	}
	s.files = append(s.files[:i], append([]spare{sp}, s.files[i:]...)...)
	s.bytes += sp.size
	var evicted []spare
	for len(s.files) > spareMaxFiles || s.bytes > spareMaxBytes {
		evicted = append(evicted, s.popOldestLocked())
	}
	s.armLocked()
	s.mu.Unlock()
	if len(evicted) > 0 {
		// The caller may be the index's commit loop; freeing a large
		// file's pages and blocks is not its work.
		go closeSpares(evicted)
	}
}

// armLocked sets the expiry timer for the oldest spare, if there is one and
// no timer is set.
func (s *spares) armLocked() {
	if s.timer == nil && len(s.files) > 0 {
		s.timer = time.AfterFunc(spareTTL-time.Since(s.files[0].at), s.expire)
	}
}

func (s *spares) popOldestLocked() spare {
	sp := s.files[0]
	s.files = s.files[1:]
	s.bytes -= sp.size
	return sp
}

// take returns a spare for a write now at offset base with need bytes still
// to write (negative if unknown), or nil if there is none: the smallest that
// covers need, else the largest; the most recently removed one, whose pages
// are the likeliest to be cached, when need is unknown.
func (s *spares) take(base, need int64) *trade {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.files) == 0 {
		return nil
	}
	pick := len(s.files) - 1
	if need >= 0 {
		for i, sp := range s.files {
			if fitsBetter(sp.size, s.files[pick].size, need) {
				pick = i
			}
		}
	}
	sp := s.files[pick]
	s.files = append(s.files[:pick], s.files[pick+1:]...)
	s.bytes -= sp.size
	return &trade{spare: sp, base: base, left: sp.size}
}

// fitsBetter reports whether a spare of a bytes serves a write of need bytes
// better than one of b: one that covers need beats one that does not; of two
// that cover it, the smaller; of two that do not, the larger.
func fitsBetter(a, b, need int64) bool {
	if a >= need {
		return b < need || a < b
	}
	return b < need && a > b
}

// giveBack returns what a write left of its spare to the pool, or closes it
// when that is too little. It keeps its removal time, so spareTTL still
// counts from the delete.
func (s *spares) giveBack(t *trade) {
	if t.left < spareMinSize {
		t.f.Close()
		return
	}
	sp := t.spare
	sp.size = t.left
	s.keep(sp)
}

// expire closes the spares older than spareTTL and rearms itself while any
// are left.
func (s *spares) expire() {
	s.mu.Lock()
	var old []spare
	now := time.Now()
	for len(s.files) > 0 && now.Sub(s.files[0].at) >= spareTTL {
		old = append(old, s.popOldestLocked())
	}
	s.timer = nil
	s.armLocked()
	s.mu.Unlock()
	closeSpares(old)
}

// drop closes every spare, freeing their blocks; with closing set, later
// removals are plain deletions.
func (s *spares) drop(closing bool) {
	s.mu.Lock()
	all := s.files
	s.files, s.bytes = nil, 0
	s.closed = s.closed || closing
	s.mu.Unlock()
	closeSpares(all)
}

func closeSpares(list []spare) {
	for _, sp := range list {
		sp.f.Close()
	}
}

// trade is a spare being given up by one write as it grows.
type trade struct {
	spare
	base, left int64
}

// ahead frees the spare's pages for a write that will end at end: the spare
// keeps at most its size less what the write has written since it took the
// spare, rounded down to a tradeStep.
func (t *trade) ahead(end int64) {
	if t == nil || t.left == 0 {
		return
	}
	keep := max(0, t.size-(end-t.base))
	keep -= keep % tradeStep
	if keep < t.left && t.f.Truncate(keep) == nil {
		t.left = keep
	}
}
