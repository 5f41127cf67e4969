package storetest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/store"
)

// Opener opens the store kept at location, creating an empty one the first
// time. location is a fresh path under a test's temporary directory; a
// backend that is not file-based derives its database name from it. Opening
// a location again after Close must reach the same data. The suite closes
// every store it opens.
type Opener func(tb testing.TB, location string) store.Store

// test is one case of the suite, run on a fresh, empty store.
type test struct {
	name string
	run  func(t *testing.T, s store.Store)
}

// Run runs the whole conformance suite against the backend open opens.
func Run(t *testing.T, open Opener) {
	groups := [][]test{providerTests(), roleTests(), rolePolicyTests(), managedTests(), keyTests(), snapshotTests(), concurrencyTests(), blobTests(), decisionTests()}
	for _, group := range groups {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) { tc.run(t, openFresh(t, open)) })
		}
	}
	t.Run("a closed and reopened store holds everything it held, generation included", func(t *testing.T) {
		testRestart(t, open)
	})
	t.Run("two stores open on one location see each other's writes, and parallel creates across them have one winner", func(t *testing.T) {
		testTwoStores(t, open)
	})
	t.Run("closing a store twice is safe", func(t *testing.T) {
		s := open(t, location(t))
		if err := s.Close(); err != nil {
			t.Fatalf("first Close: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
	})
}

// location returns a fresh location for a store under tb's temporary directory.
func location(tb testing.TB) string { return filepath.Join(tb.TempDir(), "inkan.db") }

// openFresh opens an empty store that is closed when tb ends.
func openFresh(tb testing.TB, open Opener) store.Store {
	tb.Helper()
	s := open(tb, location(tb))
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// at returns a fixed instant, day days after the suite's epoch, with a
// microsecond part so that precision is exercised.
func at(day int) time.Time {
	return time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC).AddDate(0, 0, day)
}

func sampleProvider(host string) store.Provider {
	return store.Provider{
		ARN:         "arn:aws:iam::000000000000:oidc-provider/" + host,
		URL:         "https://" + host,
		ClientIDs:   []string{"sts.amazonaws.com", "inkan"},
		Thumbprints: []string{strings.Repeat("ab", 20)},
		Tags:        []store.Tag{{Key: "team", Value: "platform"}, {Key: "env", Value: "prod"}},
		ClaimTags:   []store.ClaimTag{{Claim: "repository", Tag: "repository"}, {Claim: "ref", Tag: "ref"}},
		CreateDate:  at(0),
	}
}

func sampleRole(name string) store.Role {
	return store.Role{
		ID:                  "AROA" + strings.ToUpper(name) + "ID",
		Name:                name,
		Path:                "/ci/",
		ARN:                 "arn:aws:iam::000000000000:role/ci/" + name,
		TrustPolicy:         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}`,
		Description:         "deploys " + name,
		MaxSessionDuration:  7200,
		PermissionsBoundary: "arn:aws:iam::000000000000:policy/boundary",
		Tags:                []store.Tag{{Key: "owner", Value: "ci"}},
		CreateDate:          at(1),
	}
}

func sampleManaged(name string) store.ManagedPolicy {
	return store.ManagedPolicy{
		ARN:              "arn:aws:iam::000000000000:policy/shared/" + name,
		ID:               "ANPA" + strings.ToUpper(name) + "ID",
		Name:             name,
		Path:             "/shared/",
		Description:      "grants " + name,
		Document:         `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
		DefaultVersionID: "v1",
		CreateDate:       at(2),
		UpdateDate:       at(2),
		Tags:             []store.Tag{{Key: "kind", Value: "read"}},
	}
}

func inlinePolicy(role, name string) store.RolePolicy {
	return store.RolePolicy{RoleName: role, Name: name, Document: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::` + name + `/*"}]}`}
}

func sampleKey(id string, day int) store.SealingKey {
	secret := make([]byte, store.SealingKeySize)
	for i := range secret {
		secret[i] = byte(len(id)*31 + day*7 + i)
	}
	return store.SealingKey{ID: id, Secret: secret, CreateDate: at(day)}
}

// must fails the test at once on an unexpected error.
func must(tb testing.TB, err error, what string) {
	tb.Helper()
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
}

// wantErr fails the test unless err wraps want.
func wantErr(tb testing.TB, err, want error, what string) {
	tb.Helper()
	if !errors.Is(err, want) {
		tb.Fatalf("%s: got error %v, want one wrapping %q", what, err, want)
	}
}

// equal fails the test unless got and want are deeply equal.
func equal(tb testing.TB, what string, got, want any) {
	tb.Helper()
	if !reflect.DeepEqual(got, want) {
		tb.Fatalf("%s:\n got  %s\n want %s", what, show(got), show(want))
	}
}

func show(v any) string { return fmt.Sprintf("%+v", v) }

// generation returns s's generation or fails the test.
func generation(tb testing.TB, s store.Store) int64 {
	tb.Helper()
	g, err := s.Generation(context.Background())
	must(tb, err, "Generation")
	return g
}

// errRefused is what the suite's Update* and admit functions return to refuse.
var errRefused = errors.New("refused by the caller")
