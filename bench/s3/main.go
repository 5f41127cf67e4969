// Command s3 is inkan's load tool for the S3 endpoint. Like a CI job, it trades a token of
// the test identity provider for temporary credentials through inkan's STS (the role
// bench-s3, registered with root credentials, may list, read and write one bucket), then
// measures, with every request SigV4-signed by the session:
//
//   - 4 KiB PUT and GET operations per second from -c workers for -d each (PUTs write new
//     keys unless -overwrite; GETs read -keys keys written beforehand),
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
// With -direct-endpoint, every phase also runs, right after inkan's, against that S3
// endpoint itself (the upstream inkan fronts), signed with the keys in
// BENCH_DIRECT_ACCESS_KEY_ID and BENCH_DIRECT_SECRET_ACCESS_KEY, on -direct-bucket; the
// report ends with inkan's figures as a fraction of the direct ones:
//
//	BENCH_DIRECT_ACCESS_KEY_ID=… BENCH_DIRECT_SECRET_ACCESS_KEY=… \
//	  go run ./bench/s3 -direct-endpoint http://127.0.0.1:8333
//
// -rounds N runs every phase N times, alternating which side goes first (the first run of a
// phase pays for what the upstream allocates on first use), and compares medians;
// bench/upstream/run.sh sets up SeaweedFS and inkan in front of it and runs three rounds.
// The direct endpoint may be any other S3 server — MinIO, say — for a side-by-side
// comparison in one invocation; with -direct-pid its server's CPU is read from /proc and
// the report gives both servers' and the load tool's CPU per MB.
//
// -client sdk sends every request through aws-sdk-go-v2's S3 client with its default
// checksum settings (a CRC32 on every PUT, GET answers' checksums validated), as deploy jobs
// built on the SDK do, instead of the load tool's own signed requests; -profile-dir records
// the load tool's CPU profile of every measured run, to see where a client spends per byte:
//
//	BENCH_DIRECT_ACCESS_KEY_ID=minioadmin BENCH_DIRECT_SECRET_ACCESS_KEY=minioadmin \
//	  go run ./bench/s3 -client sdk -phases large-put,large-get -large-c 1 -rounds 3 \
//	  -direct-endpoint http://127.0.0.1:9000 -direct-pid $(pgrep -x minio) -profile-dir /tmp/prof
//
// -phases mp-put,mp-get (with -client sdk) move -large-size objects through the SDK's transfer
// managers: multipart uploads and ranged downloads with P parts in flight, one phase for each
// P of -part-c, to show how a server scales with the parallelism of one transfer.
//
// To profile the server under one load, run only that phase for longer and record the
// server process meanwhile:
//
//	go run ./bench/s3 -phases put -d 20s &
//	perf record -F 499 -g -p <server pid> -- sleep 10
//	perf report --children --sort symbol -g none
//
// (internal/s3's benchmarks run the handler in-process for go test -cpuprofile.)
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
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
	overwrite                                 bool
	dur                                       time.Duration
	largeConc, largeSize, largeKeys           int
	cleanup                                   bool
	largePuts, largeGets                      int64
	directEndpoint, directBucket              string
	directPID                                 int
	directAnyETag                             bool
	// sdkWhenRequired sets the SDK's checksums to "when required" (-sdk-checksums).
	sdkWhenRequired bool
	rounds          int
	client          clientMode
	profileDir      string
	readSize        int
	// partConc and partSize shape the multipart phases (-part-c, -part-size).
	partConc []int
	partSize int
}

// clientMode names who sends the requests: the load tool's own signer, or aws-sdk-go-v2.
type clientMode string

const (
	clientRaw clientMode = "raw"
	clientSDK clientMode = "sdk"
)

