package iam

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// SetPolicyDocument replaces the default version of a managed policy with doc, as
// CreatePolicyVersion with SetAsDefault does (inkan keeps the default version only): the
// version id moves on (v1 → v2). The declarative configuration uses it to converge a policy
// whose document changed. KindNoSuchEntity if the policy does not exist.
func (s *Service) SetPolicyDocument(ctx context.Context, arn, doc string) error {
	p, perr := parseDocument(doc, "policyDocument", policy.Identity)
	if perr != nil {
		return perr
	}
	if p.Size() > maxManagedSize {
		return errorf(KindLimitExceeded, "Cannot exceed quota for PolicySize: %d", maxManagedSize)
	}
	now := s.opt.Now().UTC()
	return s.write(ctx, func() error {
		err := s.opt.Store.UpdateManagedPolicy(ctx, arn, func(m *store.ManagedPolicy) error {
			if m.Document == doc {
				return errUnchanged
			}
			m.Document, m.UpdateDate = doc, now
			n, _ := strconv.Atoi(strings.TrimPrefix(m.DefaultVersionID, "v"))
			m.DefaultVersionID = "v" + strconv.Itoa(n+1)
			return nil
		})
		if errors.Is(err, errUnchanged) {
			return nil
		}
		return storeError(err, policyNotFound(arn), nil, nil)
	})
}

// errUnchanged ends an update that has nothing to write.
var errUnchanged = errors.New("unchanged")
