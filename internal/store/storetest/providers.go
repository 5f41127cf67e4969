package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

func providerTests() []test {
	ctx := context.Background()
	return []test{
		{"a created provider reads back equal by ARN and by URL, tags sorted by key", func(t *testing.T, s store.Store) {
			p := sampleProvider("token.actions.githubusercontent.com")
			must(t, s.CreateProvider(ctx, p), "CreateProvider")
			want := p
			want.Tags = []store.Tag{{Key: "env", Value: "prod"}, {Key: "team", Value: "platform"}}
			got, err := s.GetProvider(ctx, p.ARN)
			must(t, err, "GetProvider")
			equal(t, "GetProvider", got, want)
			got, err = s.GetProviderByURL(ctx, p.URL)
			must(t, err, "GetProviderByURL")
			equal(t, "GetProviderByURL", got, want)
		}},
		{"a provider with no lists reads back with nil lists", func(t *testing.T, s store.Store) {
			p := store.Provider{ARN: "arn:aws:iam::000000000000:oidc-provider/bare.example", URL: "https://bare.example", ClientIDs: []string{}, CreateDate: at(0)}
			must(t, s.CreateProvider(ctx, p), "CreateProvider")
			got, err := s.GetProvider(ctx, p.ARN)
			must(t, err, "GetProvider")
			p.ClientIDs = nil
			equal(t, "GetProvider", got, p)
		}},
		{"times come back in UTC, truncated to the microsecond", func(t *testing.T, s store.Store) {
			p := sampleProvider("time.example")
			p.CreateDate = time.Date(2026, 5, 1, 9, 30, 0, 123456789, time.FixedZone("JST", 9*3600))
			must(t, s.CreateProvider(ctx, p), "CreateProvider")
			got, err := s.GetProvider(ctx, p.ARN)
			must(t, err, "GetProvider")
			want := p.CreateDate.UTC().Truncate(time.Microsecond)
			if got.CreateDate != want {
				t.Fatalf("CreateDate = %v (%v), want %v", got.CreateDate, got.CreateDate.Location(), want)
			}
		}},
		{"creating a provider whose ARN or URL is taken fails with ErrExists", func(t *testing.T, s store.Store) {
			p := sampleProvider("dup.example")
			must(t, s.CreateProvider(ctx, p), "CreateProvider")
			wantErr(t, s.CreateProvider(ctx, p), store.ErrExists, "same ARN and URL")
			sameURL := sampleProvider("other.example")
			sameURL.URL = p.URL
			wantErr(t, s.CreateProvider(ctx, sameURL), store.ErrExists, "same URL under another ARN")
			sameARN := sampleProvider("third.example")
			sameARN.ARN = p.ARN
			wantErr(t, s.CreateProvider(ctx, sameARN), store.ErrExists, "same ARN with another URL")
		}},
		{"provider URLs are compared byte for byte, so a URL differing in case is another provider", func(t *testing.T, s store.Store) {
			a, b := sampleProvider("case.example/Path"), sampleProvider("case.example/path")
			must(t, s.CreateProvider(ctx, a), "CreateProvider a")
			must(t, s.CreateProvider(ctx, b), "CreateProvider b")
			got, err := s.GetProviderByURL(ctx, "https://case.example/Path")
			must(t, err, "GetProviderByURL")
			equal(t, "ARN found by URL", got.ARN, a.ARN)
			_, err = s.GetProviderByURL(ctx, "https://CASE.example/Path")
			wantErr(t, err, store.ErrNotFound, "GetProviderByURL with other case")
		}},
		{"getting a missing provider fails with ErrNotFound, by ARN and by URL", func(t *testing.T, s store.Store) {
			_, err := s.GetProvider(ctx, "arn:aws:iam::000000000000:oidc-provider/missing.example")
			wantErr(t, err, store.ErrNotFound, "GetProvider")
			_, err = s.GetProviderByURL(ctx, "https://missing.example")
			wantErr(t, err, store.ErrNotFound, "GetProviderByURL")
		}},
		{"providers list in ARN order, and an empty store lists none", func(t *testing.T, s store.Store) {
			ps, err := s.ListProviders(ctx)
			must(t, err, "ListProviders on an empty store")
			equal(t, "providers of an empty store", len(ps), 0)
			for _, host := range []string{"c.example", "a.example", "b.example"} {
				must(t, s.CreateProvider(ctx, sampleProvider(host)), "CreateProvider "+host)
			}
			ps, err = s.ListProviders(ctx)
			must(t, err, "ListProviders")
			var arns []string
			for _, p := range ps {
				arns = append(arns, strings.TrimPrefix(p.ARN, "arn:aws:iam::000000000000:oidc-provider/"))
			}
			equal(t, "listed providers", arns, []string{"a.example", "b.example", "c.example"})
		}},
		{"updating a provider writes what the function leaves", func(t *testing.T, s store.Store) {
			p := sampleProvider("update.example")
			must(t, s.CreateProvider(ctx, p), "CreateProvider")
			must(t, s.UpdateProvider(ctx, p.ARN, func(p *store.Provider) error {
				p.ClientIDs = append(p.ClientIDs, "third")
				p.Thumbprints = nil
				p.Tags = append(p.Tags, store.Tag{Key: "a-first", Value: "1"})
				p.ClaimTags = []store.ClaimTag{{Claim: "environment", Tag: "env"}}
				return nil
			}), "UpdateProvider")
			got, err := s.GetProvider(ctx, p.ARN)
			must(t, err, "GetProvider")
			want := p
			want.ClientIDs = []string{"sts.amazonaws.com", "inkan", "third"}
			want.Thumbprints = nil
			want.Tags = []store.Tag{{Key: "a-first", Value: "1"}, {Key: "env", Value: "prod"}, {Key: "team", Value: "platform"}}
			want.ClaimTags = []store.ClaimTag{{Claim: "environment", Tag: "env"}}
			equal(t, "updated provider", got, want)
		}},
		{"an update function's error comes back unchanged and nothing is written", func(t *testing.T, s store.Store) {
			p := sampleProvider("refuse.example")
			must(t, s.CreateProvider(ctx, p), "CreateProvider")
			err := s.UpdateProvider(ctx, p.ARN, func(p *store.Provider) error {
				p.ClientIDs = nil
				return errRefused
			})
			if err != errRefused {
				t.Fatalf("UpdateProvider returned %v, want the function's own error", err)
			}
			got, err := s.GetProvider(ctx, p.ARN)
			must(t, err, "GetProvider")
			equal(t, "client IDs after a refused update", got.ClientIDs, p.ClientIDs)
		}},
		{"an update may not change a provider's ARN or URL", func(t *testing.T, s store.Store) {
			p := sampleProvider("identity.example")
			must(t, s.CreateProvider(ctx, p), "CreateProvider")
			wantErr(t, s.UpdateProvider(ctx, p.ARN, func(p *store.Provider) error { p.ARN += "x"; return nil }), store.ErrInvalid, "changed ARN")
			wantErr(t, s.UpdateProvider(ctx, p.ARN, func(p *store.Provider) error { p.URL += "/x"; return nil }), store.ErrInvalid, "changed URL")
		}},
		{"updating or deleting a missing provider fails with ErrNotFound", func(t *testing.T, s store.Store) {
			called := false
			err := s.UpdateProvider(ctx, "arn:aws:iam::000000000000:oidc-provider/none", func(*store.Provider) error { called = true; return nil })
			wantErr(t, err, store.ErrNotFound, "UpdateProvider")
			if called {
				t.Fatal("UpdateProvider called the function for a missing provider")
			}
			wantErr(t, s.DeleteProvider(ctx, "arn:aws:iam::000000000000:oidc-provider/none"), store.ErrNotFound, "DeleteProvider")
		}},
		{"a deleted provider is gone, its URL is free again, and deleting it again fails with ErrNotFound", func(t *testing.T, s store.Store) {
			p := sampleProvider("gone.example")
			must(t, s.CreateProvider(ctx, p), "CreateProvider")
			must(t, s.DeleteProvider(ctx, p.ARN), "DeleteProvider")
			_, err := s.GetProvider(ctx, p.ARN)
			wantErr(t, err, store.ErrNotFound, "GetProvider after delete")
			wantErr(t, s.DeleteProvider(ctx, p.ARN), store.ErrNotFound, "second DeleteProvider")
			must(t, s.CreateProvider(ctx, p), "CreateProvider again")
		}},
		{"a provider with an empty key or unstorable text is refused with ErrInvalid", func(t *testing.T, s store.Store) {
			for name, mutate := range map[string]func(*store.Provider){
				"empty ARN":          func(p *store.Provider) { p.ARN = "" },
				"empty URL":          func(p *store.Provider) { p.URL = "" },
				"invalid UTF-8 tag":  func(p *store.Provider) { p.Tags[0].Value = "\xff" },
				"NUL in a client ID": func(p *store.Provider) { p.ClientIDs[0] = "a\x00b" },
				"invalid claim name": func(p *store.Provider) { p.ClaimTags[0].Claim = "\xc3" },
			} {
				p := sampleProvider("invalid.example")
				mutate(&p)
				wantErr(t, s.CreateProvider(ctx, p), store.ErrInvalid, name)
			}
			ps, err := s.ListProviders(ctx)
			must(t, err, "ListProviders")
			equal(t, "providers stored", len(ps), 0)
		}},
	}
}
