package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/inkan-dev/inkan/internal/testsupport/s3server"
)

// upstreamObjects is issue 11's object backend as the e2e tests run it: the test binary's
// shared SeaweedFS, under a bucket prefix of the test's own, so that tests sharing the
// server never see each other's buckets.
type upstreamObjects struct {
	srv    *s3server.Server
	prefix string
}

// newUpstreamObjects returns the shared SeaweedFS with a fresh bucket prefix. Without weed
// the test skips, or fails with CI set.
func newUpstreamObjects(t *testing.T) *upstreamObjects {
	t.Helper()
	return &upstreamObjects{srv: s3server.Shared(t, s3server.SeaweedFS), prefix: fmt.Sprintf("e2e%08x-", rand.Uint32())}
}

// options are the flags and environment that put a node's objects upstream: the URL and
// prefix as flags, the upstream's root keys in the environment, as an operator passes them.
func (u *upstreamObjects) options() nodeOptions {
	return nodeOptions{
		args: []string{"--objects", "s3+" + u.srv.Endpoint, "--upstream-bucket-prefix", u.prefix},
		env: []string{"INKAN_UPSTREAM_ACCESS_KEY_ID=" + s3server.AccessKeyID,
			"INKAN_UPSTREAM_SECRET_ACCESS_KEY=" + s3server.SecretAccessKey},
	}
}

// bucket is the upstream name of inkan's bucket name.
func (u *upstreamObjects) bucket(name string) string { return u.prefix + name }

// direct is an aws-sdk-go-v2 S3 client of the upstream itself, with its root keys: what
// an operator sees without inkan.
func (u *upstreamObjects) direct() *s3.Client {
	cfg := aws.Config{Region: s3server.Region, Credentials: credentials.StaticCredentialsProvider{Value: aws.Credentials{
		AccessKeyID: s3server.AccessKeyID, SecretAccessKey: s3server.SecretAccessKey}}}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(u.srv.Endpoint); o.UsePathStyle = true })
}

// listObjects lists every object of bucket under prefix through c, by key.
func listObjects(t *testing.T, c *s3.Client, bucket, prefix string) map[string]types.Object {
	t.Helper()
	objects := map[string]types.Object{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("ListObjectsV2 %s: %v", bucket, err)
		}
		for _, o := range page.Contents {
			objects[aws.ToString(o.Key)] = o
		}
	}
	return objects
}
