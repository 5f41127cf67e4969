package md5lanes

import (
	"crypto/md5"
	"hash"
	"sync"
	"testing"
	"unsafe"
)

// The benchmarks hash 1 MiB writes, the size of the object store's copy
// buffers, on one stream and on four at once:
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/md5lanes
//
// With four streams, b.N is the number of writes each stream makes.
func BenchmarkOneStream(b *testing.B) {
	b.Run("crypto-md5", func(b *testing.B) { benchStreams(b, 1, func() hash.Hash { return md5.New() }) })
	b.Run("engine", func(b *testing.B) { benchStreams(b, 1, NewEngine().New) })
}

func BenchmarkFourStreams(b *testing.B) {
	b.Run("crypto-md5", func(b *testing.B) { benchStreams(b, 4, func() hash.Hash { return md5.New() }) })
	b.Run("engine", func(b *testing.B) { benchStreams(b, 4, NewEngine().New) })
}

func benchStreams(b *testing.B, streams int, newHash func() hash.Hash) {
	bufs := make([][]byte, streams)
	for i := range bufs {
		bufs[i] = make([]byte, 1<<20)
	}
	b.SetBytes(int64(streams) << 20)
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range streams {
		wg.Go(func() {
			h := newHash()
			for range b.N {
				h.Write(bufs[i])
			}
			h.Sum(nil)
		})
	}
	wg.Wait()
}

// BenchmarkKernel is the vector code alone: 256 blocks in each of the eight
// lanes per call. Its MB/s is one lane's.
func BenchmarkKernel(b *testing.B) {
	needVector(b)
	var w worker
	for i := range w.ptrs {
		w.ptrs[i] = unsafe.Pointer(unsafe.SliceData(make([]byte, roundBlocks*BlockSize)))
	}
	b.SetBytes(roundBlocks * BlockSize)
	for range b.N {
		blocks8(&w.s, &w.ptrs, roundBlocks)
	}
}
