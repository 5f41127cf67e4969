package md5lanes

import (
	"crypto/md5"
	"hash"
	"runtime"
	"sync"
	"time"
	"unsafe"
)

// lanes is how many streams one worker hashes at once: the 32-bit lanes of
// a 256-bit register.
const lanes = 8

// engineMin is the smallest write whose blocks go to the engine; below it
// the hand-over would cost more than the blocks, and the writer hashes them
// itself.
const engineMin = 4 << 10

// roundBlocks bounds one call of the vector code, so that a stream arriving
// while others are being hashed gets a lane within 16 KiB of their bytes.
const roundBlocks = 256

// Engine hashes the blocks its digests are written, the writes of all of
// them together. A write hands its blocks to a worker goroutine and waits;
// a worker runs up to eight writes at once, one in each lane, a round of at
// most roundBlocks blocks at a time, and takes queued writes into lanes that
// free up between rounds. A worker holding fewer writes than there are
// streams writing waits a little for the others' (see linger). Workers
// start when writes are queued and every running worker's lanes are taken,
// up to one per processor, and end when they have nothing to hash.
//
// Concurrent streams therefore share a core's vector unit instead of each
// running MD5's serial chain on a core of its own; one stream alone costs
// what crypto/md5 costs, plus a hand-over per write. Writes should be large
// (the caller's copy buffers, a megabyte say) for the hand-over not to count.
//
// An Engine is safe for concurrent use; its zero value is not usable: use
// NewEngine. The digests it hands out are not safe for concurrent use, as
// no hash.Hash is.
type Engine struct {
	maxWorkers int

	mu      sync.Mutex
	queue   []*job
	workers int
	// free counts the lanes of running workers that no write holds.
	free int
	// recent holds the latest write's arrival of each of the digests that
	// wrote most recently (see active).
	recent [2 * lanes]arrival
	// arrived wakes a lingering worker (see linger).
	arrived chan struct{}
}

// NewEngine returns an Engine for this CPU.
func NewEngine() *Engine {
	return &Engine{maxWorkers: runtime.GOMAXPROCS(0), arrived: make(chan struct{}, 1)}
}

// New returns a new MD5 digest. Writes of engineMin bytes or more go
// through e when the CPU has the vector instructions; otherwise New returns
// crypto/md5's digest.
func (e *Engine) New() hash.Hash {
	if !haveLanes {
		return md5.New()
	}
	d := &digest{e: e}
	d.Reset()
	return d
}

// job is one write's whole blocks and the state they update.
type job struct {
	s    *[4]uint32
	p    []byte
	done chan struct{}
	// at is when the write arrived.
	at time.Time
}

// arrival is when a digest, known by its state's address, last wrote.
type arrival struct {
	s  *[4]uint32
	at time.Time
}

// hash runs MD5's compression over p, whole blocks, updating s, in a
// worker's lane; it returns when that is done.
func (e *Engine) hash(j *job, s *[4]uint32, p []byte) {
	if j.done == nil {
		j.done = make(chan struct{}, 1)
	}
	j.s, j.p, j.at = s, p, time.Now()
	e.mu.Lock()
	e.arrive(s, j.at)
	e.queue = append(e.queue, j)
	if len(e.queue) > e.free && e.workers < e.maxWorkers {
		e.workers++
		e.free += lanes
		go e.work()
	}
	e.mu.Unlock()
	select {
	case e.arrived <- struct{}{}:
	default:
	}
	<-j.done
	j.s, j.p = nil, nil
}

// worker is one worker goroutine's lanes.
type worker struct {
	one   scalar
	timer *time.Timer
	s     [4][lanes]uint32
	ptrs  [lanes]unsafe.Pointer
	jobs  [lanes]*job
}

