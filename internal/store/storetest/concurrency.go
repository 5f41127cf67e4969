package storetest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
)

// parallel runs f(0) … f(n-1) at once and returns their errors by index.
func parallel(n int, f func(i int) error) []error {
	errs := make([]error, n)
	var start, done sync.WaitGroup
	start.Add(1)
	for i := range n {
		done.Go(func() {
			start.Wait()
			errs[i] = f(i)
		})
	}
	start.Done()
	done.Wait()
	return errs
}

// oneWinner fails the test unless exactly one error is nil and every other
// wraps store.ErrExists.
func oneWinner(tb testing.TB, what string, errs []error) int {
	tb.Helper()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			tb.Fatalf("%s: both %d and %d succeeded", what, winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, store.ErrExists):
			tb.Fatalf("%s: %d failed with %v, want ErrExists", what, i, err)
		}
	}
	if winner < 0 {
		tb.Fatalf("%s: nobody succeeded", what)
	}
	return winner
}

const writers = 16

func concurrencyTests() []test {
	ctx := context.Background()
	return []test{
		{"parallel creates of one role name in different cases: exactly one wins, the rest get ErrExists", func(t *testing.T, s store.Store) {
			errs := parallel(writers, func(i int) error {
				r := sampleRole(caseVariant("deploy-role", i))
				r.ID = fmt.Sprintf("AROA%04d", i)
				return s.CreateRole(ctx, r)
			})
			w := oneWinner(t, "CreateRole", errs)
			got, err := s.GetRole(ctx, "deploy-role")
			must(t, err, "GetRole")
			equal(t, "stored role ID", got.ID, fmt.Sprintf("AROA%04d", w))
		}},
		{"parallel creates of one provider URL under different ARNs: exactly one wins", func(t *testing.T, s store.Store) {
			errs := parallel(writers, func(i int) error {
				p := sampleProvider("race.example")
				p.ARN += fmt.Sprint("-", i)
				return s.CreateProvider(ctx, p)
			})
			oneWinner(t, "CreateProvider", errs)
		}},
		{"parallel creates of one managed policy name: exactly one wins", func(t *testing.T, s store.Store) {
			errs := parallel(writers, func(i int) error {
				p := sampleManaged(caseVariant("shared", i))
				p.ARN, p.ID = fmt.Sprint(p.ARN, "-", i), fmt.Sprint("ANPA", i)
				return s.CreateManagedPolicy(ctx, p)
			})
			oneWinner(t, "CreateManagedPolicy", errs)
		}},
		{"parallel role updates lose nothing: each one's tag is kept", func(t *testing.T, s store.Store) {
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			errs := parallel(writers, func(i int) error {
				return s.UpdateRole(ctx, "deploy", func(r *store.Role) error {
					r.Tags = append(r.Tags, store.Tag{Key: fmt.Sprintf("t%02d", i), Value: "x"})
					r.MaxSessionDuration++
					return nil
				})
			})
			for i, err := range errs {
				must(t, err, fmt.Sprint("UpdateRole ", i))
			}
			got, err := s.GetRole(ctx, "deploy")
			must(t, err, "GetRole")
			equal(t, "tags after parallel updates", len(got.Tags), writers+1)
			equal(t, "max session duration after parallel increments", got.MaxSessionDuration, sampleRole("deploy").MaxSessionDuration+writers)
		}},
		{"parallel attaches respect an admit limit exactly", func(t *testing.T, s store.Store) {
			const limit = 3
			must(t, s.CreateRole(ctx, sampleRole("deploy")), "CreateRole")
			for i := range writers {
				must(t, s.CreateManagedPolicy(ctx, sampleManaged(fmt.Sprint("p", i))), "CreateManagedPolicy")
			}
			errs := parallel(writers, func(i int) error {
				return s.AttachRolePolicy(ctx, "deploy", sampleManaged(fmt.Sprint("p", i)).ARN, func(attached []string) error {
					if len(attached) >= limit {
						return errRefused
					}
					return nil
				})
			})
			ok := 0
			for _, err := range errs {
				if err == nil {
					ok++
				} else if err != errRefused {
					t.Fatalf("AttachRolePolicy failed with %v, want admit's refusal", err)
				}
			}
			attached, err := s.ListAttachedRolePolicies(ctx, "deploy")
			must(t, err, "ListAttachedRolePolicies")
			equal(t, "attaches that succeeded", ok, limit)
			equal(t, "policies attached", len(attached), limit)
		}},
		{"snapshots taken while writers add and cascade-delete roles are each consistent", testConsistentSnapshots},
	}
}

// caseVariant spells name with the letters at positions set in i's bits
// upper-cased, so that parallel writers use different spellings.
func caseVariant(name string, i int) string {
	b := []byte(name)
	for j := range b {
		if i&(1<<(j%8)) != 0 {
			b[j] = strings.ToUpper(string(b[j]))[0]
		}
	}
	return string(b)
}

