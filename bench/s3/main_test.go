package main

import (
	"context"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/inkan-dev/inkan/bench/loadutil"
	"github.com/inkan-dev/inkan/internal/sigv4"
	"github.com/inkan-dev/inkan/internal/testsupport/inkantest"
)

// startInkan runs `inkan serve --dev` in-process on a loopback port and a fresh data
// directory, without root credentials in its environment, so that it generates them into
// the data directory as a first start does. It returns the URL and the data directory.
func startInkan(t testing.TB) (string, string) {
	t.Helper()
	srv := inkantest.Start(t, nil, "--log-level", "error")
	return srv.URL, srv.DataDir
}

// startDirectPeer starts a second inkan to serve as -direct-endpoint and puts its root keys
// where the load tool looks for the direct endpoint's keys.
func startDirectPeer(t testing.TB) (string, sigv4.Credentials) {
	t.Helper()
	peer, peerDir := startInkan(t)
	keys, err := loadutil.RootCredentials(peerDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("BENCH_DIRECT_ACCESS_KEY_ID", keys.AccessKeyID)
	t.Setenv("BENCH_DIRECT_SECRET_ACCESS_KEY", keys.SecretAccessKey)
	return peer, keys
}

// smallRun is a short run of every phase against endpoint.
func smallRun(t testing.TB, endpoint, dataDir string, mode payloadMode) options {
	o, err := parseFlags([]string{"-endpoint", endpoint, "-data-dir", dataDir, "-payload", string(mode), "-d", "300ms", "-c", "4",
		"-keys", "20", "-large-size", strconv.Itoa(3<<20 + 5), "-large-puts", "3", "-large-gets", "3"})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

// phaseLine matches a phase's first report line.
var phaseLine = regexp.MustCompile(`(?m)^(4 KiB|3145733 B) (PUT|GET): (\d+) in \S+ with (\d+) workers \((\d+) errors\)$`)

func TestEveryPhaseRunsWithSessionCredentialsInBothPayloadModes(t *testing.T) {
	endpoint, dir := startInkan(t)
	for _, mode := range []payloadMode{payloadSHA256, payloadUnsigned} {
		t.Run(string(mode), func(t *testing.T) {
			var out strings.Builder
			if err := run(context.Background(), smallRun(t, endpoint, dir, mode), &out); err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			report := out.String()
			if !strings.Contains(report, "session arn:aws:sts::000000000000:assumed-role/bench-s3/bench;") ||
				!strings.Contains(report, "payload "+string(mode)) || !strings.Contains(report, "server RSS: ") {
				t.Errorf("the report lacks the session, the payload mode or the RSS:\n%s", report)
			}
			phases := phaseLine.FindAllStringSubmatch(report, -1)
			if len(phases) != 4 {
				t.Fatalf("want 4 phases in the report:\n%s", report)
			}
			for i, want := range []string{"4 KiB PUT", "4 KiB GET", "3145733 B PUT", "3145733 B GET"} {
				p := phases[i]
				if p[1]+" "+p[2] != want || p[3] == "0" || p[5] != "0" {
					t.Errorf("phase %d is %q, want %s with operations and no errors", i, p[0], want)
				}
			}
			if got := phases[2][3] + "," + phases[3][3] + "," + phases[2][4]; got != "3,3,2" {
				t.Errorf("large phases did %s operations,workers; want the 3,3 asked for with -large-c's default 2", got)
			}
		})
	}
}

func TestTheDefaultsAreTheIssuesMeasurements(t *testing.T) {
	o, err := parseFlags(nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.conc != 16 || o.smallSize != 4096 || o.largeSize != 64<<20 || o.largeConc != 2 || o.payload != payloadSHA256 ||
		o.phases != "put,get,large-put,large-get" || o.endpoint != "http://127.0.0.1:8750" {
		t.Fatalf("defaults: %+v", o)
	}
}

func TestBadArgumentsAreRefusedBeforeAnyRequest(t *testing.T) {
	for _, args := range [][]string{{"-payload", "chunked"}, {"stray"}} {
		if _, err := parseFlags(args); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	for _, o := range []options{{endpoint: "http://10.0.0.1:8750", phases: "put", conc: 1, largeConc: 1, keys: 1, largeKeys: 1},
		{endpoint: "http://127.0.0.1:1", phases: "put,delete"}} {
		if err := run(context.Background(), o, io.Discard); err == nil {
			t.Errorf("run accepted %+v", o)
		}
	}
}

func TestAWrongPayloadIsReportedAsAnError(t *testing.T) {
	endpoint, dir := startInkan(t)
	o := smallRun(t, endpoint, dir, payloadSHA256)
	b, err := newBench(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	wrong := *b.small
	wrong.sha256 = newBody(len(wrong.data), 99).sha256
	err = b.c.put(context.Background(), "wrong", &wrong)
	if err == nil || !strings.Contains(err.Error(), "status 400") || !strings.Contains(err.Error(), "XAmzContentSHA256Mismatch") {
		t.Fatalf("a PUT whose body does not match its signed hash: %v", err)
	}
	if err := b.c.get(context.Background(), "wrong", len(wrong.data), make([]byte, 64)); err == nil || !strings.Contains(err.Error(), "status 404") {
		t.Fatalf("GET of the refused key: %v", err)
	}
}

// The benchmarks run the whole server in-process with the load tool's client, so that
// go test -cpuprofile profiles the server (and the client, which shares the CPUs as in a
// real run) under each load:
//
//	go test -run '^$' -bench . -benchtime 10s -cpuprofile cpu.out ./bench/s3
//	go tool pprof -top -cum bench/s3.test cpu.out
//
// 16 concurrent clients, as the load tool's default -c, on GOMAXPROCS 2.
func benchSmall(b *testing.B, op func(*bench, context.Context, int, int64) error) {
	endpoint, dir := startInkan(b)
	o := smallRun(b, endpoint, dir, payloadSHA256)
	o.conc = 16
	bb, err := newBench(context.Background(), o, io.Discard)
	if err != nil {
		b.Fatal(err)
	}
	if err := bb.prepare(context.Background(), "writing the small keys", o.conc, int64(o.keys), bb.putSmall); err != nil {
		b.Fatal(err)
	}
	var next, worker atomic.Int64
	b.SetParallelism(max(1, o.conc/max(1, runtimeProcs())))
	b.SetBytes(int64(o.smallSize))
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := int(worker.Add(1)-1) % len(bb.bufs)
		for pb.Next() {
			if err := op(bb, context.Background(), w, next.Add(1)); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkPut4KiB(b *testing.B) { benchSmall(b, (*bench).putNew) }

func BenchmarkGet4KiB(b *testing.B) { benchSmall(b, (*bench).getSmall) }

// TestTheSDKClientComparesSideBySideWithCPUPerMBAndProfiles runs the large phases through
// aws-sdk-go-v2 against inkan and, as the other endpoint, a second inkan signed with its
// root keys, two interleaved rounds, and checks the comparison: ratios, the CPU per MB of
// both servers and of the load tool, and a client profile of every measured run.
func TestTheSDKClientComparesSideBySideWithCPUPerMBAndProfiles(t *testing.T) {
	endpoint, dir := startInkan(t)
	peer, _ := startDirectPeer(t)
	profiles := t.TempDir()
	_, report := runReport(t, "-endpoint", endpoint, "-data-dir", dir, "-client", "sdk", "-phases", "large-put,large-get",
		"-large-size", strconv.Itoa(3<<20+5), "-large-puts", "3", "-large-gets", "3", "-rounds", "2",
		"-direct-endpoint", peer, "-direct-pid", strconv.Itoa(os.Getpid()), "-profile-dir", profiles)
	if !strings.Contains(report, "client sdk;") || strings.Contains(report, "errors)\nfirst error") {
		t.Errorf("the report does not name the SDK client, or has errors:\n%s", report)
	}
	perMB := regexp.MustCompile(`(?m)^3145733 B (PUT|GET) +(\d+\.\d+) / (\d+\.\d+) +(\d+\.\d+) / (\d+\.\d+) *$`)
	if got := perMB.FindAllString(report, -1); len(got) != 2 {
		t.Errorf("want the CPU per MB of both servers and the load tool for PUT and GET:\n%s", report)
	}
	if !strings.Contains(report, "(medians of 2 rounds)") {
		t.Errorf("the comparison is not of 2 rounds:\n%s", report)
	}
	files, err := os.ReadDir(profiles)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 8 {
		t.Errorf("%d profiles written, want 8 (2 sides × 2 phases × 2 rounds): %v", len(files), files)
	}
}

func TestTheMultipartPhasesUploadInPartsAndDownloadInRangesAtEachParallelism(t *testing.T) {
	endpoint, dir := startInkan(t)
	size := 11<<20 + 5 // three 5 MiB parts, the last one short
	o, report := runReport(t, "-endpoint", endpoint, "-data-dir", dir, "-client", "sdk", "-phases", "mp-put,mp-get",
		"-large-size", strconv.Itoa(size), "-large-keys", "2", "-large-puts", "2", "-large-gets", "2",
		"-part-size", strconv.Itoa(5<<20), "-part-c", "1,3")
	for _, phase := range []string{"MPU P=1", "MPU P=3", "ranged GET P=1", "ranged GET P=3"} {
		if !strings.Contains(report, "\n11534341 B "+phase+": 2 in ") {
			t.Errorf("no report of %s:\n%s", phase, report)
		}
	}
	if strings.Contains(report, "first error") || !strings.Contains(report, "with 1 workers (0 errors)") {
		t.Errorf("errors in the multipart phases:\n%s", report)
	}
	// What mp-put stored is what mp-get compared against, range by range; a server that
	// answered other bytes would have made the GET phases count errors (above).

	if _, err := parseFlags([]string{"-part-size", "1048576"}); err == nil {
		t.Error("a part size under 5 MiB was accepted")
	}
	if _, err := parseFlags([]string{"-part-c", "2,0"}); err == nil {
		t.Error("a parallelism of 0 was accepted")
	}
	o.client = clientRaw
	if err := run(context.Background(), o, io.Discard); err == nil || !strings.Contains(err.Error(), "-client sdk") {
		t.Errorf("the multipart phases with the raw client: %v", err)
	}
}

// runReport runs the bench with args and returns its options and report, failing the test
// on a flag or run error.
func runReport(t *testing.T, args ...string) (options, string) {
	t.Helper()
	o, err := parseFlags(args)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := run(context.Background(), o, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	return o, out.String()
}

// TestCleanupDeletesTheLargeKeysFromBothEndpoints runs large PUTs with -cleanup, once
// through the load tool's own requests against inkan alone and once through the SDK side by
// side with a second inkan, and checks that no large key is left on either endpoint.
func TestCleanupDeletesTheLargeKeysFromBothEndpoints(t *testing.T) {
	endpoint, dir := startInkan(t)
	peer, peerKeys := startDirectPeer(t)
	rootKeys, err := loadutil.RootCredentials(dir)
	if err != nil {
		t.Fatal(err)
	}
	size := 1<<20 + 3
	gone := func(s *session) {
		t.Helper()
		c := newSDKClient(s, 2, false)
		for i := range 2 {
			key := largeKey(int64(i), 2)
			err := c.get(context.Background(), key, size, make([]byte, 64<<10))
			if err == nil || !strings.Contains(err.Error(), "NoSuchKey") {
				t.Errorf("%s %s/%s after -cleanup: %v; want NoSuchKey", s.endpoint, s.bucket, key, err)
			}
		}
	}
	common := []string{"-endpoint", endpoint, "-data-dir", dir, "-phases", "large-put", "-large-size", strconv.Itoa(size),
		"-large-keys", "2", "-large-puts", "2", "-cleanup"}

	runReport(t, append(common, "-client", "raw", "-bucket", "cleanup-raw")...)
	gone(&session{endpoint: endpoint, region: "us-east-1", bucket: "cleanup-raw", creds: rootKeys})

	runReport(t, append(common, "-client", "sdk", "-bucket", "cleanup-sdk", "-direct-endpoint", peer, "-direct-bucket", "cleanup-peer")...)
	gone(&session{endpoint: endpoint, region: "us-east-1", bucket: "cleanup-sdk", creds: rootKeys})
	gone(&session{endpoint: peer, region: "us-east-1", bucket: "cleanup-peer", creds: peerKeys})
}
