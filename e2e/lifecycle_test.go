package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Issue 13's lifecycle acceptance, end to end: the AWS CLI v2 configures lifecycle on
// both backends and the worker of `inkan serve` executes it; a real inkan process whose
// lifecycle clock lives days ahead is killed with SIGKILL in the middle of a pass, and
// nothing that should stay is lost while the next run finishes the job.

// lifecycleFlags make the worker pass every second without pausing.
var lifecycleFlags = []string{"--lifecycle-interval", "1s", "--lifecycle-batch-pause", "0s", "--lifecycle-lease-ttl", "2s"}

// TestTheAWSCLIConfiguresLifecycleAndTheWorkerExpiresWhatIsDue puts, reads and deletes a
// configuration with the CLI, sees x-amz-expiration on head-object, and waits for the
// worker to expire the objects of a rule whose Date has passed, leaving the others.
func TestTheAWSCLIConfiguresLifecycleAndTheWorkerExpiresWhatIsDue(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t, lifecycleFlags...)
		env := rootEnv()
		const bucket = "lifecycle"
		mustS3CLI(t, srv, env, "s3", "mb", "s3://"+bucket)
		for _, k := range []string{"old/a", "old/b", "tmp/c", "keep/d"} {
			mustS3CLI(t, srv, env, "s3api", "put-object", "--bucket", bucket, "--key", k)
		}
		cfg := writeTemp(t, "lifecycle.json", `{"Rules": [
			{"ID": "past date", "Status": "Enabled", "Filter": {"Prefix": "old/"}, "Expiration": {"Date": "2020-01-01T00:00:00Z"}},
			{"ID": "tmp files", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 30},
			 "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 2}}]}`)
		mustS3CLI(t, srv, env, "s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration", "file://"+cfg)
		var got struct {
			Rules []struct {
				ID         string
				Status     string
				Filter     struct{ Prefix string }
				Expiration struct {
					Days int
					Date string
				}
			}
			TransitionDefaultMinimumObjectSize string
		}
		if err := json.Unmarshal([]byte(mustS3CLI(t, srv, env, "s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Rules) != 2 || got.Rules[0].ID != "past date" || got.Rules[0].Filter.Prefix != "old/" ||
			!strings.HasPrefix(got.Rules[0].Expiration.Date, "2020-01-01T00:00:00") || got.Rules[1].Expiration.Days != 30 {
			t.Fatalf("get-bucket-lifecycle-configuration: %+v", got)
		}
		head := mustS3CLI(t, srv, env, "s3api", "head-object", "--bucket", bucket, "--key", "tmp/c")
		if !regexp.MustCompile(`"Expiration": "expiry-date=\\"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} 00:00:00 GMT\\", rule-id=\\"tmp%20files\\""`).MatchString(head) {
			t.Errorf("head-object printed %s", head)
		}
		waitFor(t, 30*time.Second, "the worker to expire old/", func() bool {
			return strings.Join(listKeys(t, srv, bucket), ",") == "keep/d,tmp/c"
		})
		if n := metricValue(t, srv, "inkan_lifecycle_objects_expired_total"); n < 2 {
			t.Errorf("inkan_lifecycle_objects_expired_total = %v", n)
		}
		bad := writeTemp(t, "glacier.json", `{"Rules": [{"ID": "cold", "Status": "Enabled", "Filter": {}, "Transitions": [{"Days": 30, "StorageClass": "GLACIER"}]}]}`)
		wantCLIError(t, srv, env, "NotImplemented", "PutBucketLifecycleConfiguration",
			"s3api", "put-bucket-lifecycle-configuration", "--bucket", bucket, "--lifecycle-configuration", "file://"+bad)
		mustS3CLI(t, srv, env, "s3api", "delete-bucket-lifecycle", "--bucket", bucket)
		wantCLIError(t, srv, env, "NoSuchLifecycleConfiguration", "GetBucketLifecycleConfiguration",
			"s3api", "get-bucket-lifecycle-configuration", "--bucket", bucket)
	})
}

