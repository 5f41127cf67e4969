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

// versionCounts counts bucket's versions by key prefix, delete markers apart.
func versionCounts(t *testing.T, c *s3.Client, bucket string) (versions, markers map[string]int) {
	t.Helper()
	versions, markers = map[string]int{}, map[string]int{}
	p := s3.NewListObjectVersionsPaginator(c, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			prefix, _, _ := strings.Cut(aws.ToString(v.Key), "/")
			versions[prefix]++
		}
		for _, m := range page.DeleteMarkers {
			prefix, _, _ := strings.Cut(aws.ToString(m.Key), "/")
			markers[prefix]++
		}
	}
	return versions, markers
}

// TestAVersionedLifecyclePassKilledMidwayKeepsEveryCurrentVersion is the noncurrent half of
// the lifecycle acceptance: a real inkan serve 72 hours ahead removes noncurrent versions
// (due one day after their successor was written) and then the delete markers left alone;
// killed with SIGKILL half-way, it has lost no current version, and the restarted server
// finishes the job.
func TestAVersionedLifecyclePassKilledMidwayKeepsEveryCurrentVersion(t *testing.T) {
	bin := buildTestClockInkan(t)
	dataDir := t.TempDir()
	start := func() *process {
		return startProcessWith(t, bin, dataDir, objectBackend{name: "local"}, map[string]string{"INKAN_TEST_LIFECYCLE_CLOCK_OFFSET": "72h"},
			"--lifecycle-interval", "1s", "--lifecycle-batch-size", "4", "--lifecycle-batch-pause", "150ms", "--lifecycle-lease-ttl", "5s")
	}
	srv := start()
	const bucket = "versioned-expiring"
	createBuckets(t, srv.testServer, bucket)
	c := rootS3(srv.testServer)
	ctx := context.Background()
	if err := enableVersioning(ctx, c, bucket); err != nil {
		t.Fatal(err)
	}
	put := func(key, body string) string {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.ETag)
	}
	current := map[string]string{}
	const keys = 60
	for i := range keys {
		k := fmt.Sprintf("two/%03d", i)
		put(k, "old "+k)
		current[k] = put(k, "new "+k)
		k = fmt.Sprintf("one/%03d", i%20)
		current[k] = put(k, "only "+k)
	}
	for i := range 10 {
		k := fmt.Sprintf("gone/%03d", i)
		put(k, "deleted "+k)
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String(bucket),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{
			{ID: aws.String("noncurrent"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
				NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{NoncurrentDays: aws.Int32(1)}},
			{ID: aws.String("markers"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{},
				Expiration: &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}},
		}}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the worker to start removing noncurrent versions", func() bool {
		v, _ := versionCounts(t, c, bucket)
		return v["two"] < 2*keys-8
	})
	srv.kill(t)
	srv = start()
	c = rootS3(srv.testServer)
	v, _ := versionCounts(t, c, bucket)
	if v["two"] == keys || v["two"] == 2*keys {
		t.Fatalf("the kill did not land mid-pass: %d versions of two/", v["two"])
	}
	checkCurrent := func() {
		t.Helper()
		for k, etag := range current {
			out, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)})
			if err != nil || aws.ToString(out.ETag) != etag {
				t.Fatalf("%s's current version: %v (ETag %s, want %s)", k, err, aws.ToString(out.ETag), etag)
			}
		}
	}
	checkCurrent()
	waitFor(t, 90*time.Second, "the next run to finish the job", func() bool {
		v, m := versionCounts(t, c, bucket)
		return v["two"] == keys && v["gone"] == 0 && m["gone"] == 0
	})
	checkCurrent()
	if v, m := versionCounts(t, c, bucket); v["one"] != 20 || len(m) != 0 {
		t.Fatalf("versions %v, markers %v", v, m)
	}
}
