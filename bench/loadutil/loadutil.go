// Package loadutil holds what inkan's load tools share: a bounded run of concurrent workers,
// latency percentiles, and the server's own CPU and memory read from its /metrics endpoint.
// Load tools only ever target loopback addresses.
package loadutil

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CheckLoopback refuses an endpoint whose host is not a loopback address.
func CheckLoopback(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("endpoint %s: load tools target loopback addresses only", endpoint)
	}
	return nil
}

// Result is the outcome of a run.
type Result struct {
	Ops, Errors int64
	Elapsed     time.Duration
	Latencies   []time.Duration // sorted
	FirstError  string
}

// Percentile returns the p-th percentile latency (0 < p ≤ 100).
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	i := int(float64(len(r.Latencies))*p/100+0.5) - 1
	if i < 0 {
		i = 0
	}
	if i >= len(r.Latencies) {
		i = len(r.Latencies) - 1
	}
	return r.Latencies[i]
}

// Rate returns operations per second.
func (r *Result) Rate() float64 { return float64(r.Ops) / r.Elapsed.Seconds() }

// Run calls op from c workers until d has passed or n operations are done (n ≤ 0: no count
// limit). op gets the worker and the operation number.
func Run(ctx context.Context, c int, d time.Duration, n int64, op func(ctx context.Context, worker int, i int64) error) *Result {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var next, errs atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, c)
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < c; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for ctx.Err() == nil {
				i := next.Add(1) - 1
				if n > 0 && i >= n {
					return
				}
				t0 := time.Now()
				err := op(ctx, w, i)
				if ctx.Err() != nil {
					return
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}(w)
	}
	wg.Wait()
	r := &Result{Elapsed: time.Since(start), Errors: errs.Load()}
	for _, l := range lat {
		r.Latencies = append(r.Latencies, l...)
	}
	sort.Slice(r.Latencies, func(i, j int) bool { return r.Latencies[i] < r.Latencies[j] })
	r.Ops = int64(len(r.Latencies))
	if v, ok := firstErr.Load().(string); ok {
		r.FirstError = v
	}
	return r
}

// ServerStats are the server's process figures from its /metrics endpoint.
type ServerStats struct {
	CPUSeconds float64
	RSSBytes   float64
}

// SumServerStats reads the stats of every endpoint (the nodes behind a balancer) and adds
// them up.
func SumServerStats(ctx context.Context, client *http.Client, endpoints []string) (ServerStats, error) {
	var sum ServerStats
	for _, e := range endpoints {
		s, err := ReadServerStats(ctx, client, e)
		if err != nil {
			return sum, fmt.Errorf("%s: %w", e, err)
		}
		sum.CPUSeconds += s.CPUSeconds
		sum.RSSBytes += s.RSSBytes
	}
	return sum, nil
}

// ReadServerStats reads process_cpu_seconds_total and process_resident_memory_bytes.
func ReadServerStats(ctx context.Context, client *http.Client, endpoint string) (ServerStats, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(endpoint, "/")+"/metrics", nil)
	if err != nil {
		return ServerStats{}, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return ServerStats{}, err
	}
	defer resp.Body.Close()
	var s ServerStats
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil {
			continue
		}
		switch name {
		case "process_cpu_seconds_total":
			s.CPUSeconds = v
		case "process_resident_memory_bytes":
			s.RSSBytes = v
		}
	}
	return s, sc.Err()
}
