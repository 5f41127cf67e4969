package md5lanes

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"
	"unsafe"
)

// needVector skips a test of the vector code on a CPU without it; the
// engine then hands out crypto/md5's digests, which the other tests still
// check.
func needVector(t testing.TB) {
	if !haveLanes {
		t.Skip("this CPU has no AVX-512F and AVX-512VL: the vector code cannot run here")
	}
}

func randomBytes(r *rand.Rand, n int) []byte {
	p := make([]byte, n)
	for i := range p {
		p[i] = byte(r.Uint32())
	}
	return p
}

// writeInPieces writes p to a new digest of e in pieces of random sizes,
// some below engineMin and some far above it, and returns the sum.
func writeInPieces(e *Engine, r *rand.Rand, p []byte) []byte {
	h := e.New()
	for len(p) > 0 {
		var n int
		switch r.IntN(3) {
		case 0:
			n = r.IntN(100)
		case 1:
			n = r.IntN(3 * engineMin)
		default:
			n = r.IntN(300 << 10)
		}
		n = min(n, len(p))
		h.Write(p[:n])
		p = p[n:]
	}
	return h.Sum(nil)
}

func TestBlockIsMD5(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 4096, 70000} {
		p := randomBytes(r, n)
		d := &digest{}
		d.Reset()
		// A write this short never reaches an engine: d.e is nil.
		for q := p; len(q) > 0; {
			k := min(len(q), 1+r.IntN(engineMin-1))
			d.Write(q[:k])
			q = q[k:]
		}
		if got, want := d.Sum(nil), md5.Sum(p); !bytes.Equal(got, want[:]) {
			t.Errorf("%d bytes: got %x, want %x", n, got, want)
		}
	}
}

func TestKnownDigests(t *testing.T) {
	e := NewEngine()
	// RFC 1321 appendix A.5.
	for in, want := range map[string]string{
		"":    "d41d8cd98f00b204e9800998ecf8427e",
		"abc": "900150983cd24fb0d6963f7d28e17f72",
		"12345678901234567890123456789012345678901234567890123456789012345678901234567890": "57edf4a22be3c955ac49da2e2107b67a",
	} {
		h := e.New()
		h.Write([]byte(in))
		if got := fmt.Sprintf("%x", h.Sum(nil)); got != want {
			t.Errorf("MD5(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestBlocks8MatchesEachLane(t *testing.T) {
	needVector(t)
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{1, 2, 5} {
		var w worker
		var want [lanes][4]uint32
		for i := range lanes {
			p := randomBytes(r, n*BlockSize)
			want[i] = [4]uint32{r.Uint32(), r.Uint32(), r.Uint32(), r.Uint32()}
			for k := range 4 {
				w.s[k][i] = want[i][k]
			}
			w.ptrs[i] = unsafe.Pointer(&p[0])
			block(&want[i], p)
		}
		blocks8(&w.s, &w.ptrs, n)
		for i := range lanes {
			for k := range 4 {
				if w.s[k][i] != want[i][k] {
					t.Fatalf("%d blocks, lane %d word %d: got %#x, want %#x", n, i, k, w.s[k][i], want[i][k])
				}
			}
		}
	}
}

func TestOneStream(t *testing.T) {
	needVector(t)
	e := NewEngine()
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{engineMin, engineMin + 1, 1 << 20, 3<<20 + 17} {
		p := randomBytes(r, n)
		if got, want := writeInPieces(e, r, p), md5.Sum(p); !bytes.Equal(got, want[:]) {
			t.Errorf("%d bytes: got %x, want %x", n, got, want)
		}
	}
}

// TestManyStreams runs more streams than a worker has lanes, of different
// lengths and write sizes, so that streams join and leave lanes between
// rounds and more than one worker may run.
func TestManyStreams(t *testing.T) {
	needVector(t)
	e := NewEngine()
	var wg sync.WaitGroup
	for g := range 20 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(7, uint64(g)))
			for range 3 {
				p := randomBytes(r, r.IntN(2<<20))
				if got, want := writeInPieces(e, r, p), md5.Sum(p); !bytes.Equal(got, want[:]) {
					t.Errorf("stream %d, %d bytes: got %x, want %x", g, len(p), got, want)
				}
			}
		})
	}
	wg.Wait()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.workers != 0 || e.free != 0 || len(e.queue) != 0 {
		t.Errorf("after the writes: %d workers, %d free lanes, %d queued; want none", e.workers, e.free, len(e.queue))
	}
}

// TestSumLeavesTheDigest checks that Sum can be called midway and the
// stream continued, and that Reset starts over.
func TestSumLeavesTheDigest(t *testing.T) {
	e := NewEngine()
	r := rand.New(rand.NewPCG(8, 9))
	p := randomBytes(r, 100<<10)
	h := e.New()
	h.Write(p[:50<<10])
	half := md5.Sum(p[:50<<10])
	if got := h.Sum(nil); !bytes.Equal(got, half[:]) {
		t.Fatalf("midway: got %x, want %x", got, half)
	}
	h.Write(p[50<<10:])
	whole := md5.Sum(p)
	if got := h.Sum([]byte("x")); !bytes.Equal(got[1:], whole[:]) || got[0] != 'x' {
		t.Fatalf("whole: got %x, want x + %x", got, whole)
	}
	h.Reset()
	h.Write(p[:50<<10])
	if got := h.Sum(nil); !bytes.Equal(got, half[:]) {
		t.Fatalf("after Reset: got %x, want %x", got, half)
	}
}

// TestScalarBlocks checks the one-lane path through crypto/md5's marshaled
// state against block.
func TestScalarBlocks(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	var c scalar
	for _, n := range []int{1, 2, 17, 256} {
		p := randomBytes(r, n*BlockSize)
		got := [4]uint32{r.Uint32(), r.Uint32(), r.Uint32(), r.Uint32()}
		want := got
		c.blocks(&got, p)
		block(&want, p)
		if got != want {
			t.Fatalf("%d blocks: got %x, want %x", n, got, want)
		}
	}
}

// TestActiveCountsDigestsThatWroteRecently pins what a worker waits for:
// the digests that wrote within companyWindow, each counted once, not
// those that have summed since, the oldest forgotten when more than recent
// holds have written.
func TestActiveCountsDigestsThatWroteRecently(t *testing.T) {
	e := NewEngine()
	now := time.Now()
	var a, b, c [4]uint32
	e.arrive(&a, now.Add(-2*companyWindow))
	if n := e.active(now); n != 0 {
		t.Errorf("a wrote two windows ago: %d active, want 0", n)
	}
	e.arrive(&a, now)
	e.arrive(&b, now)
	e.arrive(&b, now)
	e.arrive(&c, now.Add(-companyWindow/2))
	if n := e.active(now); n != 3 {
		t.Errorf("a, b twice and c within the window: %d active, want 3", n)
	}
	e.quiet(&b)
	if n := e.active(now); n != 2 {
		t.Errorf("after b's Sum: %d active, want 2", n)
	}
	many := make([][4]uint32, len(e.recent)+1)
	for i := range many {
		e.arrive(&many[i], now)
	}
	if n := e.active(now); n != len(e.recent) {
		t.Errorf("%d digests at once: %d active, want %d (what recent holds)", len(many), n, len(e.recent))
	}
}
