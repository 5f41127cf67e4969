package iam

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// countingStore counts bucket policy reads and can fail them, to show that authorizing
// never reads them.
type countingStore struct {
	store.Store
	reads atomic.Int32
	fail  atomic.Bool
}

func (c *countingStore) GetBucketPolicy(ctx context.Context, bucket string) (store.BucketPolicy, error) {
	c.reads.Add(1)
	if c.fail.Load() {
		return store.BucketPolicy{}, errors.New("disk on fire")
	}
	return c.Store.GetBucketPolicy(ctx, bucket)
}

// bucketPolicyService is the package's CRUD test service with its store wrapped for counting.
func bucketPolicyService(t *testing.T) (*Service, *countingStore) {
	t.Helper()
	var cs *countingStore
	s, _ := newCRUDService(t, func(o *Options) {
		cs = &countingStore{Store: o.Store}
		o.Store = cs
	})
	return s, cs
}

const publicRead = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/pub/*"}]}`

func TestBucketPoliciesAreValidatedAsS3ValidatesThem(t *testing.T) {
	s, _ := bucketPolicyService(t)
	ctx := context.Background()
	cases := []struct {
		name, doc, message string
	}{
		{"not JSON", `{"Version":`, ""},
		{"no principal", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`, "Missing required field Principal"},
		{"another bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other/*"}]}`, "Policy has invalid resource"},
		{"a prefix of the bucket's name", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::dat*"}]}`, "Policy has invalid resource"},
		{"every bucket", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "Policy has invalid resource"},
		{"another bucket under NotResource", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","NotResource":"arn:aws:s3:::other/*"}]}`, "Policy has invalid resource"},
		{"an IAM action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"iam:PassRole","Resource":"arn:aws:s3:::data"}]}`, "Policy has invalid action"},
	}
	for _, c := range cases {
		err := s.PutBucketPolicy(ctx, "data", c.doc)
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindMalformedPolicy {
			t.Errorf("%s: %v, want KindMalformedPolicy", c.name, err)
			continue
		}
		if c.message != "" && e.Message != c.message {
			t.Errorf("%s: message %q, want %q", c.name, e.Message, c.message)
		}
	}
	for _, ok := range []string{
		publicRead,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"*","Resource":["arn:aws:s3:::data","arn:aws:s3:::data/*"]}]}`,
	} {
		if err := s.PutBucketPolicy(ctx, "data", ok); err != nil {
			t.Errorf("valid policy refused: %v", err)
		}
	}
}

func TestBucketPoliciesArePutReadAndDeleted(t *testing.T) {
	s, _ := bucketPolicyService(t)
	ctx := context.Background()
	if _, err := s.GetBucketPolicy(ctx, "data"); KindOf(err) != KindNoSuchEntity {
		t.Fatalf("GetBucketPolicy of none: %v", err)
	}
	if err := s.DeleteBucketPolicy(ctx, "data"); KindOf(err) != KindNoSuchEntity {
		t.Fatalf("DeleteBucketPolicy of none: %v", err)
	}
	if err := s.PutBucketPolicy(ctx, "data", publicRead); err != nil {
		t.Fatal(err)
	}
	doc, err := s.GetBucketPolicy(ctx, "data")
	if err != nil || doc != publicRead {
		t.Fatalf("GetBucketPolicy: %q, %v; want the document as put", doc, err)
	}
	if err := s.DeleteBucketPolicy(ctx, "data"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetBucketPolicy(ctx, "data"); KindOf(err) != KindNoSuchEntity {
		t.Fatalf("GetBucketPolicy after delete: %v", err)
	}
}

func TestTheBucketPolicyCacheCompilesOncePerGenerationWithoutReadingTheStore(t *testing.T) {
	s, cs := bucketPolicyService(t)
	ctx := context.Background()
	c := NewBucketPolicyCache(s)
	for i := 0; i < 3; i++ {
		if p, err := c.BucketPolicy(ctx, "data"); p != nil || err != nil {
			t.Fatalf("policy of a bucket without one: %v, %v", p, err)
		}
	}
	if err := s.PutBucketPolicy(ctx, "data", publicRead); err != nil {
		t.Fatal(err)
	}
	p, err := c.BucketPolicy(ctx, "data")
	if err != nil || p == nil {
		t.Fatalf("after a put, the cache still answers the old generation: %v, %v", p, err)
	}
	if again, _ := c.BucketPolicy(ctx, "data"); again != p {
		t.Fatal("a second lookup in one generation compiled the policy again")
	}
	if err := s.DeleteBucketPolicy(ctx, "data"); err != nil {
		t.Fatal(err)
	}
	if p, err := c.BucketPolicy(ctx, "data"); p != nil || err != nil {
		t.Fatalf("after a delete: %v, %v", p, err)
	}
	if n := cs.reads.Load(); n != 0 {
		t.Fatalf("%d store reads of bucket policies by the cache, want none: the snapshot holds them", n)
	}
}

func TestConcurrentMissesShareOneCompilationAndGoOnWithTheStoreDown(t *testing.T) {
	s, cs := bucketPolicyService(t)
	ctx := context.Background()
	if err := s.PutBucketPolicy(ctx, "data", publicRead); err != nil {
		t.Fatal(err)
	}
	c := NewBucketPolicyCache(s)
	cs.fail.Store(true)
	var wg sync.WaitGroup
	results := make([]*policy.Policy, 8)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := c.BucketPolicy(ctx, "data")
			if err != nil {
				t.Error(err)
			}
			results[i] = p
		}()
	}
	wg.Wait()
	for _, p := range results {
		if p == nil || p != results[0] {
			t.Fatal("concurrent callers got different policies")
		}
	}
}

func TestAStoredBucketPolicyThatNoLongerCompilesRefuses(t *testing.T) {
	s, cs := bucketPolicyService(t)
	ctx := context.Background()
	// Written by another version, say: the store takes any text.
	if err := cs.Store.PutBucketPolicy(ctx, store.BucketPolicy{Bucket: "data", Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}`}); err != nil {
		t.Fatal(err)
	}
	if err := s.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	p, err := NewBucketPolicyCache(s).BucketPolicy(ctx, "data")
	if err == nil || p != nil {
		t.Fatalf("a broken stored policy: %v, %v; want an error so that requests are refused", p, err)
	}
}

func TestAnonymousCallersAreAllowedOnlyByAStarPrincipal(t *testing.T) {
	s, _ := bucketPolicyService(t)
	ctx := context.Background()
	parse := func(doc string) *policy.Policy {
		p, err := policy.Parse([]byte(doc), policy.Resource)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	req := func(bp *policy.Policy, key string) *AccessRequest {
		return &AccessRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::data/" + key, ResourcePolicy: bp}
	}
	if err := s.AuthorizeAnonymous(ctx, req(nil, "pub/a")); KindOf(err) != KindAccessDenied {
		t.Errorf("no bucket policy: %v", err)
	}
	star := parse(publicRead)
	if err := s.AuthorizeAnonymous(ctx, req(star, "pub/a")); err != nil {
		t.Errorf("Principal * on pub/*: %v", err)
	}
	if err := s.AuthorizeAnonymous(ctx, req(star, "private/a")); KindOf(err) != KindAccessDenied {
		t.Errorf("outside pub/*: %v", err)
	}
	account := parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`)
	if err := s.AuthorizeAnonymous(ctx, req(account, "pub/a")); KindOf(err) != KindAccessDenied {
		t.Errorf("a statement naming the account let an anonymous caller in: %v", err)
	}
	notPrincipal := parse(`{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"},
	 {"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*"}]}`)
	if err := s.AuthorizeAnonymous(ctx, req(notPrincipal, "pub/a")); KindOf(err) != KindAccessDenied {
		t.Errorf("a Deny with NotPrincipal did not apply to an anonymous caller: %v", err)
	}
	cond := parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::data/*",
	  "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]}`)
	in := req(cond, "a")
	in.Keys = policy.Keys{"aws:sourceip": {"10.1.2.3"}}
	if err := s.AuthorizeAnonymous(ctx, in); err != nil {
		t.Errorf("an anonymous caller from an allowed network: %v", err)
	}
	in.Keys = policy.Keys{"aws:sourceip": {"192.0.2.1"}}
	if err := s.AuthorizeAnonymous(ctx, in); KindOf(err) != KindAccessDenied {
		t.Errorf("an anonymous caller from elsewhere: %v", err)
	}
}
