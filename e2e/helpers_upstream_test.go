package e2e

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// nodeOptions are the flags and environment that put a cluster node's objects on b: the
// URL and prefix as flags, the upstream's root keys in the environment, as an operator
// passes them.
func (b objectBackend) nodeOptions() nodeOptions {
	var env []string
	for k, v := range b.env() {
		env = append(env, k+"="+v)
	}
	return nodeOptions{args: b.args(), env: env}
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
