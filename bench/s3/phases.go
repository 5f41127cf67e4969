package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/inkan-dev/inkan/bench/loadutil"
)

// bench holds a run's session, client, bodies and per-worker read buffers.
type bench struct {
	o           options
	out         io.Writer
	s           *session
	c           objectClient
	small       *body
	large       *body
	bufs        [][]byte
	smallStored bool
	run         string // distinguishes this run's new keys from earlier runs'
	largeStored bool
	mpStored    bool                          // the multipart phases' keys are written
	direct      bool                          // the upstream itself: no /metrics, no session
	results     map[string][]*loadutil.Result // by measurement name, one per round, in order of names
	cpu         map[string][]cpuUse           // beside results: the CPU each run took
	names       []string
}

// cpuUse is the CPU one measured run took on each side, in seconds; server is negative when
// it could not be read (a direct endpoint without -direct-pid).
type cpuUse struct{ server, client float64 }

// newBench checks the endpoint, opens the session and builds the bodies.
func newBench(ctx context.Context, o options, out io.Writer) (*bench, error) {
	if err := loadutil.CheckLoopback(o.endpoint); err != nil {
		return nil, err
	}
	if o.conc < 1 || o.largeConc < 1 || o.keys < 1 || o.largeKeys < 1 || o.smallSize < 0 || o.largeSize < 0 || o.readSize < 1 {
		return nil, fmt.Errorf("-c, -large-c, -keys, -large-keys and -read-size must be positive, sizes not negative")
	}
	hc := newHTTPClient(max(o.conc, o.largeConc) * 2)
	s, err := newSession(ctx, hc, o.endpoint, o.region, o.bucket, o.dataDir)
	if err != nil {
		return nil, err
	}
	return withSession(o, out, s, hc), nil
}

// withSession builds the bench of a session: client, bodies and read buffers.
func withSession(o options, out io.Writer, s *session, hc *http.Client) *bench {
	b := &bench{o: o, out: out, s: s, run: strconv.FormatInt(time.Now().UnixNano(), 36), c: &client{s: s, http: hc, mode: o.payload},
		small: newBody(o.smallSize, 4), large: newBody(o.largeSize, 64), results: map[string][]*loadutil.Result{},
		cpu: map[string][]cpuUse{}}
	if o.client == clientSDK {
		b.c = newSDKClient(s, max(o.conc, o.largeConc)*2, o.sdkWhenRequired)
	}
	for range max(o.conc, o.largeConc) {
		b.bufs = append(b.bufs, make([]byte, o.readSize))
	}
	return b
}

func smallKey(i int64, keys int) string { return fmt.Sprintf("small/%06d", i%int64(keys)) }
func largeKey(i int64, keys int) string { return fmt.Sprintf("large/%03d", i%int64(keys)) }

// timeLimit bounds a phase that runs a count of operations rather than for a duration.
const timeLimit = time.Hour

// runPhase prepares what the phase reads and runs it.
func (b *bench) runPhase(ctx context.Context, name string) error {
	o := b.o
	switch name {
	case "put", "get":
		// Writing every key first warms connections and caches, and gives GET its objects.
		if !b.smallStored {
			if err := b.prepare(ctx, "writing the small keys", o.conc, int64(o.keys), b.putSmall); err != nil {
				return err
			}
			b.smallStored = true
		}
		op := b.putNew
		switch {
		case name == "get":
			op = b.getSmall
		case o.overwrite:
			op = b.putSmall
		}
		return b.measure(ctx, sizeName(o.smallSize)+" "+strings.ToUpper(name), o.conc, o.dur, 0, o.smallSize, op)
	case "mp-put", "mp-get":
		return b.runMultipart(ctx, name)
	case "large-put":
		b.largeStored = true
		return b.measure(ctx, sizeName(o.largeSize)+" PUT", o.largeConc, timeLimit, o.largePuts, o.largeSize, b.putLarge)
	default:
		if !b.largeStored {
			if err := b.prepare(ctx, "writing the large keys", o.largeConc, int64(o.largeKeys), b.putLarge); err != nil {
				return err
			}
			b.largeStored = true
		}
		return b.measure(ctx, sizeName(o.largeSize)+" GET", o.largeConc, timeLimit, o.largeGets, o.largeSize, b.getLarge)
	}
}

func (b *bench) putSmall(ctx context.Context, _ int, i int64) error {
	return b.c.put(ctx, smallKey(i, b.o.keys), b.small)
}

// putNew writes a key no earlier PUT of any run wrote, as S3 load generators do.
func (b *bench) putNew(ctx context.Context, _ int, i int64) error {
	return b.c.put(ctx, fmt.Sprintf("new/%s/%08d", b.run, i), b.small)
}

