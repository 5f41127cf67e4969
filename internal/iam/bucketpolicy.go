package iam

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// PutBucketPolicy validates doc as the resource policy of bucket and stores it, replacing
// any. The document must parse as a resource policy (a Principal in every statement), name
// only S3 actions, and name only the bucket and its objects as resources; otherwise the
// error is KindMalformedPolicy with S3's message. Whether the bucket exists is the
// caller's to check.
func (s *Service) PutBucketPolicy(ctx context.Context, bucket, doc string) error {
	if err := ValidateBucketPolicy(bucket, doc); err != nil {
		return err
	}
	return s.write(ctx, func() error {
		if err := s.opt.Store.PutBucketPolicy(ctx, store.BucketPolicy{Bucket: bucket, Document: doc}); err != nil {
			return serviceFailure(fmt.Errorf("iam: storing the policy of bucket %q: %w", bucket, err))
		}
		return nil
	})
}

// ValidateBucketPolicy returns the KindMalformedPolicy error PutBucketPolicy would answer
// for doc as bucket's policy, nil when it would store it.
func ValidateBucketPolicy(bucket, doc string) error {
	p, err := policy.Parse([]byte(doc), policy.Resource)
	if err != nil {
		return &Error{Kind: KindMalformedPolicy, Message: malformedBucketPolicyMessage(err), Reason: err.Error(), Err: err}
	}
	return checkBucketPolicy(p, bucket)
}

// malformedBucketPolicyMessage words a parse failure as S3 does for the common cases.
func malformedBucketPolicyMessage(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "Principal"):
		return "Missing required field Principal"
	case strings.Contains(msg, "JSON"), strings.Contains(msg, "json"):
		return "Policies must be valid JSON and the first byte must be '{'"
	}
	return "Policy has invalid element: " + msg
}

// checkBucketPolicy applies S3's rules beyond the grammar: actions are S3 actions ("*" and
// "s3:…", NotAction included) and resources are the bucket or its objects (NotResource
// included), so a bucket policy can never speak for another bucket.
func checkBucketPolicy(p *policy.Policy, bucket string) error {
	bucketARN := "arn:aws:s3:::" + bucket
	for _, st := range p.Statements() {
		actions, _ := st.Actions()
		for _, a := range actions {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
				return bucketPolicyError("Policy has invalid action", fmt.Sprintf("%s names action %q, which is not an S3 action", st.Path(), a))
			}
		}
		resources, _, _ := st.Resources()
		for _, r := range resources {
			if r != bucketARN && !strings.HasPrefix(r, bucketARN+"/") {
				return bucketPolicyError("Policy has invalid resource", fmt.Sprintf("%s names resource %q, which is not bucket %s or one of its objects", st.Path(), r, bucket))
			}
		}
	}
	return nil
}

func bucketPolicyError(msg, reason string) *Error {
	return &Error{Kind: KindMalformedPolicy, Message: msg, Reason: reason}
}

// GetBucketPolicy returns the bucket's policy document as it was put; KindNoSuchEntity
// when the bucket has none.
func (s *Service) GetBucketPolicy(ctx context.Context, bucket string) (string, error) {
	bp, err := s.opt.Store.GetBucketPolicy(ctx, bucket)
	if errors.Is(err, store.ErrNotFound) {
		return "", noBucketPolicy(bucket)
	}
	if err != nil {
		return "", serviceFailure(fmt.Errorf("iam: reading the policy of bucket %q: %w", bucket, err))
	}
	return bp.Document, nil
}

func noBucketPolicy(bucket string) *Error {
	return &Error{Kind: KindNoSuchEntity, Message: "The bucket policy does not exist", Reason: "bucket " + bucket + " has no policy"}
}

// DeleteBucketPolicy removes the bucket's policy; KindNoSuchEntity when it has none (S3
// answers that as success; the wire layer decides).
func (s *Service) DeleteBucketPolicy(ctx context.Context, bucket string) error {
	return s.write(ctx, func() error {
		err := s.opt.Store.DeleteBucketPolicy(ctx, bucket)
		if errors.Is(err, store.ErrNotFound) {
			return noBucketPolicy(bucket)
		}
		if err != nil {
			return serviceFailure(fmt.Errorf("iam: deleting the policy of bucket %q: %w", bucket, err))
		}
		return nil
	})
}

