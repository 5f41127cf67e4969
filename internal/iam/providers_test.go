package iam

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
)

const ghARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"

func createGitHubProvider(t *testing.T, s *Service) store.Provider {
	t.Helper()
	p, err := s.CreateOpenIDConnectProvider(context.Background(), &CreateProviderInput{
		URL: ghURL, ClientIDs: []string{"sts.amazonaws.com"},
		Tags:      []store.Tag{{Key: "team", Value: "ci"}, {Key: "Env", Value: "prod"}},
		ClaimTags: []store.ClaimTag{{Claim: "repository", Tag: "repository"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCreatingAProviderStoresItUnderAnARNWithoutTheScheme(t *testing.T) {
	s, clock := newCRUDService(t)
	p := createGitHubProvider(t, s)
	if p.ARN != ghARN || p.URL != ghURL {
		t.Fatalf("ARN %q URL %q", p.ARN, p.URL)
	}
	if !p.CreateDate.Equal(clock.t.Truncate(1000)) {
		t.Fatalf("CreateDate %v, want the clock's time to the microsecond", p.CreateDate)
	}
	if len(p.Tags) != 2 || p.Tags[0].Key != "Env" || p.Tags[1].Key != "team" {
		t.Fatalf("tags are not sorted by key: %v", p.Tags)
	}
	if len(p.ClaimTags) != 1 || p.ClaimTags[0].Claim != "repository" {
		t.Fatalf("claim tags %v", p.ClaimTags)
	}
	if got := s.snap.Load().providers[ghURL]; got == nil || got.rec.ARN != ghARN {
		t.Fatal("the new provider is not in the configuration used for decisions")
	}
	withPath, err := s.CreateOpenIDConnectProvider(context.Background(), &CreateProviderInput{
		URL: "https://oidc.eks.us-west-2.amazonaws.com/id/ABC", ClientIDs: []string{"sts.amazonaws.com"}})
	must(t, err)
	if withPath.ARN != "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC" {
		t.Fatalf("a provider with a path got ARN %q", withPath.ARN)
	}
}

func TestProviderParametersAreValidatedAsIAMValidatesThem(t *testing.T) {
	s, _ := newCRUDService(t)
	ids := []string{"sts.amazonaws.com"}
	hex40 := strings.Repeat("ab", 20)
	many := make([]string, 101)
	for i := range many {
		many[i] = fmt.Sprint("client-", i)
	}
	cases := []struct {
		name string
		in   CreateProviderInput
		kind Kind
		msg  string
	}{
		{"an empty URL", CreateProviderInput{ClientIDs: ids}, KindValidation, "at 'url' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"a URL of 256 characters", CreateProviderInput{URL: "https://a.example/" + strings.Repeat("p", 238), ClientIDs: ids}, KindValidation, "less than or equal to 255"},
		{"an http URL", CreateProviderInput{URL: "http://idp.example", ClientIDs: ids}, KindInvalidInput, "The URL must begin with https://."},
		{"a URL without scheme", CreateProviderInput{URL: "idp.example", ClientIDs: ids}, KindInvalidInput, "The URL must begin with https://."},
		{"a URL with a query", CreateProviderInput{URL: "https://idp.example/?a=b", ClientIDs: ids}, KindInvalidInput, "Invalid Open ID Connect Provider URL."},
		{"a URL with a fragment", CreateProviderInput{URL: "https://idp.example/#f", ClientIDs: ids}, KindInvalidInput, "Invalid Open ID Connect Provider URL."},
		{"no client ID", CreateProviderInput{URL: ghURL}, KindInvalidInput, "At least one client ID is required"},
		{"101 client IDs", CreateProviderInput{URL: ghURL, ClientIDs: many}, KindLimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: 100"},
		{"an empty client ID", CreateProviderInput{URL: ghURL, ClientIDs: []string{"a", ""}}, KindValidation, "at 'clientIDList.2.member'"},
		{"a client ID of 256 characters", CreateProviderInput{URL: ghURL, ClientIDs: []string{strings.Repeat("c", 256)}}, KindValidation, "less than or equal to 255"},
		{"six thumbprints", CreateProviderInput{URL: ghURL, ClientIDs: ids, Thumbprints: slices.Repeat([]string{hex40}, 6)}, KindInvalidInput, "Thumbprint list must contain fewer than 5 entries."},
		{"a 39-character thumbprint", CreateProviderInput{URL: ghURL, ClientIDs: ids, Thumbprints: []string{hex40[:39]}}, KindValidation, "at 'thumbprintList.1.member' failed to satisfy constraint: Member must have length greater than or equal to 40"},
		{"a thumbprint that is not hex", CreateProviderInput{URL: ghURL, ClientIDs: ids, Thumbprints: []string{strings.Repeat("g", 40)}}, KindValidation, "40 hexadecimal digits"},
		{"a reserved tag key", CreateProviderInput{URL: ghURL, ClientIDs: ids, Tags: []store.Tag{{Key: "aws:x"}}}, KindInvalidInput, "aws:"},
		{"a claim mapped twice", CreateProviderInput{URL: ghURL, ClientIDs: ids, ClaimTags: []store.ClaimTag{{Claim: "ref", Tag: "a"}, {Claim: "ref", Tag: "b"}}}, KindInvalidInput, "unique"},
		{"a claim mapped to an invalid tag key", CreateProviderInput{URL: ghURL, ClientIDs: ids, ClaimTags: []store.ClaimTag{{Claim: "ref", Tag: "a;b"}}}, KindValidation, "failed to satisfy constraint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.CreateOpenIDConnectProvider(context.Background(), &c.in)
			wantError(t, err, c.kind, c.msg)
		})
	}
	all, err := s.ListOpenIDConnectProviders(context.Background())
	must(t, err)
	if len(all) != 0 {
		t.Fatalf("refused providers were stored: %v", all)
	}
}

func TestHTTPIssuersAreAcceptedOnlyOnLoopbackAndOnlyWhenInsecureLoopbackIsAllowed(t *testing.T) {
	ctx := context.Background()
	in := &CreateProviderInput{URL: "http://127.0.0.1:8751", ClientIDs: []string{"sts.amazonaws.com"}}
	strict, _ := newCRUDService(t)
	_, err := strict.CreateOpenIDConnectProvider(ctx, in)
	wantError(t, err, KindInvalidInput, "The URL must begin with https://.")

	dev, _ := newCRUDService(t, func(o *Options) { o.InsecureAllowHTTPLoopbackIssuers = true })
	p, err := dev.CreateOpenIDConnectProvider(ctx, in)
	must(t, err)
	if p.ARN != "arn:aws:iam::123456789012:oidc-provider/127.0.0.1:8751" {
		t.Fatalf("ARN %q", p.ARN)
	}
	_, err = dev.CreateOpenIDConnectProvider(ctx, &CreateProviderInput{URL: "http://idp.example", ClientIDs: []string{"a"}})
	wantError(t, err, KindInvalidInput, "Invalid Open ID Connect Provider URL.")
}

func TestRegisteringAnIssuerTwiceIsRefused(t *testing.T) {
	s, _ := newCRUDService(t)
	createGitHubProvider(t, s)
	_, err := s.CreateOpenIDConnectProvider(context.Background(), &CreateProviderInput{URL: ghURL, ClientIDs: []string{"x"}})
	wantError(t, err, KindEntityAlreadyExists, "Provider with url "+ghURL+" already exists.")
	// The same issuer with a trailing slash would get the same ARN.
	_, err = s.CreateOpenIDConnectProvider(context.Background(), &CreateProviderInput{URL: ghURL + "/", ClientIDs: []string{"x"}})
	wantError(t, err, KindEntityAlreadyExists, "already exists")
}

func TestAnAccountHoldsAtMostOneHundredProviders(t *testing.T) {
	s, _ := newCRUDService(t)
	for i := range 100 {
		_, err := s.CreateOpenIDConnectProvider(context.Background(), &CreateProviderInput{
			URL: fmt.Sprintf("https://idp%d.example", i), ClientIDs: []string{"a"}})
		must(t, err)
	}
	_, err := s.CreateOpenIDConnectProvider(context.Background(), &CreateProviderInput{URL: "https://one-more.example", ClientIDs: []string{"a"}})
	wantError(t, err, KindLimitExceeded, "Cannot exceed quota for OpenIdConnectProvidersPerAccount: 100")
}

func TestMissingProvidersAreNoSuchEntityExceptOnDelete(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	const missing = "arn:aws:iam::123456789012:oidc-provider/nowhere.example"
	want := "OpenIDConnect Provider not found for arn " + missing
	_, err := s.GetOpenIDConnectProvider(ctx, missing)
	wantError(t, err, KindNoSuchEntity, want)
	wantError(t, s.AddClientIDToOpenIDConnectProvider(ctx, missing, "a"), KindNoSuchEntity, want)
	wantError(t, s.RemoveClientIDFromOpenIDConnectProvider(ctx, missing, "a"), KindNoSuchEntity, want)
	wantError(t, s.UpdateOpenIDConnectProviderThumbprint(ctx, missing, nil), KindNoSuchEntity, want)
	wantError(t, s.TagOpenIDConnectProvider(ctx, missing, []store.Tag{{Key: "k"}}), KindNoSuchEntity, want)
	wantError(t, s.UntagOpenIDConnectProvider(ctx, missing, []string{"k"}), KindNoSuchEntity, want)
	wantError(t, s.SetOpenIDConnectProviderClaimTags(ctx, missing, nil), KindNoSuchEntity, want)
	_, err = s.ListOpenIDConnectProviderTags(ctx, missing)
	wantError(t, err, KindNoSuchEntity, want)
	_, err = s.GetOpenIDConnectProvider(ctx, "arn:short")
	wantError(t, err, KindValidation, "at 'openIDConnectProviderArn'")

	p := createGitHubProvider(t, s)
	must(t, s.DeleteOpenIDConnectProvider(ctx, p.ARN))
	if s.snap.Load().providers[ghURL] != nil {
		t.Fatal("the deleted provider is still used for decisions")
	}
	if err := s.DeleteOpenIDConnectProvider(ctx, p.ARN); err != nil {
		t.Fatalf("deleting a deleted provider: %v, want success (idempotent)", err)
	}
}

func TestClientIDsAreAddedAndRemovedIdempotently(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	p := createGitHubProvider(t, s)
	must(t, s.AddClientIDToOpenIDConnectProvider(ctx, p.ARN, "second"))
	must(t, s.AddClientIDToOpenIDConnectProvider(ctx, p.ARN, "second"))
	must(t, s.RemoveClientIDFromOpenIDConnectProvider(ctx, p.ARN, "absent"))
	got, err := s.GetOpenIDConnectProvider(ctx, p.ARN)
	must(t, err)
	if !slices.Equal(got.ClientIDs, []string{"sts.amazonaws.com", "second"}) {
		t.Fatalf("client IDs %v", got.ClientIDs)
	}
	if ids := s.snap.Load().providers[ghURL].oidc.ClientIDs; !slices.Contains(ids, "second") {
		t.Fatalf("decisions still use client IDs %v", ids)
	}
	must(t, s.RemoveClientIDFromOpenIDConnectProvider(ctx, p.ARN, "sts.amazonaws.com"))
	wantError(t, s.RemoveClientIDFromOpenIDConnectProvider(ctx, p.ARN, "second"), KindInvalidInput, "Cannot remove the last client ID")
	wantError(t, s.AddClientIDToOpenIDConnectProvider(ctx, p.ARN, ""), KindValidation, "at 'clientID'")
	for i := len(got.ClientIDs) - 1; i < 100; i++ {
		must(t, s.AddClientIDToOpenIDConnectProvider(ctx, p.ARN, fmt.Sprint("id-", i)))
	}
	wantError(t, s.AddClientIDToOpenIDConnectProvider(ctx, p.ARN, "one-too-many"), KindLimitExceeded, "ClientIdsPerOpenIdConnectProvider: 100")
}

func TestThumbprintsAreReplacedWholesale(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	p := createGitHubProvider(t, s)
	a, b := strings.Repeat("a", 40), strings.Repeat("B", 40)
	must(t, s.UpdateOpenIDConnectProviderThumbprint(ctx, p.ARN, []string{a, b}))
	must(t, s.UpdateOpenIDConnectProviderThumbprint(ctx, p.ARN, []string{b}))
	got, err := s.GetOpenIDConnectProvider(ctx, p.ARN)
	must(t, err)
	if !slices.Equal(got.Thumbprints, []string{b}) {
		t.Fatalf("thumbprints %v, want only the last list", got.Thumbprints)
	}
	must(t, s.UpdateOpenIDConnectProviderThumbprint(ctx, p.ARN, nil))
	got, _ = s.GetOpenIDConnectProvider(ctx, p.ARN)
	if len(got.Thumbprints) != 0 {
		t.Fatalf("an empty list left %v", got.Thumbprints)
	}
	wantError(t, s.UpdateOpenIDConnectProviderThumbprint(ctx, p.ARN, slices.Repeat([]string{a}, 6)), KindInvalidInput, "fewer than 5")
}

func TestProviderTagsAreMergedAndRemovedByKeyWhateverItsCase(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	p := createGitHubProvider(t, s)
	must(t, s.TagOpenIDConnectProvider(ctx, p.ARN, []store.Tag{{Key: "TEAM", Value: "platform"}, {Key: "cost", Value: "42"}}))
	must(t, s.UntagOpenIDConnectProvider(ctx, p.ARN, []string{"env", "absent"}))
	tags, err := s.ListOpenIDConnectProviderTags(ctx, p.ARN)
	must(t, err)
	want := []store.Tag{{Key: "TEAM", Value: "platform"}, {Key: "cost", Value: "42"}}
	if !slices.Equal(tags, want) {
		t.Fatalf("tags %v, want %v", tags, want)
	}
	many := make([]store.Tag, 49)
	for i := range many {
		many[i] = store.Tag{Key: fmt.Sprint("k", i)}
	}
	wantError(t, s.TagOpenIDConnectProvider(ctx, p.ARN, many), KindLimitExceeded, "TagsPerOpenIdConnectProvider: 50")
	wantError(t, s.UntagOpenIDConnectProvider(ctx, p.ARN, []string{""}), KindValidation, "at 'tagKeys.1.member'")
}

func TestClaimTagMappingsAreReplacedAndReachTheConfiguration(t *testing.T) {
	s, _ := newCRUDService(t)
	ctx := context.Background()
	p := createGitHubProvider(t, s)
	next := []store.ClaimTag{{Claim: "environment", Tag: "environment"}, {Claim: "ref", Tag: "ref"}}
	must(t, s.SetOpenIDConnectProviderClaimTags(ctx, p.ARN, next))
	got, err := s.GetOpenIDConnectProvider(ctx, p.ARN)
	must(t, err)
	if !slices.Equal(got.ClaimTags, next) {
		t.Fatalf("claim tags %v", got.ClaimTags)
	}
	if live := s.snap.Load().providers[ghURL].rec.ClaimTags; !slices.Equal(live, next) {
		t.Fatalf("decisions use claim tags %v", live)
	}
	must(t, s.SetOpenIDConnectProviderClaimTags(ctx, p.ARN, nil))
	got, _ = s.GetOpenIDConnectProvider(ctx, p.ARN)
	if len(got.ClaimTags) != 0 {
		t.Fatalf("clearing left %v", got.ClaimTags)
	}
}

func TestTextTheStoreCannotKeepIsTheCallersInvalidInput(t *testing.T) {
	s, _ := newCRUDService(t)
	_, err := s.CreateOpenIDConnectProvider(context.Background(), &CreateProviderInput{URL: ghURL, ClientIDs: []string{"a\x00b"}})
	wantError(t, err, KindInvalidInput, "cannot be stored")
	p := createGitHubProvider(t, s)
	wantError(t, s.AddClientIDToOpenIDConnectProvider(context.Background(), p.ARN, "\xff"), KindInvalidInput, "cannot be stored")
}
