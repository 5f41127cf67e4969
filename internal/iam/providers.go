package iam

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/store"
)

// CreateProviderInput is CreateOpenIDConnectProvider's request.
type CreateProviderInput struct {
	// URL is the issuer, exactly as tokens carry it in iss.
	URL         string
	ClientIDs   []string
	Thumbprints []string
	Tags        []store.Tag
	// ClaimTags is inkan's claim-to-session-tag mapping (no AWS equivalent, so the IAM query
	// API never sets it; the declarative configuration does, here or with
	// SetOpenIDConnectProviderClaimTags).
	ClaimTags []store.ClaimTag
}

const (
	providerTagQuota = "TagsPerOpenIdConnectProvider"
	clientIDQuota    = "ClientIdsPerOpenIdConnectProvider"
)

// ProviderARN is the ARN IAM gives the provider of an issuer URL:
// arn:aws:iam::<account>:oidc-provider/<URL without scheme, path kept>. A trailing slash is
// dropped, so that "https://idp.example/" and "https://idp.example" cannot both be
// registered (UNCONFIRMED: AWS's handling of a trailing slash; the condition-key prefix
// drops it too).
func (s *Service) ProviderARN(url string) string {
	host := strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
	return "arn:aws:iam::" + s.opt.Account + ":oidc-provider/" + strings.TrimRight(host, "/")
}

// CreateOpenIDConnectProvider registers an OIDC issuer (reference §3.2–3.3) and returns it
// as stored. Errors: KindValidation / KindInvalidInput for a parameter AWS would refuse,
// KindEntityAlreadyExists when the URL (or its ARN) is registered, KindLimitExceeded past
// 100 providers or 100 client IDs.
//
// inkan requires at least one client ID (AWS allows none): a provider without one can
// accept no token, so creating it is refused rather than left silently useless.
func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, in *CreateProviderInput) (store.Provider, error) {
	if err := checkLength(in.URL, "url", 1, maxProviderURLLen); err != nil {
		return store.Provider{}, err
	}
	if err := s.checkProvider(in.URL, in.ClientIDs, in.Thumbprints); err != nil {
		return store.Provider{}, err
	}
	if err := checkTags(in.Tags); err != nil {
		return store.Provider{}, err
	}
	if err := checkClaimTags(in.ClaimTags); err != nil {
		return store.Provider{}, err
	}
	p := store.Provider{ARN: s.ProviderARN(in.URL), URL: in.URL, ClientIDs: slices.Clone(in.ClientIDs),
		Thumbprints: slices.Clone(in.Thumbprints), Tags: store.SortedTags(in.Tags), ClaimTags: slices.Clone(in.ClaimTags),
		CreateDate: s.opt.Now().UTC()}
	err := s.write(ctx, func() error {
		all, err := s.opt.Store.ListProviders(ctx)
		if err := underQuota(len(all), err, "OpenIdConnectProvidersPerAccount", maxProviders); err != nil {
			return err
		}
		exists := errorf(KindEntityAlreadyExists, "Provider with url %s already exists.", in.URL)
		return storeError(s.opt.Store.CreateProvider(ctx, p), nil, exists, nil)
	})
	if err != nil {
		return store.Provider{}, err
	}
	return s.GetOpenIDConnectProvider(ctx, p.ARN)
}

