package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// smallDisk mounts a tmpfs of size bytes on a fresh directory and unmounts it when the test
// ends. Mounting needs root: without it the test skips, or fails with CI set.
func smallDisk(t *testing.T, size int64) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%d,mode=0700", size), "tmpfs", dir).CombinedOutput()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("mounting a tmpfs (the full-disk test needs root): %v %s", err, out)
		}
		t.Skipf("cannot mount a tmpfs (run as root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", dir, err, out)
		}
	})
	return dir
}

// fill writes a ballast file until dir's file system is full and returns its path.
func fill(t *testing.T, dir string) string {
	t.Helper()
	path := filepath.Join(dir, "ballast")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			if !errors.Is(err, syscall.ENOSPC) {
				t.Fatal(err)
			}
			return path
		}
	}
}

func TestAFullDiskIsARetryable503ThatDamagesNothingAndPassesWhenSpaceIsFreed(t *testing.T) {
	dir := smallDisk(t, 48<<20)
	srv := startServer(t, "--data-dir", dir, "--explain", "caller")
	createBuckets(t, srv, "full")
	client := rootS3(srv)
	ctx := context.Background()
	kept := map[string][]byte{}
	for i := range 8 {
		key := fmt.Sprintf("kept-%d", i)
		kept[key] = randomBytes(uint64(i), 256<<10)
		if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String(key), Body: bytes.NewReader(kept[key])}); err != nil {
			t.Fatal(err)
		}
	}
	ballast := fill(t, dir)

	// Bodies large and small (the index write fails too), a new bucket, a multipart part.
	refused := 0
	for _, c := range []struct {
		name, target string
		body         []byte
	}{
		{"a 4 MiB PutObject", "/full/big", randomBytes(99, 4<<20)},
		{"a 64-byte PutObject", "/full/small", randomBytes(98, 64)},
		{"an overwrite of a kept object", "/full/kept-0", randomBytes(97, 1<<20)},
		{"CreateBucket", "/another", nil},
	} {
		ans := exchange(t, srv, signRaw(t, srv, "s3", http.MethodPut, c.target, nil, c.body, ""))
		if ans.status != 503 || ans.code != "ServiceUnavailable" || ans.header.Get("Retry-After") == "" {
			t.Errorf("%s on a full disk: %d %q (Retry-After %q), want 503 ServiceUnavailable\n%s", c.name, ans.status, ans.code, ans.header.Get("Retry-After"), ans.body)
			continue
		}
		refused++
		for _, leak := range []string{dir, "no space", "disk is full", "localfs", "blobs", "sqlite"} {
			if strings.Contains(ans.body, leak) {
				t.Errorf("%s: the answer shows %q:\n%s", c.name, leak, ans.body)
			}
		}
	}
	if lines := metricLines(t, srv, "inkan_storage_full_total"); len(lines) == 0 {
		t.Error("no inkan_storage_full_total on the metrics page")
	} else {
		t.Logf("metrics: %v", lines)
	}
	if log := srv.stderr.String(); !strings.Contains(log, "object store is full") || !strings.Contains(log, "no space left on device") {
		t.Errorf("the log lacks the operator's detail:\n%s", log)
	}
	verifyObjects(t, client, "full", kept)

	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	body := randomBytes(96, 4<<20)
	if _, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("full"), Key: aws.String("big"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("PutObject once space was freed: %v", err)
	}
	kept["big"] = body
	verifyObjects(t, client, "full", kept)
	if listed := listObjects(t, client, "full", ""); len(listed) != len(kept) {
		t.Errorf("the bucket lists %d objects, want %d", len(listed), len(kept))
	}
	t.Logf("full disk: %d writes refused with 503, %d objects verified by hash before and after", refused, len(kept))
}