// listKeys lists every key of bucket with aws-sdk-go-v2.
func listKeys(t *testing.T, srv *testServer, bucket string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(rootS3(srv), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

// waitFor polls cond until it holds, or fails the test after d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// metricValue reads one unlabelled sample from the server's /metrics.
func metricValue(t *testing.T, srv *testServer, name string) float64 {
	t.Helper()
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + name + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("/metrics has no %s", name)
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// buildTestClockInkan builds cmd/inkan with the inkan_testclock tag, whose lifecycle clock
// INKAN_TEST_LIFECYCLE_CLOCK_OFFSET shifts; no release binary has it.
func buildTestClockInkan(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "inkan-testclock")
	cmd := exec.Command("go", "build", "-tags", "inkan_testclock", "-o", bin, "github.com/inkan-dev/inkan/cmd/inkan")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestALifecyclePassKilledMidwayLosesNothingThatShouldStay runs a real inkan serve whose
// lifecycle clock is 72 hours ahead, so that objects written now under a 1-day rule are
// due (created today, due at the second midnight from now) and those under a 30-day rule
// are not. It kills the process with SIGKILL while the worker is half-way through the due
// objects, checks that every object that should stay is there with its bytes, restarts
// the server on the same data directory, and waits for the next pass (once the dead run's
// lease has expired) to finish the job.
func TestALifecyclePassKilledMidwayLosesNothingThatShouldStay(t *testing.T) {
	bin := buildTestClockInkan(t)
	dataDir := t.TempDir()
	local := objectBackend{name: "local"}
	start := func() *process {
		return startProcessWith(t, bin, dataDir, local, map[string]string{"INKAN_TEST_LIFECYCLE_CLOCK_OFFSET": "72h"},
			"--lifecycle-interval", "1s", "--lifecycle-batch-size", "4", "--lifecycle-batch-pause", "150ms", "--lifecycle-lease-ttl", "5s")
	}
	srv := start()
	const bucket = "expiring"
	createBuckets(t, srv.testServer, bucket)
	c := rootS3(srv.testServer)
	ctx := context.Background()
	stay := map[string]string{}
	put := func(key string) string {
		body := "body of " + key
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ETag)
	}
	const due = 120
	for i := range due {
		put(fmt.Sprintf("old/%03d", i))
	}
	for i := range 30 {
		k := fmt.Sprintf("keep/%03d", i)
		stay[k] = put(k)
		k = fmt.Sprintf("zz-no-rule/%03d", i)
		stay[k] = put(k)
	}
	// aws-sdk-go-v2 computes the checksum S3 requires of this request.
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("one day"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("old/")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
			{ID: aws.String("thirty days"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("keep/")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)}},
		}}}); err != nil {
		t.Fatal(err)
	}

	count := func(prefix string) int {
		n := 0
		for _, k := range listKeys(t, srv.testServer, bucket) {
			if strings.HasPrefix(k, prefix) {
				n++
			}
		}
		return n
	}
	waitFor(t, 60*time.Second, "the worker to start expiring", func() bool { return count("old/") < due-8 })
	srv.kill(t)

	srv = start()
	left := count("old/")
	if left == 0 || left == due {
		t.Fatalf("the kill did not land mid-pass: %d of %d due objects left", left, due)
	}
	checkStay := func() {
		t.Helper()
		for k, etag := range stay {
			out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
			if err != nil || aws.ToString(out.ETag) != etag {
				t.Fatalf("%s, which should stay: %v (ETag %s, want %s)", k, err, aws.ToString(out.ETag), etag)
			}
		}
	}
	c = rootS3(srv.testServer)
	checkStay()
	waitFor(t, 60*time.Second, "the next run to finish the job", func() bool { return count("old/") == 0 })
	checkStay()
	if got := len(listKeys(t, srv.testServer, bucket)); got != len(stay) {
		t.Fatalf("%d objects left, want the %d that stay", got, len(stay))
	}
	t.Logf("killed with %d of %d due objects left; the restarted server expired them", left, due)
}