// checkProvider applies IAM's rules for client IDs and thumbprints, in IAM's words, then the
// issuer rules of oidc.Provider.Validate (https only, or http on a loopback host when
// Options.InsecureAllowHTTPLoopbackIssuers; no query, fragment or user info).
func (s *Service) checkProvider(url string, clientIDs, thumbprints []string) *Error {
	if len(clientIDs) == 0 {
		return errorf(KindInvalidInput, "At least one client ID is required: a provider without one accepts no token.")
	}
	if len(clientIDs) > maxClientIDs {
		return quotaExceeded(clientIDQuota, maxClientIDs)
	}
	for i, id := range clientIDs {
		if err := checkLength(id, "clientIDList."+strconv.Itoa(i+1)+".member", 1, maxClientIDLen); err != nil {
			return err
		}
	}
	if err := checkThumbprints(thumbprints); err != nil {
		return err
	}
	op := oidc.Provider{URL: url, ClientIDs: clientIDs, Thumbprints: thumbprints}
	if err := op.Validate(s.opt.InsecureAllowHTTPLoopbackIssuers); err != nil {
		msg := "Invalid Open ID Connect Provider URL."
		if !strings.HasPrefix(url, "https://") && !strings.HasPrefix(url, "http://") {
			msg = "Invalid Open ID Connect Provider URL. The URL must begin with https://."
		} else if strings.HasPrefix(url, "http://") && !s.opt.InsecureAllowHTTPLoopbackIssuers {
			msg = "Invalid Open ID Connect Provider URL. The URL must begin with https://."
		}
		return &Error{Kind: KindInvalidInput, Message: msg, Reason: err.Error(), Err: err}
	}
	return nil
}

// checkThumbprints: at most 5, each 40 hexadecimal digits (the hex rule is inkan's: IAM's
// model checks only the length; a thumbprint that is not hex can never match).
func checkThumbprints(thumbprints []string) *Error {
	if len(thumbprints) > maxThumbprints {
		return errorf(KindInvalidInput, "Thumbprint list must contain fewer than %d entries.", maxThumbprints)
	}
	for i, t := range thumbprints {
		field := "thumbprintList." + strconv.Itoa(i+1) + ".member"
		if err := checkLength(t, field, thumbprintLen, thumbprintLen); err != nil {
			return err
		}
		for _, c := range t {
			if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
				return validation(t, field, "Member must consist of 40 hexadecimal digits")
			}
		}
	}
	return nil
}

// checkClaimTags validates a claim-to-tag mapping: claims are non-empty and unique, tag keys
// follow the tag rules and are unique case-insensitively, at most 50 mappings.
func checkClaimTags(claims []store.ClaimTag) *Error {
	tags := make([]store.Tag, len(claims))
	seen := map[string]bool{}
	for i, c := range claims {
		if c.Claim == "" || seen[c.Claim] {
			return errorf(KindInvalidInput, "Claim tag mapping %d: the claim name must be non-empty and unique.", i+1)
		}
		seen[c.Claim] = true
		tags[i] = store.Tag{Key: c.Tag}
	}
	return checkTags(tags)
}

func providerNotFound(arn string) *Error {
	return errorf(KindNoSuchEntity, "OpenIDConnect Provider not found for arn %s", arn)
}

// GetOpenIDConnectProvider returns the provider with this ARN (tags sorted by key);
// KindNoSuchEntity if none.
func (s *Service) GetOpenIDConnectProvider(ctx context.Context, arn string) (store.Provider, error) {
	if err := checkARN(arn, "openIDConnectProviderArn"); err != nil {
		return store.Provider{}, err
	}
	p, err := s.opt.Store.GetProvider(ctx, arn)
	return p, storeError(err, providerNotFound(arn), nil, nil)
}

// ListOpenIDConnectProviders returns every provider, ordered by ARN.
func (s *Service) ListOpenIDConnectProviders(ctx context.Context) ([]store.Provider, error) {
	all, err := s.opt.Store.ListProviders(ctx)
	return all, storeError(err, nil, nil, nil)
}

// DeleteOpenIDConnectProvider removes a provider. Deleting a provider that does not exist
// succeeds: AWS documents the call as idempotent (reference §3.3 notes the contradiction in
// its error list; inkan follows the description). Roles trusting it are left as they are and
// can no longer be assumed with its tokens.
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, arn string) error {
	if err := checkARN(arn, "openIDConnectProviderArn"); err != nil {
		return err
	}
	return s.write(ctx, func() error {
		err := s.opt.Store.DeleteProvider(ctx, arn)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return storeError(err, nil, nil, nil)
	})
}

// updateProvider runs fn on the stored provider in one transaction and reloads.
func (s *Service) updateProvider(ctx context.Context, arn string, fn func(*store.Provider) *Error) error {
	if err := checkARN(arn, "openIDConnectProviderArn"); err != nil {
		return err
	}
	return s.write(ctx, func() error {
		err := s.opt.Store.UpdateProvider(ctx, arn, func(p *store.Provider) error {
			if e := fn(p); e != nil {
				return e
			}
			return nil
		})
		return storeError(err, providerNotFound(arn), nil, nil)
	})
}