func main() {
	o, err := parseFlags(os.Args[1:])
	if err == nil {
		err = run(context.Background(), o, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench/s3:", err)
		os.Exit(1)
	}
}

// parseFlags reads the command line.
func parseFlags(args []string) (options, error) {
	var o options
	var payload string
	fs := flag.NewFlagSet("bench/s3", flag.ContinueOnError)
	fs.StringVar(&o.endpoint, "endpoint", "http://127.0.0.1:8750", "inkan endpoint (loopback only)")
	fs.StringVar(&o.region, "region", "us-east-1", "signing region")
	fs.StringVar(&o.bucket, "bucket", "bench-s3", "bucket to create (or reuse) and load")
	fs.StringVar(&o.dataDir, "data-dir", "./inkan-data", "server data directory, for root credentials when the environment has none")
	fs.StringVar(&o.phases, "phases", "put,get,large-put,large-get", "phases to run, in order: put, get, large-put, large-get, mp-put, mp-get (the last two with -client sdk: a transfer manager's parallel parts and ranged GETs)")
	partConc := "1,2,4,8"
	fs.StringVar(&partConc, "part-c", partConc, "mp-put and mp-get: the parts one transfer moves at a time, each value its own phase")
	fs.IntVar(&o.partSize, "part-size", 8<<20, "mp-put and mp-get: part and range size in bytes (the AWS CLI's default is 8 MiB)")
	fs.StringVar(&payload, "payload", string(payloadSHA256), "how PUTs declare their body: sha256 (signed SHA-256, as the AWS CLI) or unsigned (UNSIGNED-PAYLOAD with x-amz-checksum-crc32, as the SDKs)")
	fs.IntVar(&o.conc, "c", 16, "concurrent workers for small objects")
	fs.DurationVar(&o.dur, "d", 10*time.Second, "duration of each small-object phase")
	fs.IntVar(&o.smallSize, "size", 4<<10, "small object size in bytes")
	fs.IntVar(&o.keys, "keys", 1000, "distinct small keys, written before the small phases and read by GET")
	fs.BoolVar(&o.overwrite, "overwrite", false, "small PUTs overwrite the -keys keys instead of writing new ones")
	fs.IntVar(&o.largeConc, "large-c", 2, "concurrent workers for large objects")
	fs.IntVar(&o.largeSize, "large-size", 64<<20, "large object size in bytes")
	fs.IntVar(&o.largeKeys, "large-keys", 4, "distinct large keys")
	fs.Int64Var(&o.largePuts, "large-puts", 24, "large PUTs to time")
	fs.Int64Var(&o.largeGets, "large-gets", 128, "large GETs to time")
	fs.StringVar(&o.directEndpoint, "direct-endpoint", "", "also run each phase against this S3 endpoint directly (keys in BENCH_DIRECT_ACCESS_KEY_ID, BENCH_DIRECT_SECRET_ACCESS_KEY)")
	fs.StringVar(&o.directBucket, "direct-bucket", "bench-s3-direct", "bucket of the direct runs")
	fs.IntVar(&o.directPID, "direct-pid", 0, "the direct endpoint's server process, whose CPU per operation and per MB is then reported too")
	fs.BoolVar(&o.directAnyETag, "direct-any-etag", false, "accept any ETag from the direct endpoint (MinIO's ETags of objects it encrypts are not the MD5 of their bytes)")
	var client string
	fs.StringVar(&client, "client", string(clientRaw), "who sends the requests: raw (the load tool's own SigV4 requests, -payload says how PUTs declare bodies) or sdk (aws-sdk-go-v2's S3 client with its default checksum settings)")
	sdkChecksums := "when-supported"
	fs.StringVar(&sdkChecksums, "sdk-checksums", sdkChecksums, "with -client sdk: when-supported (the SDK's default: a CRC32 on every PUT, every GET answer's checksum validated) or when-required (neither: the SDK then does not ask a GET answer for its checksum, so no server sends one)")
	fs.StringVar(&o.profileDir, "profile-dir", "", "write the load tool's CPU profile of every measured run into this directory (inkan-<phase>-<n>.pprof, direct-<phase>-<n>.pprof)")
	fs.IntVar(&o.readSize, "read-size", 1<<20, "bytes a GET asks its body for at a time (io.Copy asks for 32768)")
	fs.BoolVar(&o.cleanup, "cleanup", false, "when the run ends, delete the keys of the large-put and large-get phases from inkan and the direct endpoint, so that a later run on the same servers does not find them in memory")
	fs.IntVar(&o.rounds, "rounds", 1, "with -direct-endpoint, run every phase this many times, inkan first in odd rounds and the direct endpoint first in even ones, and compare medians")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch o.client = clientMode(client); o.client {
	case clientRaw, clientSDK:
	default:
		return o, fmt.Errorf("-client %q: want %s or %s", client, clientRaw, clientSDK)
	}
	switch sdkChecksums {
	case "when-supported":
	case "when-required":
		o.sdkWhenRequired = true
	default:
		return o, fmt.Errorf("-sdk-checksums %q: want when-supported or when-required", sdkChecksums)
	}
	var err error
	if o.partConc, err = parsePartConc(partConc); err != nil {
		return o, err
	}
	if o.partSize < 5<<20 {
		return o, fmt.Errorf("-part-size %d: S3's smallest part is 5 MiB (5242880)", o.partSize)
	}
	o.payload, err = parsePayloadMode(payload)
	return o, err
}

// run runs the phases of o and writes the report to out.
func run(ctx context.Context, o options, out io.Writer) error {
	phases := strings.Split(o.phases, ",")
	for _, p := range phases {
		if !slices.Contains([]string{"put", "get", "large-put", "large-get", "mp-put", "mp-get"}, p) {
			return fmt.Errorf("-phases: unknown phase %q", p)
		}
	}
	b, err := newBench(ctx, o, out)
	if err != nil {
		return err
	}
	clientName := string(o.client)
	if o.client == clientSDK && o.sdkWhenRequired {
		clientName += " (checksums when required)"
	}
	fmt.Fprintf(out, "session %s; bucket %s; client %s; payload %s; GOMAXPROCS of the load tool %d\n", b.s.arn, o.bucket, clientName, o.payload, runtimeProcs())
	var direct *bench
	if o.directEndpoint != "" {
		if direct, err = newDirectBench(ctx, o, out); err != nil {
			return err
		}
		fmt.Fprintf(out, "direct: %s, bucket %s\n", o.directEndpoint, o.directBucket)
	}
	// Whoever runs a phase first pays for what the upstream grows on first use (SeaweedFS
	// allocates volumes as they fill), so rounds alternate who goes first.
	for round := range max(o.rounds, 1) {
		for _, p := range phases {
			order := []*bench{b, direct}
			if round%2 == 1 {
				order = []*bench{direct, b}
			}
			for _, x := range order {
				if x == nil {
					continue
				}
				if err := x.runPhase(ctx, p); err != nil {
					return err
				}
			}
		}
		if direct == nil {
			break
		}
	}
	if direct != nil {
		compare(out, b, direct)
	}
	if o.cleanup {
		for _, x := range []*bench{b, direct} {
			if x == nil {
				continue
			}
			if err := x.deleteLarge(ctx); err != nil {
				return err
			}
		}
	}
	after, err := b.serverStats(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "server RSS: %.1f MiB\n", after.RSSBytes/(1<<20))
	return nil
}
