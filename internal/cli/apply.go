package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/store"
)

// apply converges the server on the resources a configuration file declares, through the
// same validation as the IAM API, so that starting twice with one file changes nothing the
// second time. Declared resources are created or updated; a declared role's inline policies
// and attachments become exactly the declared ones. Resources the file does not mention are
// left alone (they may have been created through the API).
func apply(ctx context.Context, svc *iam.Service, backend objstore.Buckets, d config.Declared) error {
	for i, p := range d.Providers {
		if err := applyProvider(ctx, svc, p); err != nil {
			return fmt.Errorf("providers[%d] (%s): %w", i, p.URL, err)
		}
	}
	for i, p := range d.Policies {
		if err := applyPolicy(ctx, svc, p); err != nil {
			return fmt.Errorf("policies[%d] (%s): %w", i, p.Name, err)
		}
	}
	for i, r := range d.Roles {
		if err := applyRole(ctx, svc, r); err != nil {
			return fmt.Errorf("roles[%d] (%s): %w", i, r.Name, err)
		}
	}
	for i, b := range d.Buckets {
		if err := applyBucket(ctx, svc, backend, b); err != nil {
			return fmt.Errorf("buckets[%d] (%s): %w", i, b.Name, err)
		}
	}
	return nil
}

func isKind(err error, k iam.Kind) bool { return err != nil && iam.KindOf(err) == k }

func tagList(m map[string]string) []store.Tag {
	tags := make([]store.Tag, 0, len(m))
	for k, v := range m {
		tags = append(tags, store.Tag{Key: k, Value: v})
	}
	sort.Slice(tags, func(i, j int) bool { return tags[i].Key < tags[j].Key })
	return tags
}

func claimTagList(m map[string]string) []store.ClaimTag {
	out := make([]store.ClaimTag, 0, len(m))
	for claim, tag := range m {
		out = append(out, store.ClaimTag{Claim: claim, Tag: tag})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Claim < out[j].Claim })
	return out
}

func applyProvider(ctx context.Context, svc *iam.Service, p config.Provider) error {
	arn := svc.ProviderARN(p.URL)
	cur, err := svc.GetOpenIDConnectProvider(ctx, arn)
	if isKind(err, iam.KindNoSuchEntity) {
		_, err = svc.CreateOpenIDConnectProvider(ctx, &iam.CreateProviderInput{URL: p.URL, ClientIDs: p.ClientIDs,
			Thumbprints: p.Thumbprints, Tags: tagList(p.Tags), ClaimTags: claimTagList(p.ClaimTags)})
		return err
	}
	if err != nil {
		return err
	}
	for _, id := range p.ClientIDs {
		if !slices.Contains(cur.ClientIDs, id) {
			if err := svc.AddClientIDToOpenIDConnectProvider(ctx, arn, id); err != nil {
				return err
			}
		}
	}
	for _, id := range cur.ClientIDs {
		if !slices.Contains(p.ClientIDs, id) {
			if err := svc.RemoveClientIDFromOpenIDConnectProvider(ctx, arn, id); err != nil {
				return err
			}
		}
	}
	if !slices.Equal(cur.Thumbprints, p.Thumbprints) && len(p.Thumbprints) > 0 {
		if err := svc.UpdateOpenIDConnectProviderThumbprint(ctx, arn, p.Thumbprints); err != nil {
			return err
		}
	}
	if want := claimTagList(p.ClaimTags); !slices.Equal(cur.ClaimTags, want) {
		if err := svc.SetOpenIDConnectProviderClaimTags(ctx, arn, want); err != nil {
			return err
		}
	}
	if len(p.Tags) > 0 {
		return svc.TagOpenIDConnectProvider(ctx, arn, tagList(p.Tags))
	}
	return nil
}

func applyPolicy(ctx context.Context, svc *iam.Service, p config.Policy) error {
	arn := svc.PolicyARN(p.Path, p.Name)
	_, err := svc.GetPolicy(ctx, arn)
	if isKind(err, iam.KindNoSuchEntity) {
		_, err = svc.CreatePolicy(ctx, &iam.CreatePolicyInput{Name: p.Name, Path: p.Path, Description: p.Description, Document: string(p.Document)})
		return err
	}
	if err != nil {
		return err
	}
	return svc.SetPolicyDocument(ctx, arn, string(p.Document))
}