// verifyObjects checks every object of want by its bytes and returns how many were found
// whole.
func verifyObjects(t *testing.T, client *s3.Client, bucket string, want map[string][]byte) int {
	t.Helper()
	ok := 0
	for key, data := range want {
		obj, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
		if err != nil {
			t.Errorf("GetObject %s: %v", key, err)
			continue
		}
		got, err := io.ReadAll(obj.Body)
		obj.Body.Close()
		if err != nil || hashHex(got) != hashHex(data) {
			t.Errorf("%s: %d bytes read (%v) whose SHA-256 differs from the %d acknowledged", key, len(got), err, len(data))
			continue
		}
		ok++
	}
	return ok
}

// crashLoad writes objects with workers until stop closes, and returns those the server
// acknowledged and those it did not (whose fate is unknown).
func crashLoad(srv *testServer, round, workers int, stop <-chan struct{}) (acked, unknown map[string][]byte) {
	client := s3.NewFromConfig(rootConfig(srv), func(o *s3.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
		o.UsePathStyle = true
		o.RetryMaxAttempts = 1
	})
	var mu sync.Mutex
	acked, unknown = map[string][]byte{}, map[string][]byte{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(round), uint64(w)))
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				key := fmt.Sprintf("r%02d/w%02d/%04d", round, w, i)
				data := randomBytes(r.Uint64(), 1+r.IntN(1<<20))
				_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("crashloop"), Key: aws.String(key), Body: bytes.NewReader(data)})
				mu.Lock()
				if err == nil {
					acked[key] = data
				} else {
					unknown[key] = data
				}
				mu.Unlock()
				if err != nil {
					return // the server is gone
				}
			}
		}()
	}
	wg.Wait()
	return acked, unknown
}

func TestSIGKILLsUnderConcurrentWritersLoseNoAcknowledgedObject(t *testing.T) {
	bin := buildInkan(t)
	dir := t.TempDir()
	const rounds, workers = 10, 8
	all := map[string][]byte{}
	var unknownTotal, unknownStored int
	for round := range rounds {
		p := startProcess(t, bin, dir, objectBackend{name: "local"})
		client := rootS3(p.testServer)
		if round == 0 {
			createBuckets(t, p.testServer, "crashloop")
		}
		// Every object acknowledged before any earlier kill is still whole.
		if got := verifyObjects(t, client, "crashloop", all); got != len(all) {
			t.Fatalf("round %d: %d of %d acknowledged objects verified", round, got, len(all))
		}
		stop := make(chan struct{})
		done := make(chan struct{})
		var acked, unknown map[string][]byte
		go func() { acked, unknown = crashLoad(p.testServer, round, workers, stop); close(done) }()
		time.Sleep(time.Duration(300+rand.IntN(700)) * time.Millisecond)
		p.kill(t)
		close(stop)
		<-done
		for k, v := range acked {
			all[k] = v
		}
		// An object whose write was cut by the kill is absent or whole, never torn.
		p = startProcess(t, bin, dir, objectBackend{name: "local"})
		listed := listObjects(t, rootS3(p.testServer), "crashloop", fmt.Sprintf("r%02d/", round))
		for k, v := range unknown {
			if _, ok := listed[k]; ok {
				unknownStored++
				if verifyObjects(t, rootS3(p.testServer), "crashloop", map[string][]byte{k: v}) != 1 {
					t.Errorf("round %d: %s, written as the server died, is torn", round, k)
				}
			}
		}
		unknownTotal += len(unknown)
		p.kill(t)
		t.Logf("round %d: %d acknowledged, %d cut by the kill", round, len(acked), len(unknown))
	}
	p := startProcess(t, bin, dir, objectBackend{name: "local"})
	verified := verifyObjects(t, rootS3(p.testServer), "crashloop", all)
	t.Logf("SIGKILL loop: %d kills, %d objects acknowledged, %d verified by SHA-256, %d lost; %d writes cut by a kill, %d of them stored whole, none torn",
		rounds, len(all), verified, len(all)-verified, unknownTotal, unknownStored)
	if verified != len(all) {
		t.Fatalf("%d acknowledged objects lost", len(all)-verified)
	}
}
