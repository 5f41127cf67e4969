//go:build unix

package localfs

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"runtime"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// The benchmarks measure the backend alone on the machine's disk (the test's
// temporary directory; set TMPDIR to move it). Run them with
//
//	go test -run '^$' -bench . -benchtime 5s ./internal/objstore/localfs/
//
// Puts are durable when they return, as in production.

const benchBucket = "bench"

func benchBackend(b *testing.B) *Backend {
	be := openTest(b, b.TempDir(), Options{SweepInterval: -1})
	if err := be.CreateBucket(b.Context(), benchBucket); err != nil {
		b.Fatal(err)
	}
	return be
}

// parallel16 runs body from 16 goroutines, and reports throughput and the
// process's CPU time (user and system) per operation, which varies less than
// throughput on a shared machine.
func parallel16(b *testing.B, body func(pb *testing.PB)) {
	start := time.Now()
	cpu := parallel(b, 16, body)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "ops/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/op")
}

// parallel runs body from n goroutines whatever GOMAXPROCS is, and returns
// the process's CPU time (user and system) they took.
func parallel(b *testing.B, n int, body func(pb *testing.PB)) time.Duration {
	b.SetParallelism((n + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	cpu := cpuTime()
	b.RunParallel(body)
	return cpuTime() - cpu
}

// bigObject is the 64 MiB body of the large-object benchmarks.
func bigObject() []byte { return bytes.Repeat([]byte("0123456789abcdef"), 4<<20) }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkPutObject4KiBParallel16(b *testing.B) {
	be := benchBackend(b)
	data := bytes.Repeat([]byte("x"), 4<<10)
	var n atomic.Int64
	b.ResetTimer()
	parallel16(b, func(pb *testing.PB) {
		for pb.Next() {
			key := fmt.Sprintf("obj/%d", n.Add(1))
			if _, err := be.PutObject(b.Context(), benchBucket, key, bytes.NewReader(data), int64(len(data)), objstore.PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkGetObject4KiBParallel16(b *testing.B) {
	be := benchBackend(b)
	data := bytes.Repeat([]byte("x"), 4<<10)
	const objects = 1000
	for i := range objects {
		if _, err := be.PutObject(b.Context(), benchBucket, fmt.Sprintf("obj/%d", i), bytes.NewReader(data), int64(len(data)), objstore.PutOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	var n atomic.Int64
	b.ResetTimer()
	parallel16(b, func(pb *testing.PB) {
		for pb.Next() {
			obj, err := be.GetObject(b.Context(), benchBucket, fmt.Sprintf("obj/%d", n.Add(1)%objects), objstore.GetOptions{})
			if err != nil {
				b.Error(err)
				return
			}
			_, err = io.Copy(io.Discard, obj.Body)
			obj.Body.Close()
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkPutObject64MiB(b *testing.B) {
	putBig(b, func(r io.Reader) io.Reader { return r }, nil)
}

// BenchmarkPutObject64MiBEncrypted is BenchmarkPutObject64MiB with SSE-S3's
// chunked AES-256-GCM (crypt.go).
func BenchmarkPutObject64MiBEncrypted(b *testing.B) {
	putBig(b, func(r io.Reader) io.Reader { return r }, testDataKey())
}

// BenchmarkPutObject64MiBVerified reads the body through a SHA-256 reader,
// as the S3 layer's signed-payload verification does, to show how the
// backend's MD5 overlaps the caller's hashing.
func BenchmarkPutObject64MiBVerified(b *testing.B) {
	putBig(b, func(r io.Reader) io.Reader { return io.TeeReader(r, sha256.New()) }, nil)
}

// putBig puts 64 MiB objects, reading each body through wrap, encrypted with
// dk when it is set.
func putBig(b *testing.B, wrap func(io.Reader) io.Reader, dk *objstore.DataKey) {
	be := benchBackend(b)
	data := bigObject()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for i := range b.N {
		body := wrap(bytes.NewReader(data))
		if _, err := be.PutObject(b.Context(), benchBucket, fmt.Sprint("big/", i), body, int64(len(data)), objstore.PutOptions{Encrypt: dk}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPutObject64MiBVerifiedParallel4 runs four verified 64 MiB puts at
// a time, as four upload streams do on the server, and reports the process's
// CPU per MiB: with both CPUs of a 2-core machine busy, that cost and not
// one stream's latency decides throughput (docs/performance.md).
func BenchmarkPutObject64MiBVerifiedParallel4(b *testing.B) {
	be := benchBackend(b)
	data := bigObject()
	b.SetBytes(int64(len(data)))
	var next atomic.Int64
	cpu := parallel(b, 4, func(pb *testing.PB) {
		for pb.Next() {
			// Eight keys overwritten in turn, so that the page cache recycles pages.
			key := fmt.Sprint("big/", next.Add(1)%8)
			body := io.TeeReader(bytes.NewReader(data), sha256.New())
			if _, err := be.PutObject(b.Context(), benchBucket, key, body, int64(len(data)), objstore.PutOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N)/float64(len(data)>>20), "cpu-µs/MiB")
}

func BenchmarkGetObject64MiB(b *testing.B) {
	getBig(b, nil)
}

// BenchmarkGetObject64MiBEncrypted reads an SSE-S3 object: no sendfile, the
// chunks decrypted in place in pooled buffers (cryptbody.go).
func BenchmarkGetObject64MiBEncrypted(b *testing.B) {
	getBig(b, testDataKey())
}

func getBig(b *testing.B, dk *objstore.DataKey) {
	be := benchBackend(b)
	data := bigObject()
	if _, err := be.PutObject(b.Context(), benchBucket, "big", bytes.NewReader(data), int64(len(data)), objstore.PutOptions{Encrypt: dk}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		obj, err := be.GetObject(b.Context(), benchBucket, "big", objstore.GetOptions{Keys: testOpener})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.Copy(io.Discard, obj.Body); err != nil {
			b.Fatal(err)
		}
		obj.Body.Close()
	}
}

// BenchmarkListMillionKeys lists a bucket of a million keys (1,000
// "directories" of 1,000 keys; index rows only) in the ways clients page:
// delimiter roll-up, a prefix, and a continuation deep in the key space.
// Each page must cost about the same whatever it skips.
func BenchmarkListMillionKeys(b *testing.B) {
	be := benchBackend(b)
	const dirs, files = 1000, 1000
	meta := encodeMeta(objstore.ObjectMeta{})
	segs := encodeSegments([]segment{{length: 1}})
	err := be.idx.write(b.Context(), func(w *wtx) error {
		for i := range dirs * files {
			key := fmt.Sprintf("d%04d/f%07d", i/files, i)
			if _, err := w.exec(`INSERT INTO objects(bucket, `+objectCols+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				benchBucket, []byte(key), 1, "etag", int64(i), 0, meta, segs, "null"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		opts objstore.ListOptions
		want int
	}{
		{"delimiter rolls up 1000 prefixes", objstore.ListOptions{Delimiter: "/", MaxKeys: 1000}, 1000},
		{"prefix of one directory", objstore.ListOptions{Prefix: "d0500/", MaxKeys: 1000}, 1000},
		{"continuation deep in the bucket", objstore.ListOptions{After: "d0900/f0900500", MaxKeys: 1000}, 1000},
		{"delimiter continuation past a prefix", objstore.ListOptions{Delimiter: "/", After: "d0998/", MaxKeys: 1000}, 1},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				res, err := be.ListObjects(b.Context(), benchBucket, c.opts)
				if err != nil || len(res.Objects)+len(res.CommonPrefixes) != c.want {
					b.Fatalf("ListObjects = %d objects, %d prefixes, %v", len(res.Objects), len(res.CommonPrefixes), err)
				}
			}
		})
	}
}
