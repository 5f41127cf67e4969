package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Issue 11's multi-node acceptance: three inkan nodes on one PostgreSQL and one SeaweedFS,
// behind HAProxy, every node stateless. One node dies (SIGKILL) while the AWS CLI syncs 500
// files and a 100 MiB file through the balancer; the sync completes, and the bucket holds
// exactly the files, byte for byte, seen through inkan and on SeaweedFS itself.
//
// The kill lands once the 100 MiB file's multipart upload has parts upstream and before it
// completes (checked). A part in flight on the dead node fails at the CLI (HAProxy does not
// repeat a request whose body it has partly sent): the CLI sends it again, through another
// node, on the same upload, because upload ids are the upstream's, not a node's. In the
// runs on this machine the first sync exited 0: the CLI's own retries were enough, and no
// rerun was needed (the test allows one, as a user would rerun a failed deploy step, and
// logs which happened).
func TestASyncThroughAClusterOnOneUpstreamSurvivesTheKillOfANode(t *testing.T) {
	awsCLI(t)
	u := sharedSeaweed(t)
	c := startCluster(t, 3, u.nodeOptions())
	const bucket = "kill-sync"
	createBuckets(t, c.lb, bucket)
	env := sessionEnv(t, c.lb, "sync", readWriteBucket(bucket))
	files, big := syncTree(100)
	local := t.TempDir()
	writeTree(t, local, files)

	start := time.Now()
	sync := startSync(t, c.lb, env, local, bucket)
	parts := waitForParts(t, u, bucket, big, sync)
	inFlight := c.proxyStat(t, "node2", "scur")
	c.nodes[1].kill9(t)
	killedAt := time.Since(start)
	if uploads := multipartUploads(t, u, bucket); len(uploads) == 0 {
		t.Errorf("the 100 MiB upload had completed when node 2 died: the kill did not land mid-multipart")
	}
	first := <-sync // startSync bounds it
	result, reran := first, false
	if first.err != nil {
		t.Logf("the first sync exited with %v; rerunning it, as a user would:\n%s", first.err, tail(first.stderr, 20))
		result, reran = <-startSync(t, c.lb, env, local, bucket), true
		if result.err != nil {
			t.Fatalf("the rerun of aws s3 sync failed too: %v\n%s", result.err, tail(result.stderr, 20))
		}
	}
	took := time.Since(start)
	if err := c.proxy.WaitStates(5*time.Second, "DOWN", "node2"); err != nil {
		t.Error(err)
	}

	stats := c.proxyStats(t)
	t.Logf("aws s3 sync of %d files (%d MiB multipart) through the balancer: %s; node 2 killed after %s with %d parts upstream and %s connections open on it",
		len(files), len(files[big])>>20, took.Round(time.Millisecond), killedAt.Round(time.Millisecond), parts, inFlight)
	t.Logf("first sync: exit %v, %d uploads printed, %d failed, the CLI retried %v; rerun: %v",
		first.err, countLines(first.stdout, "upload: "), strings.Count(first.stderr, "upload failed: "), cliRetries(first.stderr), reran)
	t.Logf("HAProxy: retried %s, redispatched %s; on node 2 %s response errors, %s transfers aborted by the server",
		stats["BACKEND"]["wretr"], stats["BACKEND"]["wredis"], stats["node2"]["eresp"], stats["node2"]["srv_abrt"])

	wantObjects(t, "through inkan", listObjects(t, rootS3(c.nodes[0].server()), bucket, ""), files)
	wantUpstreamExactly(t, u, bucket, files)
	down := t.TempDir()
	mustS3CLI(t, c.nodes[2].server(), env, "s3", "sync", "--no-progress", "s3://"+bucket+"/", down)
	if diff := sameTree(files, readTree(t, down)); diff != "" {
		t.Errorf("the tree read back through node 3 differs from the local one: %s", diff)
	}
}

// syncRun is the outcome of one `aws s3 sync`.
type syncRun struct {
	stdout, stderr string
	err            error
}

// startSync starts `aws s3 sync local s3://bucket/` through srv and returns where its outcome
// arrives. The CLI is killed after two minutes. It runs with --debug, so that its standard
// error shows each retry ("Retry needed").
func startSync(t *testing.T, srv *testServer, env map[string]string, local, bucket string) <-chan syncRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	cmd := awsCommand(ctx, t, env, "s3", "sync", "--no-progress", "--debug", local, "s3://"+bucket+"/", "--endpoint-url", srv.URL)
	var out, errb lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	done := make(chan syncRun, 1)
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	go func() {
		defer cancel()
		err := cmd.Wait()
		done <- syncRun{stdout: out.String(), stderr: errb.String(), err: err}
	}()
	return done
}

