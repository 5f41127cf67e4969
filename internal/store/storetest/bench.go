package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
)

// benchRoles is how many roles the benchmarks' store holds.
const benchRoles = 1000

// benchStore opens a store holding benchRoles roles, each with a trust
// policy, one inline policy and one of ten managed policies attached: the
// shape of a large inkan configuration.
func benchStore(b *testing.B, open Opener) store.Store {
	b.Helper()
	ctx := context.Background()
	s := openFresh(b, open)
	for i := range 10 {
		must(b, s.CreateManagedPolicy(ctx, sampleManaged(fmt.Sprint("managed", i))), "CreateManagedPolicy")
	}
	for i, name := range roleNames(benchRoles) {
		must(b, s.CreateRole(ctx, sampleRole(name)), "CreateRole")
		must(b, s.PutRolePolicy(ctx, inlinePolicy(name, "write"), nil), "PutRolePolicy")
		must(b, s.AttachRolePolicy(ctx, name, sampleManaged(fmt.Sprint("managed", i%10)).ARN, nil), "AttachRolePolicy")
	}
	return s
}

// BenchmarkGetRole measures GetRole by a random name among 1,000 roles.
func BenchmarkGetRole(b *testing.B, open Opener) {
	s := benchStore(b, open)
	ctx := context.Background()
	names := roleNames(benchRoles)
	rng := rand.New(rand.NewPCG(1, 2))
	b.ReportAllocs()
	for b.Loop() {
		name := names[rng.IntN(len(names))]
		r, err := s.GetRole(ctx, name)
		if err != nil || r.Name != name {
			b.Fatalf("GetRole %q = %q, %v", name, r.Name, err)
		}
	}
}

// BenchmarkGetRoleParallel measures GetRole from GOMAXPROCS goroutines, as
// concurrent requests would call it.
func BenchmarkGetRoleParallel(b *testing.B, open Opener) {
	s := benchStore(b, open)
	ctx := context.Background()
	names := roleNames(benchRoles)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 2))
		for pb.Next() {
			if _, err := s.GetRole(ctx, names[rng.IntN(len(names))]); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkSnapshot measures a Snapshot of 1,000 roles with their inline
// policies and attachments.
func BenchmarkSnapshot(b *testing.B, open Opener) {
	s := benchStore(b, open)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		snap, err := s.Snapshot(ctx)
		if err == nil && (len(snap.Roles) != benchRoles || len(snap.Attachments) != benchRoles) {
			err = errors.New("incomplete snapshot")
		}
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGeneration measures Generation, the staleness check a node makes
// before trusting its snapshot.
func BenchmarkGeneration(b *testing.B, open Opener) {
	s := openFresh(b, open)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Generation(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