func testConsistentSnapshots(t *testing.T, s store.Store) {
	ctx := context.Background()
	mp := sampleManaged("shared")
	must(t, s.CreateManagedPolicy(ctx, mp), "CreateManagedPolicy")
	const rounds = 40
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for range 2 {
		readers.Go(func() {
			var last int64
			for {
				select {
				case <-stop:
					return
				default:
				}
				snap, err := s.Snapshot(ctx)
				if err != nil {
					t.Errorf("Snapshot: %v", err)
					return
				}
				if snap.Generation < last {
					t.Errorf("generation went back from %d to %d", last, snap.Generation)
				}
				last = snap.Generation
				if err := checkConsistent(snap); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for i := range rounds {
		name := fmt.Sprint("r", i%3)
		must(t, s.CreateRole(ctx, sampleRole(name)), "CreateRole")
		must(t, s.PutRolePolicy(ctx, inlinePolicy(name, "p"), nil), "PutRolePolicy")
		must(t, s.AttachRolePolicy(ctx, name, mp.ARN, nil), "AttachRolePolicy")
		if i%3 == 2 {
			for j := range 3 {
				must(t, s.DeleteRole(ctx, fmt.Sprint("r", j), store.Cascade), "DeleteRole")
			}
		}
	}
	close(stop)
	readers.Wait()
}

// checkConsistent reports a snapshot whose parts disagree: an inline policy or
// attachment of a role it does not hold, an attachment of a policy it does
// not hold, or an attachment count that does not match its attachments.
func checkConsistent(snap *store.Snapshot) error {
	roles := map[string]bool{}
	for _, r := range snap.Roles {
		roles[r.Name] = true
	}
	for _, p := range snap.RolePolicies {
		if !roles[p.RoleName] {
			return fmt.Errorf("generation %d: inline policy of role %q, which the snapshot lacks", snap.Generation, p.RoleName)
		}
	}
	counts := map[string]int{}
	for _, a := range snap.Attachments {
		if !roles[a.RoleName] {
			return fmt.Errorf("generation %d: attachment to role %q, which the snapshot lacks", snap.Generation, a.RoleName)
		}
		counts[a.PolicyARN]++
	}
	for _, p := range snap.ManagedPolicies {
		if p.AttachmentCount != counts[p.ARN] {
			return fmt.Errorf("generation %d: policy %q counts %d attachments, the snapshot holds %d", snap.Generation, p.Name, p.AttachmentCount, counts[p.ARN])
		}
		delete(counts, p.ARN)
	}
	for arn := range counts {
		return fmt.Errorf("generation %d: attachment of policy %q, which the snapshot lacks", snap.Generation, arn)
	}
	return nil
}

// testTwoStores opens one location twice, as two processes or nodes would,
// and races writes through both.
func testTwoStores(t *testing.T, open Opener) {
	ctx := context.Background()
	loc := location(t)
	a := open(t, loc)
	t.Cleanup(func() { must(t, a.Close(), "Close a") })
	b := open(t, loc)
	t.Cleanup(func() { must(t, b.Close(), "Close b") })

	errs := parallel(writers, func(i int) error {
		s := a
		if i%2 == 1 {
			s = b
		}
		r := sampleRole(caseVariant("shared-name", i))
		r.ID = fmt.Sprintf("AROA%04d", i)
		return s.CreateRole(ctx, r)
	})
	w := oneWinner(t, "CreateRole through two stores", errs)
	for name, s := range map[string]store.Store{"a": a, "b": b} {
		got, err := s.GetRole(ctx, "SHARED-NAME")
		must(t, err, "GetRole through "+name)
		equal(t, "role ID seen through "+name, got.ID, fmt.Sprintf("AROA%04d", w))
	}
	errs = parallel(writers, func(i int) error {
		s := a
		if i%2 == 1 {
			s = b
		}
		return s.UpdateRole(ctx, "shared-name", func(r *store.Role) error { r.MaxSessionDuration++; return nil })
	})
	for i, err := range errs {
		must(t, err, fmt.Sprint("UpdateRole through two stores ", i))
	}
	got, err := a.GetRole(ctx, "shared-name")
	must(t, err, "GetRole")
	equal(t, "max session duration after increments through two stores", got.MaxSessionDuration, sampleRole("x").MaxSessionDuration+writers)

	before := generation(t, b)
	must(t, a.PutBucketPolicy(ctx, store.BucketPolicy{Bucket: "b", Document: "{}"}), "PutBucketPolicy through a")
	if g := generation(t, b); g <= before {
		t.Fatalf("generation seen through b after a write through a = %d, want more than %d", g, before)
	}
}
