package console

import (
	"context"
	"fmt"
	"strings"

	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/store"
)

// simulateSession decides the request of a session the simulated exchange would get: the
// role's inline and managed policies, its boundary and the bucket's policy, with the
// session's tags (the role's, overridden by the provider's claim tags) and claim keys.
func (c *Console) simulateSession(ctx context.Context, role *store.Role, prov explain.Provider, claims map[string]any,
	tagMap []store.ClaimTag, action, resource string) (*explain.Result, error) {
	in := &explain.Permissions{Session: explain.Session{Account: c.o.Domain.Account(), RoleARN: role.ARN, RoleID: role.ID,
		SessionName: "console-simulation", Tags: map[string]string{}, Provider: prov.ARN,
		Federated: explain.SessionClaimKeys(prov.URL, claims, prov.ClientIDs), Issued: c.o.Now()},
		Action: action, Resource: resource, Secure: c.o.Secure, Now: c.o.Now()}
	for _, t := range role.Tags {
		in.Session.Tags[t.Key] = t.Value
	}
	for _, m := range tagMap {
		if v, ok := claims[m.Claim].(string); ok {
			in.Session.Tags[m.Tag] = v
		}
	}
	var err error
	if in.Identity, err = c.identityPolicies(ctx, role.Name); err != nil {
		return nil, err
	}
	if role.PermissionsBoundary != "" {
		b, err := c.o.Domain.GetPolicy(ctx, role.PermissionsBoundary)
		if err != nil {
			return nil, err
		}
		if in.Boundary, err = policy.Parse([]byte(b.Document), policy.Identity); err != nil {
			return nil, fmt.Errorf("boundary %s: %w", b.ARN, err)
		}
	}
	if bucket, ok := strings.CutPrefix(resource, "arn:aws:s3:::"); ok {
		bucket, _, _ = strings.Cut(bucket, "/")
		doc, err := c.o.Domain.GetBucketPolicy(ctx, bucket)
		if err != nil && iam.KindOf(err) != iam.KindNoSuchEntity {
			return nil, err
		}
		if doc != "" {
			if in.ResourcePolicy, err = policy.Parse([]byte(doc), policy.Resource); err != nil {
				return nil, fmt.Errorf("bucket policy of %s: %w", bucket, err)
			}
		}
	}
	return explain.SimulatePermissions(in)
}

// identityPolicies are the role's inline and attached managed policies, parsed.
func (c *Console) identityPolicies(ctx context.Context, role string) ([]*policy.Policy, error) {
	var out []*policy.Policy
	inline, err := c.inlinePolicies(ctx, role)
	if err != nil {
		return nil, err
	}
	for _, rp := range inline {
		p, err := policy.Parse([]byte(rp.Document), policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("inline policy %s: %w", rp.Name, err)
		}
		out = append(out, p)
	}
	managed, err := c.o.Domain.ListAttachedRolePolicies(ctx, role, "")
	if err != nil {
		return nil, err
	}
	for _, m := range managed {
		p, err := policy.Parse([]byte(m.Document), policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("managed policy %s: %w", m.ARN, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// inlinePolicies are the role's inline policies, by name.
func (c *Console) inlinePolicies(ctx context.Context, role string) ([]store.RolePolicy, error) {
	names, err := c.o.Domain.ListRolePolicies(ctx, role)
	if err != nil {
		return nil, err
	}
	out := make([]store.RolePolicy, 0, len(names))
	for _, n := range names {
		p, err := c.o.Domain.GetRolePolicy(ctx, role, n)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
