package iam

import (
	"context"
	"errors"
	"fmt"

	"github.com/inkan-dev/inkan/internal/store"
)

// Bucket settings are the configuration documents of a bucket other than its policy, named
// by their S3 sub-resource ("cors"…). The wire layer validates a document and owns its
// format; the domain stores it and serves it from the compiled snapshot, so that reading
// one on the request path (a CORS check of every browser request) costs no store round
// trip, and every node sees a change once its snapshot moves to the new generation.

// PutBucketSetting stores the bucket's setting name, replacing any.
func (s *Service) PutBucketSetting(ctx context.Context, bucket, name, doc string) error {
	return s.write(ctx, func() error {
		if err := s.opt.Store.PutBucketSetting(ctx, store.BucketSetting{Bucket: bucket, Name: name, Document: doc}); err != nil {
			return serviceFailure(fmt.Errorf("iam: storing the %s setting of bucket %q: %w", name, bucket, err))
		}
		return nil
	})
}

// BucketSetting returns the bucket's setting name as the current snapshot holds it;
// ok is false when the bucket has none.
func (s *Service) BucketSetting(bucket, name string) (doc string, ok bool) {
	doc, ok = s.snap.Load().bucketSettings[settingKey(bucket, name)]
	return doc, ok
}

// DeleteBucketSetting removes the bucket's setting name; removing one that is not set
// succeeds, as S3's DELETE of a bucket sub-resource does.
func (s *Service) DeleteBucketSetting(ctx context.Context, bucket, name string) error {
	return s.write(ctx, func() error {
		err := s.opt.Store.DeleteBucketSetting(ctx, bucket, name)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return serviceFailure(fmt.Errorf("iam: deleting the %s setting of bucket %q: %w", name, bucket, err))
		}
		return nil
	})
}

// settingKey is the snapshot's key of a bucket's setting; "?" cannot occur in a bucket name.
func settingKey(bucket, name string) string { return bucket + "?" + name }