func (b *bench) getSmall(ctx context.Context, w int, i int64) error {
	return b.c.get(ctx, smallKey(i, b.o.keys), b.o.smallSize, b.bufs[w])
}

func (b *bench) putLarge(ctx context.Context, _ int, i int64) error {
	return b.c.put(ctx, largeKey(i, b.o.largeKeys), b.large)
}

func (b *bench) getLarge(ctx context.Context, w int, i int64) error {
	return b.c.get(ctx, largeKey(i, b.o.largeKeys), b.o.largeSize, b.bufs[w])
}

// deleteLarge deletes the keys of the large-put and large-get phases (for -cleanup).
func (b *bench) deleteLarge(ctx context.Context) error {
	if !b.largeStored {
		return nil
	}
	for i := range b.o.largeKeys {
		if err := b.c.delete(ctx, largeKey(int64(i), b.o.largeKeys)); err != nil {
			return fmt.Errorf("-cleanup: %w", err)
		}
	}
	return nil
}

// prepare runs n operations untimed and fails on the first error.
func (b *bench) prepare(ctx context.Context, what string, conc int, n int64, op func(context.Context, int, int64) error) error {
	res := loadutil.Run(ctx, conc, time.Hour, n, op)
	if res.Errors > 0 {
		return fmt.Errorf("%s: %d errors, first: %s", what, res.Errors, res.FirstError)
	}
	return nil
}

// measure runs op from conc workers until d passes or n operations are done and prints
// what it saw, with the server's and the load tool's CPU over the run.
func (b *bench) measure(ctx context.Context, name string, conc int, d time.Duration, n int64, size int,
	op func(context.Context, int, int64) error) error {
	before, err := b.serverCPU(ctx)
	if err != nil {
		return err
	}
	stop, err := b.startProfile(name)
	if err != nil {
		return err
	}
	self := selfCPU()
	res := loadutil.Run(ctx, conc, d, n, op)
	selfUsed := selfCPU() - self
	if err := stop(); err != nil {
		return err
	}
	after, err := b.serverCPU(ctx)
	if err != nil {
		return err
	}
	use := cpuUse{server: after - before, client: selfUsed.Seconds()}
	if before < 0 {
		use.server = -1
	}
	if b.results[name] == nil {
		b.names = append(b.names, name)
	}
	b.results[name] = append(b.results[name], res)
	b.cpu[name] = append(b.cpu[name], use)
	if b.direct {
		name += " (direct)"
	}
	fmt.Fprintf(b.out, "\n%s: %d in %s with %d workers (%d errors)\n", name, res.Ops, res.Elapsed.Round(time.Millisecond), conc, res.Errors)
	if res.FirstError != "" {
		fmt.Fprintf(b.out, "first error: %s\n", res.FirstError)
	}
	fmt.Fprintf(b.out, "throughput: %.0f ops/s, %.1f MB/s\n", res.Rate(), res.Rate()*float64(size)/1e6)
	const µs = time.Microsecond
	fmt.Fprintf(b.out, "latency: p50 %s, p99 %s, max %s\n", res.Percentile(50).Round(µs), res.Percentile(99).Round(µs), res.Percentile(100).Round(µs))
	if res.Ops > 0 {
		ops, secs, mb := float64(res.Ops), res.Elapsed.Seconds(), float64(res.Ops)*float64(size)/1e6
		server := "server unknown"
		if use.server >= 0 {
			server = fmt.Sprintf("server %.0f µs per op (%.2f cores, %.2f ms per MB)", use.server*1e6/ops, use.server/secs, use.server*1e3/mb)
		}
		fmt.Fprintf(b.out, "CPU: %s, load tool %.0f µs per op (%.2f cores, %.2f ms per MB)\n", server,
			use.client*1e6/ops, use.client/secs, use.client*1e3/mb)
	}
	return nil
}

// serverCPU is the CPU time, in seconds, the server has used: inkan's from its /metrics, a
// direct endpoint's from /proc/<-direct-pid>/stat; -1 for a direct endpoint without a pid.
func (b *bench) serverCPU(ctx context.Context) (float64, error) {
	if !b.direct {
		st, err := b.serverStats(ctx)
		return st.CPUSeconds, err
	}
	if b.o.directPID <= 0 {
		return -1, nil
	}
	return procCPU(b.o.directPID)
}

func (b *bench) serverStats(ctx context.Context) (loadutil.ServerStats, error) {
	if b.direct {
		return loadutil.ServerStats{}, nil
	}
	return loadutil.ReadServerStats(ctx, http.DefaultClient, b.o.endpoint)
}

// selfCPU is the CPU time the load tool has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// sizeName writes a size the way the report names it: "4 KiB", "64 MiB", or bytes.
func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}