// waitForParts waits until key's multipart upload has parts upstream, for at most a minute,
// and returns how many. It fails if the sync ends first.
func waitForParts(t *testing.T, u objectBackend, bucket, key string, sync <-chan syncRun) int {
	t.Helper()
	ctx := context.Background()
	deadline := time.After(time.Minute)
	for {
		for _, up := range multipartUploads(t, u, bucket) {
			if aws.ToString(up.Key) != key {
				continue
			}
			parts, err := u.direct().ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(u.bucket(bucket)), Key: up.Key, UploadId: up.UploadId})
			if err == nil && len(parts.Parts) > 0 {
				return len(parts.Parts)
			}
		}
		select {
		case r := <-sync:
			t.Fatalf("the sync ended (%v) before %s had parts upstream:\n%s", r.err, key, tail(r.stderr, 20))
		case <-deadline:
			t.Fatalf("%s has no parts upstream after a minute", key)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// multipartUploads lists the multipart uploads in progress on bucket, upstream.
func multipartUploads(t *testing.T, u objectBackend, bucket string) []types.MultipartUpload {
	t.Helper()
	out, err := u.direct().ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(u.bucket(bucket))})
	if err != nil {
		t.Fatalf("ListMultipartUploads upstream: %v", err)
	}
	return out.Uploads
}

// wantObjects checks that a listing holds exactly files: the same names, sizes and content
// hashes (the ETag: a body's MD5, or for the CLI's 8 MiB multipart upload the MD5 of the
// parts' MD5s).
func wantObjects(t *testing.T, where string, got map[string]types.Object, files map[string][]byte) {
	t.Helper()
	var diffs []string
	for name, body := range files {
		o, ok := got[name]
		want := quotedMD5(body)
		if len(body) > 8<<20 {
			want = multipartETag(split(body, 8<<20)...)
		}
		switch {
		case !ok:
			diffs = append(diffs, name+" is missing")
		case aws.ToInt64(o.Size) != int64(len(body)):
			diffs = append(diffs, fmt.Sprintf("%s holds %d bytes, want %d", name, aws.ToInt64(o.Size), len(body)))
		case aws.ToString(o.ETag) != want:
			diffs = append(diffs, fmt.Sprintf("%s has ETag %s, want %s", name, aws.ToString(o.ETag), want))
		}
	}
	for name := range got {
		if _, ok := files[name]; !ok {
			diffs = append(diffs, name+" is extra")
		}
	}
	if len(diffs) > 0 {
		t.Errorf("%s, the bucket differs from the local tree in %d ways, among them: %s", where, len(diffs), strings.Join(diffs[:min(len(diffs), 5)], "; "))
	}
}

// wantUpstreamExactly checks on the upstream itself, with its root keys, that the test's
// prefix holds bucket and nothing else (but inkan's hidden state bucket), that bucket holds
// exactly files, and that no multipart upload is left in progress.
func wantUpstreamExactly(t *testing.T, u objectBackend, bucket string, files map[string][]byte) {
	t.Helper()
	out, err := u.direct().ListBuckets(context.Background(), &s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets upstream: %v", err)
	}
	var ours []string
	for _, b := range out.Buckets {
		if name := aws.ToString(b.Name); strings.HasPrefix(name, u.prefix) && name != u.bucket("inkan-state") {
			ours = append(ours, name)
		}
	}
	if len(ours) != 1 || ours[0] != u.bucket(bucket) {
		t.Errorf("upstream, the prefix %s holds the buckets %v, want only %s", u.prefix, ours, u.bucket(bucket))
	}
	wantObjects(t, "on SeaweedFS directly", listObjects(t, u.direct(), u.bucket(bucket), ""), files)
	if left := multipartUploads(t, u, bucket); len(left) > 0 {
		t.Errorf("upstream, %d multipart uploads are left in progress, the first of %s", len(left), aws.ToString(left[0].Key))
	}
}

// cliRetries counts the requests the AWS CLI sent again, by operation, from its --debug log:
// botocore logs "Event needs-retry.s3.<operation>" and then, on the same thread, "Retry
// needed" when it retries.
func cliRetries(debug string) map[string]int {
	retries := map[string]int{}
	lastOp := map[string]string{} // by thread
	for _, line := range strings.Split(debug, "\n") {
		// time - thread - logger - level - message
		f := strings.SplitN(line, " - ", 5)
		if len(f) < 5 {
			continue
		}
		thread, msg := f[1], f[4]
		if rest, ok := strings.CutPrefix(msg, "Event needs-retry.s3."); ok {
			lastOp[thread], _, _ = strings.Cut(rest, ":")
		} else if strings.HasPrefix(msg, "Retry needed") {
			retries[lastOp[thread]]++
		}
	}
	return retries
}

// proxyStats returns HAProxy's statistics, failing the test if it cannot.
func (c *cluster) proxyStats(t *testing.T) map[string]map[string]string {
	t.Helper()
	stats, err := c.proxy.Stats()
	if err != nil {
		t.Fatal(err)
	}
	return stats
}

// proxyStat returns one of HAProxy's statistics of a server.
func (c *cluster) proxyStat(t *testing.T, server, column string) string {
	t.Helper()
	return c.proxyStats(t)[server][column]
}

// tail returns the last n lines of text.
func tail(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
