package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/inkan-dev/inkan/internal/testsupport/s3server"
)

// objectBackend is where a test's inkan server keeps its objects: its own data directory
// (local), or the package's shared SeaweedFS under a bucket prefix of the test's own, so
// that tests sharing the server never see each other's buckets.
type objectBackend struct {
	name     string
	upstream *s3server.Server // nil for local
	prefix   string
}

// eachBackend runs f as one subtest per object backend: local, then SeaweedFS (started
// once per package run). Without CI a missing weed binary skips the SeaweedFS subtest.
func eachBackend(t *testing.T, f func(t *testing.T, b objectBackend)) {
	t.Helper()
	t.Run("local", func(t *testing.T) { f(t, objectBackend{name: "local"}) })
	t.Run("seaweedfs", func(t *testing.T) { f(t, sharedSeaweed(t)) })
}

// sharedSeaweed is the package's shared SeaweedFS under a fresh bucket prefix. Without weed
// the test skips, or fails with CI set.
func sharedSeaweed(t *testing.T) objectBackend {
	t.Helper()
	return seaweedBackend(t, s3server.Shared(t, s3server.SeaweedFS))
}

// seaweedBackend is srv under a fresh random bucket prefix.
func seaweedBackend(t *testing.T, srv *s3server.Server) objectBackend {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return objectBackend{name: "seaweedfs", upstream: srv, prefix: "e2e" + hex.EncodeToString(b[:]) + "-"}
}

// fresh is b under a new bucket prefix, for one more server of the same test.
func (b objectBackend) fresh(t *testing.T) objectBackend {
	if b.upstream == nil {
		return b
	}
	return seaweedBackend(t, b.upstream)
}

// args are the serve flags that select the backend.
func (b objectBackend) args() []string {
	if b.upstream == nil {
		return nil
	}
	return []string{"--objects", "s3+" + b.upstream.Endpoint, "--upstream-bucket-prefix", b.prefix}
}

// env holds the upstream's keys, which inkan reads from its environment only.
func (b objectBackend) env() map[string]string {
	if b.upstream == nil {
		return nil
	}
	return map[string]string{"INKAN_UPSTREAM_ACCESS_KEY_ID": s3server.AccessKeyID, "INKAN_UPSTREAM_SECRET_ACCESS_KEY": s3server.SecretAccessKey}
}

// start starts an in-process inkan server on the backend.
func (b objectBackend) start(t testing.TB, args ...string) *testServer {
	t.Helper()
	return startServerEnv(t, b.env(), append(b.args(), args...)...)
}

// bucket is the upstream's name of inkan's bucket.
func (b objectBackend) bucket(name string) string { return b.prefix + name }

// direct is an aws-sdk-go-v2 client of the upstream itself, signed with its root keys:
// what another client of the store sees, without inkan in between.
func (b objectBackend) direct() *s3.Client {
	cfg := aws.Config{Region: s3server.Region, Credentials: credentials.NewStaticCredentialsProvider(s3server.AccessKeyID, s3server.SecretAccessKey, "")}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(b.upstream.Endpoint); o.UsePathStyle = true })
}

// directObjects lists the upstream bucket of inkan's bucket with the upstream's own keys:
// key to size, every key, inkan's own records included.
func (b objectBackend) directObjects(t *testing.T, bucket string) map[string]int64 {
	t.Helper()
	objects := map[string]int64{}
	p := s3.NewListObjectsV2Paginator(b.direct(), &s3.ListObjectsV2Input{Bucket: aws.String(b.bucket(bucket))})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("listing upstream bucket %s directly: %v", b.bucket(bucket), err)
		}
		for _, o := range page.Contents {
			objects[aws.ToString(o.Key)] = aws.ToInt64(o.Size)
		}
	}
	return objects
}
