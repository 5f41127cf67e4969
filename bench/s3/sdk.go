package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// objectClient is how a bench writes and reads objects: its own signed requests (client,
// -client raw) or aws-sdk-go-v2's S3 client (sdkClient, -client sdk).
type objectClient interface {
	// put stores b under key and checks the ETag the server answers.
	put(ctx context.Context, key string, b *body) error
	// get reads the whole of key, in slices of buf, and checks it holds size bytes.
	get(ctx context.Context, key string, size int, buf []byte) error
	// delete removes key.
	delete(ctx context.Context, key string) error
}

// sdkClient sends requests through aws-sdk-go-v2's S3 client with its default checksum
// settings, as deploy jobs built on the SDK send them: a PUT carries a CRC32 of its body
// (RequestChecksumCalculation when supported), and a GET answer that carries
// x-amz-checksum-* is validated against the bytes read (ResponseChecksumValidation when
// supported). Issue 15 measures large objects this way: what a client spends per byte is
// part of what a server's answer costs.
type sdkClient struct {
	c       *s3.Client
	bucket  string
	anyETag bool // accept any ETag (-direct-any-etag)
}

// newSDKClient builds the SDK's client for s, path-style, on the SDK's own default HTTP
// client (its transport's buffer sizes and pooling are part of what a deploy job gets),
// with no retries (an error is counted, not hidden by a retry); conns bounds the idle
// connections it keeps. whenRequired turns the default checksums off on both sides
// (-sdk-checksums when-required): what a client spends on them is then measured by the
// difference between two runs.
func newSDKClient(s *session, conns int, whenRequired bool) *sdkClient {
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.MaxIdleConns, t.MaxIdleConnsPerHost = conns, conns
	})
	cfg := aws.Config{Region: s.region, HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(s.creds.AccessKeyID, s.creds.SecretAccessKey, s.creds.SessionToken)}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(s.endpoint), true
		o.RetryMaxAttempts = 1
		if whenRequired {
			o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		}
	})
	return &sdkClient{c: c, bucket: s.bucket}
}

func (c *sdkClient) put(ctx context.Context, key string, b *body) error {
	out, err := c.c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key),
		Body: bytes.NewReader(b.data), ContentLength: aws.Int64(int64(len(b.data)))})
	if err != nil {
		return err
	}
	if got := aws.ToString(out.ETag); got != b.etag && !c.anyETag {
		return fmt.Errorf("PUT %s: ETag %s, want %s", key, got, b.etag)
	}
	return nil
}

func (c *sdkClient) get(ctx context.Context, key string, size int, buf []byte) error {
	out, err := c.c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key)})
	if err != nil {
		return err
	}
	defer out.Body.Close()
	// The SDK's validating reader reports a checksum mismatch at io.EOF.
	return readBody(key, out.Body, size, buf)
}

func (c *sdkClient) delete(ctx context.Context, key string) error {
	_, err := c.c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(c.bucket), Key: aws.String(key)})
	return err
}
