//go:build unix

package md5lanes

import (
	"crypto/md5"
	"hash"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFourPacedStreams is four streams each writing 1 MiB every 8 ms,
// 125 MB/s apiece, as four uploads arrive at a server, each at its own
// moments: what it reports is the process's CPU time per MB hashed
// (cpu-ms/MB), not the speed, which the pacing sets.
func BenchmarkFourPacedStreams(b *testing.B) {
	b.Run("crypto-md5", func(b *testing.B) { benchPaced(b, func() hash.Hash { return md5.New() }) })
	b.Run("engine", func(b *testing.B) { benchPaced(b, NewEngine().New) })
}

func benchPaced(b *testing.B, newHash func() hash.Hash) {
	const streams, every = 4, 8 * time.Millisecond
	bufs := make([][]byte, streams)
	for i := range bufs {
		bufs[i] = make([]byte, 1<<20)
	}
	b.SetBytes(streams << 20)
	cpu0 := cpuTime(b)
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range streams {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * every / streams * 7 / 5) // each starts at its own moment
			h := newHash()
			next := time.Now()
			for range b.N {
				h.Write(bufs[i])
				next = next.Add(every)
				time.Sleep(time.Until(next))
			}
			h.Sum(nil)
		})
	}
	wg.Wait()
	b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1e3/float64(b.N*streams)/1.048576, "cpu-ms/MB")
}

func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
