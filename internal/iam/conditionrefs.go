package iam

import "github.com/inkan-dev/inkan/internal/policy"

// UsesConditionKey reports whether any policy that decides p's requests under bucketPolicy
// (p nil: an anonymous caller) names a condition key or policy variable starting with prefix
// (policy.References). The S3 endpoint asks it before reading the values of a key that
// costs a read of the object store (s3:ExistingObjectTag/<key>). It answers true whenever
// it cannot tell, so that the values are read and the decision is the full one.
func (s *Service) UsesConditionKey(p *Principal, bucketPolicy *policy.Policy, prefix string) bool {
	if bucketPolicy != nil && bucketPolicy.References(prefix) {
		return true
	}
	if p == nil || p.Root {
		return false // anonymous callers and root answer to the bucket policy alone
	}
	set, _, err := s.sessionSet(s.snap.Load(), p)
	if err != nil {
		return true
	}
	for _, group := range [][]*policy.Policy{set.Identity, set.Session, {set.Boundary}} {
		for _, pol := range group {
			if pol != nil && pol.References(prefix) {
				return true
			}
		}
	}
	return false
}
