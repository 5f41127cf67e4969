// Command s3 is inkan's load tool for the S3 endpoint. Like a CI job, it trades a token of
// the test identity provider for temporary credentials through inkan's STS (the role
// bench-s3, registered with root credentials, may list, read and write one bucket), then
// measures, with every request SigV4-signed by the session:
//
//   - 4 KiB PUT and GET operations per second from -c workers for -d each,
//   - 64 MiB PUT and GET throughput in MB/s (10^6 bytes) from -large-c workers,
//
// with p50/p99 latency, and the server's CPU per operation and RSS read from its /metrics
// endpoint, beside the load tool's own CPU (both share the machine). PUTs declare their
// body as the AWS CLI does (-payload sha256: the body's SHA-256, which the server checks)
// or as the SDKs' default checksum behaviour does (-payload unsigned: UNSIGNED-PAYLOAD with
// x-amz-checksum-crc32); every PUT's ETag is checked, every GET reads the whole body.
//
//	go run ./cmd/inkan serve --dev --log-level warn --data-dir /tmp/inkan-bench &
//	go run ./bench/s3 -endpoint http://127.0.0.1:8750 -data-dir /tmp/inkan-bench
//
// Root credentials come from INKAN_ROOT_ACCESS_KEY_ID and INKAN_ROOT_SECRET_ACCESS_KEY, or
// from -data-dir's root-credentials.json. The endpoint must be a loopback address.
//
// To profile the server under one load, run only that phase for longer and record the
// server process, e.g. -phases put -d 30s beside `perf record -g -p <pid>`; or run the
// in-process benchmarks of this package with -cpuprofile (see bench_test.go).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"
)

// options are the flags.
type options struct {
	endpoint, region, bucket, dataDir, phases string
	payload                                   payloadMode
	conc, smallSize, keys                     int
	dur                                       time.Duration
	largeConc, largeSize, largeKeys           int
	largePuts, largeGets                      int64
}

func main() {
	var o options
	var payload string
	flag.StringVar(&o.endpoint, "endpoint", "http://127.0.0.1:8750", "inkan endpoint (loopback only)")
	flag.StringVar(&o.region, "region", "us-east-1", "signing region")
	flag.StringVar(&o.bucket, "bucket", "bench-s3", "bucket to create (or reuse) and load")
	flag.StringVar(&o.dataDir, "data-dir", "./inkan-data", "server data directory, for root credentials when the environment has none")
	flag.StringVar(&o.phases, "phases", "put,get,large-put,large-get", "phases to run, in order: put, get, large-put, large-get")
	flag.StringVar(&payload, "payload", string(payloadSHA256), "how PUTs declare their body: sha256 (signed SHA-256, as the AWS CLI) or unsigned (UNSIGNED-PAYLOAD with x-amz-checksum-crc32, as the SDKs)")
	flag.IntVar(&o.conc, "c", 16, "concurrent workers for small objects")
	flag.DurationVar(&o.dur, "d", 10*time.Second, "duration of each small-object phase")
	flag.IntVar(&o.smallSize, "size", 4<<10, "small object size in bytes")
	flag.IntVar(&o.keys, "keys", 1000, "distinct small keys, written before the small phases")
	flag.IntVar(&o.largeConc, "large-c", 2, "concurrent workers for large objects")
	flag.IntVar(&o.largeSize, "large-size", 64<<20, "large object size in bytes")
	flag.IntVar(&o.largeKeys, "large-keys", 4, "distinct large keys")
	flag.Int64Var(&o.largePuts, "large-puts", 16, "large PUTs to time")
	flag.Int64Var(&o.largeGets, "large-gets", 48, "large GETs to time")
	flag.Parse()
	var err error
	if o.payload, err = parsePayloadMode(payload); err == nil {
		err = run(context.Background(), o)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/s3:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	phases := strings.Split(o.phases, ",")
	for _, p := range phases {
		if !slices.Contains([]string{"put", "get", "large-put", "large-get"}, p) {
			return fmt.Errorf("-phases: unknown phase %q", p)
		}
	}
	b, err := newBench(ctx, o)
	if err != nil {
		return err
	}
	fmt.Printf("session %s; bucket %s; payload %s; GOMAXPROCS of the load tool %d\n", b.s.arn, o.bucket, o.payload, gomaxprocs())
	for _, p := range phases {
		if err := b.runPhase(ctx, p); err != nil {
			return err
		}
	}
	after, err := b.serverStats(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("server RSS: %.1f MiB\n", after.RSSBytes/(1<<20))
	return nil
}