// AddClientIDToOpenIDConnectProvider adds an accepted audience; adding one already present
// succeeds and changes nothing. KindLimitExceeded past 100.
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, arn, clientID string) error {
	if err := checkLength(clientID, "clientID", 1, maxClientIDLen); err != nil {
		return err
	}
	return s.updateProvider(ctx, arn, func(p *store.Provider) *Error {
		if slices.Contains(p.ClientIDs, clientID) {
			return nil
		}
		if len(p.ClientIDs) >= maxClientIDs {
			return quotaExceeded(clientIDQuota, maxClientIDs)
		}
		p.ClientIDs = append(p.ClientIDs, clientID)
		return nil
	})
}

// RemoveClientIDFromOpenIDConnectProvider removes an audience; removing one that is absent
// succeeds. Removing the last one is refused with KindInvalidInput (inkan's rule, see
// CreateOpenIDConnectProvider).
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, arn, clientID string) error {
	if err := checkLength(clientID, "clientID", 1, maxClientIDLen); err != nil {
		return err
	}
	return s.updateProvider(ctx, arn, func(p *store.Provider) *Error {
		i := slices.Index(p.ClientIDs, clientID)
		if i < 0 {
			return nil
		}
		if len(p.ClientIDs) == 1 {
			return errorf(KindInvalidInput, "Cannot remove the last client ID of a provider: it would accept no token. Delete the provider instead.")
		}
		p.ClientIDs = slices.Delete(p.ClientIDs, i, i+1)
		return nil
	})
}

// UpdateOpenIDConnectProviderThumbprint replaces the thumbprint list entirely (an empty list
// clears it: thumbprints only matter when the issuer's TLS chain does not verify).
func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, arn string, thumbprints []string) error {
	if err := checkThumbprints(thumbprints); err != nil {
		return err
	}
	return s.updateProvider(ctx, arn, func(p *store.Provider) *Error {
		p.Thumbprints = slices.Clone(thumbprints)
		return nil
	})
}

// SetOpenIDConnectProviderClaimTags replaces the provider's claim-to-session-tag mapping
// (inkan's extension; reference: the session tags of issue 4 item 6). Sessions issued after
// the call get the new tags; sessions already issued keep theirs.
func (s *Service) SetOpenIDConnectProviderClaimTags(ctx context.Context, arn string, claims []store.ClaimTag) error {
	if err := checkClaimTags(claims); err != nil {
		return err
	}
	return s.updateProvider(ctx, arn, func(p *store.Provider) *Error {
		p.ClaimTags = slices.Clone(claims)
		return nil
	})
}

// TagOpenIDConnectProvider adds or overwrites tags (keys compared case-insensitively);
// KindLimitExceeded when the provider would have more than 50.
func (s *Service) TagOpenIDConnectProvider(ctx context.Context, arn string, tags []store.Tag) error {
	if err := checkTags(tags); err != nil {
		return err
	}
	return s.updateProvider(ctx, arn, func(p *store.Provider) *Error {
		merged, err := mergeTags(p.Tags, tags, providerTagQuota)
		p.Tags = merged
		return err
	})
}

// UntagOpenIDConnectProvider removes the tags with these keys; absent keys are ignored.
func (s *Service) UntagOpenIDConnectProvider(ctx context.Context, arn string, keys []string) error {
	if err := checkTagKeys(keys); err != nil {
		return err
	}
	return s.updateProvider(ctx, arn, func(p *store.Provider) *Error {
		p.Tags = removeTags(p.Tags, keys)
		return nil
	})
}

// ListOpenIDConnectProviderTags returns the provider's tags sorted by key.
func (s *Service) ListOpenIDConnectProviderTags(ctx context.Context, arn string) ([]store.Tag, error) {
	p, err := s.GetOpenIDConnectProvider(ctx, arn)
	return p.Tags, err
}