func applyRole(ctx context.Context, svc *iam.Service, r config.Role) error {
	maxSession := int(time.Duration(r.MaxSessionDuration) / time.Second)
	cur, err := svc.GetRole(ctx, r.Name)
	if isKind(err, iam.KindNoSuchEntity) {
		_, err = svc.CreateRole(ctx, &iam.CreateRoleInput{Name: r.Name, Path: r.Path, TrustPolicy: string(r.TrustPolicy),
			Description: r.Description, MaxSessionDuration: maxSession, Tags: tagList(r.Tags)})
	} else if err == nil {
		err = updateRole(ctx, svc, cur, r, maxSession)
	}
	if err != nil {
		return err
	}
	if err := applyInlinePolicies(ctx, svc, r); err != nil {
		return err
	}
	if err := applyAttachments(ctx, svc, r); err != nil {
		return err
	}
	if r.PermissionsBoundary != "" {
		return svc.PutRolePermissionsBoundary(ctx, r.Name, resolvePolicyARN(svc, r.PermissionsBoundary))
	}
	return nil
}

func updateRole(ctx context.Context, svc *iam.Service, cur store.Role, r config.Role, maxSession int) error {
	if cur.TrustPolicy != string(r.TrustPolicy) {
		if err := svc.UpdateAssumeRolePolicy(ctx, r.Name, string(r.TrustPolicy)); err != nil {
			return err
		}
	}
	desc := r.Description
	if cur.Description != desc || (maxSession != 0 && cur.MaxSessionDuration != maxSession) {
		if err := svc.UpdateRole(ctx, &iam.UpdateRoleInput{Name: r.Name, Description: &desc, MaxSessionDuration: maxSession}); err != nil {
			return err
		}
	}
	if len(r.Tags) > 0 {
		return svc.TagRole(ctx, r.Name, tagList(r.Tags))
	}
	return nil
}

func applyInlinePolicies(ctx context.Context, svc *iam.Service, r config.Role) error {
	names := make([]string, 0, len(r.Policies))
	for name := range r.Policies {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := svc.PutRolePolicy(ctx, r.Name, name, string(r.Policies[name])); err != nil {
			return fmt.Errorf("policy %s: %w", name, err)
		}
	}
	have, err := svc.ListRolePolicies(ctx, r.Name)
	if err != nil {
		return err
	}
	for _, name := range have {
		if _, declared := r.Policies[name]; !declared {
			if err := svc.DeleteRolePolicy(ctx, r.Name, name); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolvePolicyARN accepts a managed policy's ARN or its name (at path /).
func resolvePolicyARN(svc *iam.Service, nameOrARN string) string {
	if len(nameOrARN) > 4 && nameOrARN[:4] == "arn:" {
		return nameOrARN
	}
	return svc.PolicyARN("/", nameOrARN)
}

func applyAttachments(ctx context.Context, svc *iam.Service, r config.Role) error {
	want := map[string]bool{}
	for _, p := range r.ManagedPolicies {
		arn := resolvePolicyARN(svc, p)
		want[arn] = true
		if err := svc.AttachRolePolicy(ctx, r.Name, arn); err != nil {
			return err
		}
	}
	have, err := svc.ListAttachedRolePolicies(ctx, r.Name, "")
	if err != nil {
		return err
	}
	for _, p := range have {
		if !want[p.ARN] {
			if err := svc.DetachRolePolicy(ctx, r.Name, p.ARN); err != nil {
				return err
			}
		}
	}
	return nil
}

func applyBucket(ctx context.Context, svc *iam.Service, backend objstore.Buckets, b config.Bucket) error {
	if err := backend.CreateBucket(ctx, b.Name); err != nil && !errors.Is(err, objstore.ErrBucketExists) {
		return err
	}
	if b.Policy == "" {
		return nil
	}
	return svc.PutBucketPolicy(ctx, b.Name, string(b.Policy))
}
