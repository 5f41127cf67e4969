package upstream_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/objstoretest"
	"github.com/inkan-dev/inkan/internal/objstore/upstream"
	"github.com/inkan-dev/inkan/internal/testsupport/s3server"
)

func TestMain(m *testing.M) { s3server.Main(m) }

func TestTheConformanceSuitePassesAgainstSeaweedFS(t *testing.T) {
	srv := s3server.Shared(t, s3server.SeaweedFS)
	objstoretest.Run(t, func(t *testing.T) objstore.Backend { return newBackend(t, srv, upstream.Options{}) },
		objstoretest.Except("a suspended bucket replaces the null version and keeps the others",
			"SeaweedFS (pinned build 7506e5f9) lists a key's null version after its older versions, and a DELETE of "+
				"versionId=null in a suspended bucket does not remove it (docs/upstream.md); the case runs against versitygw and localfs"))
}

func TestTheConformanceSuitePassesAgainstVersitygw(t *testing.T) {
	srv := s3server.Shared(t, s3server.Versitygw)
	objstoretest.Run(t, func(t *testing.T) objstore.Backend { return newBackend(t, srv, upstream.Options{}) },
		objstoretest.Except("a delete in an enabled bucket adds a delete marker that a delete by id removes",
			"versitygw v1.8.0 answers a HEAD of a key whose current version is a delete marker with a bare 404, "+
				"without x-amz-delete-marker (docs/upstream.md); the case runs against SeaweedFS and localfs"),
		objstoretest.Except("a suspended bucket replaces the null version and keeps the others",
			"versitygw v1.8.0 answers a HEAD of a key whose current version is a delete marker with a bare 404, "+
				"without x-amz-delete-marker (docs/upstream.md); the case runs against localfs"),
		objstoretest.Except("a delete in an enabled bucket of a key without versions adds a delete marker",
			"versitygw v1.8.0 adds no delete marker for a key that has no version, as S3 does (docs/upstream.md); "+
				"the case runs against SeaweedFS and localfs"),
		objstoretest.Except("deleting the current version by id makes the previous one current",
			"versitygw v1.8.0 answers a DELETE of a version id it has already removed with 400 InvalidArgument "+
				"where S3 answers 204 (docs/upstream.md); the case runs against SeaweedFS and localfs"),
		objstoretest.Except("concurrent writers of one key leave exactly one writer's bytes, and readers never see a mix",
			"versitygw v1.8.0 (posix) does not replace an object atomically for readers: about one run in three, a GET "+
				"during concurrent PUTs of one key returned bytes of no single writer under another version's ETag "+
				"(docs/upstream.md); the case runs against SeaweedFS and localfs"))
}

// rootCredentials are the server's root keys.
var rootCredentials = upstream.StaticCredentials{AccessKeyID: s3server.AccessKeyID, SecretAccessKey: s3server.SecretAccessKey}

// newBackend returns a backend on srv in a fresh namespace: a random bucket
// prefix, whose buckets (the state bucket included) are deleted at cleanup.
// o's Endpoint, BucketPrefix and Credentials are filled in when empty.
func newBackend(t testing.TB, srv *s3server.Server, o upstream.Options) *upstream.Backend {
	t.Helper()
	if o.Endpoint == "" {
		o.Endpoint = srv.Endpoint
	}
	if o.BucketPrefix == "" {
		o.BucketPrefix = randomPrefix()
	}
	if o.Credentials == nil {
		o.Credentials = rootCredentials
	}
	b, err := upstream.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { purge(t, srv, o.BucketPrefix) })
	return b
}

func randomPrefix() string {
	var r [5]byte
	rand.Read(r[:])
	return "t" + hex.EncodeToString(r[:]) + "-"
}

// purge deletes every upstream bucket whose name starts with prefix, with
// its objects and uploads.
func purge(t testing.TB, srv *s3server.Server, prefix string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	root, err := upstream.New(upstream.Options{Endpoint: srv.Endpoint, Credentials: rootCredentials,
		StateBucket: "inkan-purge-state", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	buckets, err := root.ListBuckets(ctx)
	if err != nil {
		t.Errorf("purge: %v", err)
		return
	}
	for _, bk := range buckets {
		if !strings.HasPrefix(bk.Name, prefix) {
			continue
		}
		if err := emptyBucket(ctx, root, bk.Name); err != nil {
			t.Errorf("purge %s: %v", bk.Name, err)
			continue
		}
		if err := root.DeleteBucket(ctx, bk.Name); err != nil && !errors.Is(err, objstore.ErrNoSuchBucket) {
			t.Errorf("purge %s: %v", bk.Name, err)
		}
	}
}

func emptyBucket(ctx context.Context, b objstore.Backend, bucket string) error {
	for {
		page, err := b.ListObjects(ctx, bucket, objstore.ListOptions{MaxKeys: 1000})
		if err != nil {
			return err
		}
		for _, o := range page.Objects {
			if _, err := b.DeleteObject(ctx, bucket, o.Key, objstore.DeleteOptions{}); err != nil {
				return err
			}
		}
		if len(page.Objects) == 0 {
			return emptyVersions(ctx, b, bucket)
		}
	}
}

// emptyVersions deletes every version and delete marker a versioned bucket
// keeps after its objects were deleted, in a bounded number of rounds.
func emptyVersions(ctx context.Context, b objstore.Backend, bucket string) error {
	for range 20 {
		page, err := b.ListObjectVersions(ctx, bucket, objstore.ListVersionsOptions{MaxKeys: 1000})
		if err != nil || len(page.Versions) == 0 {
			return err
		}
		for _, v := range page.Versions {
			if _, err := b.DeleteObject(ctx, bucket, v.Key, objstore.DeleteOptions{VersionID: v.VersionID}); err != nil {
				return err
			}
		}
	}
	return errors.New("versions remain after 20 rounds of deletes")
}
