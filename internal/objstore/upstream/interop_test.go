package upstream_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/upstream"
	"github.com/inkan-dev/inkan/internal/testsupport/s3server"
)

var errVerify = errors.New("test: chunk signature mismatch at the end of the body")

// failAtEnd yields data, then fails instead of returning io.EOF, as a
// verifying reader does when the last chunk's signature or checksum is wrong.
type failAtEnd struct{ r io.Reader }

func (f failAtEnd) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, errVerify
	}
	return n, err
}

// kinds are the servers the interoperability tests run against.
var kinds = []s3server.Kind{s3server.SeaweedFS, s3server.Versitygw}

func TestABodyFailingAtItsEndLeavesThePreviousVersionUpstream(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) { bodyFailingAtItsEnd(t, s3server.Shared(t, kind)) })
	}
}

func bodyFailingAtItsEnd(t *testing.T, srv *s3server.Server) {
	b := newBackend(t, srv, upstream.Options{})
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	old := []byte("the previous version")
	if _, err := b.PutObject(ctx, "b", "k", bytes.NewReader(old), int64(len(old)), objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, size := range []int{1, 1000, 100 << 10, 3 << 20} {
		data := make([]byte, size)
		rand.Read(data)
		_, err := b.PutObject(ctx, "b", "k", failAtEnd{bytes.NewReader(data)}, int64(size), objstore.PutOptions{})
		if err != errVerify {
			t.Fatalf("%d bytes: got %v, want the body's own error", size, err)
		}
		got := read(t, b, "b", "k")
		if !bytes.Equal(got, old) {
			t.Errorf("%d bytes: the upstream holds %d other bytes", size, len(got))
		}
	}
}

func TestAPartFailingAtItsEndLeavesThePreviousPartUpstream(t *testing.T) {
	for _, kind := range kinds {
		t.Run(string(kind), func(t *testing.T) { partFailingAtItsEnd(t, s3server.Shared(t, kind)) })
	}
}

func partFailingAtItsEnd(t *testing.T, srv *s3server.Server) {
	b := newBackend(t, srv, upstream.Options{})
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	id, err := b.CreateMultipartUpload(ctx, "b", "k", objstore.ObjectMeta{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	good, err := b.UploadPart(ctx, "b", "k", id, 1, strings.NewReader("good part"), 9, objstore.PartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.UploadPart(ctx, "b", "k", id, 1, failAtEnd{strings.NewReader("bad part!")}, 9, objstore.PartOptions{})
	if err != errVerify {
		t.Fatalf("got %v, want the body's own error", err)
	}
	parts, err := b.ListParts(ctx, "b", "k", id, objstore.ListPartsOptions{MaxParts: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts.Parts) != 1 || parts.Parts[0].ETag != good.ETag {
		t.Fatalf("ListParts = %+v, want only the good part %s", parts.Parts, good.ETag)
	}
}

func TestObjectsWrittenDirectlyUpstreamAndThroughTheBackendAreReadableBothWays(t *testing.T) {
	srv := s3server.Shared(t, s3server.SeaweedFS)
	prefix := randomPrefix()
	b := newBackend(t, srv, upstream.Options{BucketPrefix: prefix})
	ctx := t.Context()
	if err := b.CreateBucket(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	direct := s3sdk.New(s3sdk.Options{Region: s3server.Region, BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(s3server.AccessKeyID, s3server.SecretAccessKey, "")})
	_, err := direct.PutObject(ctx, &s3sdk.PutObjectInput{Bucket: aws.String(prefix + "b"), Key: aws.String("direct"),
		Body: strings.NewReader("written directly"), ContentType: aws.String("text/plain"), Metadata: map[string]string{"who": "sdk"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, b, "b", "direct"); string(got) != "written directly" {
		t.Fatalf("the backend reads %q", got)
	}
	head, err := b.HeadObject(ctx, "b", "direct", "")
	if err != nil || head.Meta.ContentType != "text/plain" || head.Meta.UserMeta["who"] != "sdk" {
		t.Fatalf("HeadObject = %+v, %v", head, err)
	}
	meta := objstore.ObjectMeta{ContentType: "application/json", UserMeta: map[string]string{"who": "inkan"}}
	if _, err := b.PutObject(ctx, "b", "through", strings.NewReader("{}"), 2, objstore.PutOptions{Meta: meta}); err != nil {
		t.Fatal(err)
	}
	out, err := direct.GetObject(ctx, &s3sdk.GetObjectInput{Bucket: aws.String(prefix + "b"), Key: aws.String("through")})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	data, _ := io.ReadAll(out.Body)
	if string(data) != "{}" || aws.ToString(out.ContentType) != "application/json" || out.Metadata["who"] != "inkan" {
		t.Fatalf("the SDK reads %q, %s, %v", data, aws.ToString(out.ContentType), out.Metadata)
	}
}

func TestABucketPrefixIsolatesNamespaces(t *testing.T) {
	srv := s3server.Shared(t, s3server.SeaweedFS)
	one := newBackend(t, srv, upstream.Options{})
	two := newBackend(t, srv, upstream.Options{})
	ctx := t.Context()
	if err := one.CreateBucket(ctx, "shared-name"); err != nil {
		t.Fatal(err)
	}
	if err := two.CreateBucket(ctx, "shared-name"); err != nil {
		t.Fatalf("the second prefix cannot create its own bucket of the same name: %v", err)
	}
	if _, err := one.PutObject(ctx, "shared-name", "k", strings.NewReader("one"), 3, objstore.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := two.HeadObject(ctx, "shared-name", "k", ""); !errors.Is(err, objstore.ErrNoSuchKey) {
		t.Fatalf("the other prefix sees the object: %v", err)
	}
	list, err := two.ListBuckets(ctx)
	if err != nil || len(list) != 1 || list[0].Name != "shared-name" {
		t.Fatalf("ListBuckets = %+v, %v; want only its own bucket, prefix stripped, state bucket hidden", list, err)
	}
}

func read(t *testing.T, b objstore.Backend, bucket, key string) []byte {
	t.Helper()
	obj, err := b.GetObject(t.Context(), bucket, key, objstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