func (e *Engine) work() {
	var w worker
	finished := 0
	for {
		e.mu.Lock()
		e.free += finished
		finished = 0
		held, oldest := 0, time.Time{}
		for i := range w.jobs {
			if w.jobs[i] == nil && len(e.queue) > 0 {
				w.take(i, e.queue[0])
				e.queue[0] = nil
				e.queue = e.queue[1:]
				e.free--
			}
			if j := w.jobs[i]; j != nil {
				held++
				if oldest.IsZero() || j.at.Before(oldest) {
					oldest = j.at
				}
			}
		}
		if held == 0 {
			e.workers--
			e.free -= lanes
			e.mu.Unlock()
			return
		}
		now := time.Now()
		if wait := linger - now.Sub(oldest); wait > 0 && held < min(lanes, e.active(now)) {
			select {
			case <-e.arrived: // an earlier write's, taken above
			default:
			}
			e.mu.Unlock()
			w.linger(e.arrived, wait)
			continue
		}
		e.mu.Unlock()
		finished = w.round()
	}
}

// A worker whose lanes hold fewer writes than the streams that wrote
// within the last companyWindow (active) waits for the others' next writes
// before hashing, until the oldest write it holds is linger old. Concurrent
// streams write their chunks at different moments; a worker that hashed
// each as it came would mostly hash one at a time, at one stream per core.
// A stream's copy pipeline keeps a few chunks of slack (localfs's pipeline
// holds four, a chunk every 7 ms or so per stream at four streams of this
// machine's speed), so that the wait delays its MD5 without slowing the
// stream; a stream alone, or beside streams that write seldom, is not kept
// waiting.
const (
	linger        = 4 * time.Millisecond
	companyWindow = 10 * time.Millisecond
)

// arrive records that the digest with state s wrote at t. e.mu is held.
func (e *Engine) arrive(s *[4]uint32, t time.Time) {
	oldest := 0
	for i, a := range e.recent {
		if a.s == s {
			e.recent[i].at = t
			return
		}
		if a.at.Before(e.recent[oldest].at) {
			oldest = i
		}
	}
	e.recent[oldest] = arrival{s: s, at: t}
}

// quiet forgets the digest with state s's writes: it has stopped writing,
// and no worker should wait for it. e.mu is not held.
func (e *Engine) quiet(s *[4]uint32) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, a := range e.recent {
		if a.s == s {
			e.recent[i] = arrival{}
		}
	}
}

// active counts the digests that wrote within the last companyWindow, as
// far as recent remembers them. e.mu is held.
func (e *Engine) active(now time.Time) int {
	n := 0
	for _, a := range e.recent {
		if a.s != nil && now.Sub(a.at) < companyWindow {
			n++
		}
	}
	return n
}

// linger waits until a write arrives or d passes.
func (w *worker) linger(arrived <-chan struct{}, d time.Duration) {
	if w.timer == nil {
		w.timer = time.NewTimer(d)
	} else {
		w.timer.Reset(d)
	}
	select {
	case <-arrived:
		w.timer.Stop()
	case <-w.timer.C:
	}
}

// take puts j into lane i.
func (w *worker) take(i int, j *job) {
	w.jobs[i] = j
	for r := range 4 {
		w.s[r][i] = j.s[r]
	}
}

// round hashes the same number of blocks in every held lane, as many as
// the shortest write has left and at most roundBlocks, and ends the writes
// that are done. It returns how many it ended.
func (w *worker) round() int {
	n, held, last := roundBlocks, 0, 0
	for i, j := range w.jobs {
		if j != nil {
			n = min(n, len(j.p)/BlockSize)
			held, last = held+1, i
		}
	}
	if held == 1 {
		var s [4]uint32
		for r := range s {
			s[r] = w.s[r][last]
		}
		w.one.blocks(&s, w.jobs[last].p[:n*BlockSize])
		for r := range s {
			w.s[r][last] = s[r]
		}
	} else {
		// The vector code reads every lane: an empty one reads a held
		// one's blocks again, and its result is dropped.
		for i, j := range w.jobs {
			if j == nil {
				j = w.jobs[last]
			}
			w.ptrs[i] = unsafe.Pointer(unsafe.SliceData(j.p))
		}
		blocks8(&w.s, &w.ptrs, n)
	}
	ended := 0
	for i, j := range w.jobs {
		if j == nil {
			continue
		}
		j.p = j.p[n*BlockSize:]
		if len(j.p) > 0 {
			continue
		}
		for r := range 4 {
			j.s[r] = w.s[r][i]
		}
		w.jobs[i] = nil
		j.done <- struct{}{}
		ended++
	}
	return ended
}