// AuthorizeAnonymous decides an unsigned request. Only a resource policy can allow it,
// through a statement whose principal is "*" (or {"AWS": "*"}): there is no identity to
// hold identity policies. A denial is a *Error of KindAccessDenied carrying the trace.
func (s *Service) AuthorizeAnonymous(_ context.Context, req *AccessRequest) error {
	keys := policy.Keys{}
	for k, v := range req.Keys {
		keys[k] = v
	}
	timeKeys(keys, s.opt.Now())
	preq := &policy.Request{Principal: anonymousPrincipal(), Action: req.Action, Resource: req.Resource, Context: keys}
	if ok, reason, tr := evaluate(preq, &policy.Set{Resource: req.ResourcePolicy}); !ok {
		s.observe(req.Action, "deny")
		if req.ResourcePolicy == nil {
			reason = "anonymous requests need a bucket policy that allows them, and there is none"
		}
		return &Error{Kind: KindAccessDenied, Message: "Access Denied", Reason: "anonymous caller: " + reason, Trace: tr}
	}
	s.observe(req.Action, "allow")
	return nil
}

// anonymousPrincipal is how resource policies see an unsigned caller: no name and no
// account, so only "*" (or {"AWS": "*"}) matches it, and no NotPrincipal exempts it.
func anonymousPrincipal() policy.Principal {
	return policy.Principal{Type: "AWS"}
}

// maxCachedBucketPolicies bounds BucketPolicyCache: misses for buckets without a policy
// are cached too, and a caller can name as many buckets as it likes.
const maxCachedBucketPolicies = 4096

// BucketPolicyCache serves compiled bucket policies to the S3 endpoint, each compiled once
// per configuration generation from the documents of the snapshot the Service holds (so
// authorizing an S3 request never reads the store, and goes on while it is unreachable):
// any write through the Service (or a Refresh that sees another node's write) starts a new
// generation and empties it. Concurrent misses for one bucket share one compilation. Safe
// for concurrent use.
type BucketPolicyCache struct {
	svc *Service
	mu  sync.Mutex
	gen int64
	m   map[string]*cachedBucketPolicy
}

type cachedBucketPolicy struct {
	ready chan struct{}
	p     *policy.Policy
	err   error
}

// NewBucketPolicyCache returns an empty cache over s.
func NewBucketPolicyCache(s *Service) *BucketPolicyCache {
	return &BucketPolicyCache{svc: s, m: map[string]*cachedBucketPolicy{}}
}

// BucketPolicy returns the bucket's compiled policy, or nil when it has none. A stored
// document that no longer compiles is an error (KindMalformedPolicy): the caller must refuse
// rather than decide without the policy, which might deny.
func (c *BucketPolicyCache) BucketPolicy(ctx context.Context, bucket string) (*policy.Policy, error) {
	e, snap, leader := c.entry(bucket)
	if leader {
		e.p, e.err = c.svc.compileBucketPolicy(snap, bucket)
		close(e.ready)
		return e.p, e.err
	}
	select {
	case <-e.ready:
		return e.p, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// entry returns the bucket's cache entry for the current snapshot, the snapshot, and
// whether the caller must fill the entry from it.
func (c *BucketPolicyCache) entry(bucket string) (*cachedBucketPolicy, *snapshot, bool) {
	snap := c.svc.snap.Load()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != snap.generation || len(c.m) >= maxCachedBucketPolicies {
		c.gen, c.m = snap.generation, map[string]*cachedBucketPolicy{}
	}
	if e, ok := c.m[bucket]; ok {
		return e, snap, false
	}
	e := &cachedBucketPolicy{ready: make(chan struct{})}
	c.m[bucket] = e
	return e, snap, true
}

// compileBucketPolicy compiles the bucket's policy as snap holds it; nil when it has none.
func (s *Service) compileBucketPolicy(snap *snapshot, bucket string) (*policy.Policy, error) {
	doc, ok := snap.bucketPolicies[bucket]
	if !ok {
		return nil, nil
	}
	p, err := policy.Parse([]byte(doc), policy.Resource)
	if err != nil {
		s.opt.Logger.Error("stored bucket policy does not compile; requests to the bucket are refused", "bucket", bucket, "err", err)
		return nil, &Error{Kind: KindMalformedPolicy, Message: "Access Denied",
			Reason: "the stored policy of bucket " + bucket + " no longer compiles: " + err.Error(), Err: err}
	}
	return p, nil
}
