package storetest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/inkan-dev/inkan/internal/store"
)

func blobTests() []test {
	ctx := context.Background()
	return []test{
		{"a blob is created at version 1, read back byte for byte, and replaced only at its current version", func(t *testing.T, s store.Store) {
			data := []byte("{\"secret\":\"\x00\xff binary is fine\"}")
			v, err := s.PutBlob(ctx, "root-credentials", data, 0)
			must(t, err, "PutBlob new")
			equal(t, "first version", v, int64(1))
			got, gv, err := s.GetBlob(ctx, "root-credentials")
			must(t, err, "GetBlob")
			equal(t, "data", got, data)
			equal(t, "version", gv, int64(1))
			_, err = s.PutBlob(ctx, "root-credentials", []byte("other"), 0)
			wantErr(t, err, store.ErrConflict, "PutBlob of an existing blob with ifVersion 0")
			_, err = s.PutBlob(ctx, "root-credentials", []byte("other"), 7)
			wantErr(t, err, store.ErrConflict, "PutBlob at a stale version")
			v, err = s.PutBlob(ctx, "root-credentials", []byte("second"), 1)
			must(t, err, "PutBlob at version 1")
			equal(t, "second version", v, int64(2))
			got, gv, err = s.GetBlob(ctx, "root-credentials")
			must(t, err, "GetBlob after replace")
			equal(t, "replaced data", string(got), "second")
			equal(t, "replaced version", gv, int64(2))
		}},
		{"a missing blob is ErrNotFound; a blob at a missing version is ErrConflict", func(t *testing.T, s store.Store) {
			_, _, err := s.GetBlob(ctx, "nothing")
			wantErr(t, err, store.ErrNotFound, "GetBlob of a missing blob")
			_, err = s.PutBlob(ctx, "nothing", []byte("x"), 3)
			wantErr(t, err, store.ErrConflict, "PutBlob of a missing blob at version 3")
		}},
		{"blob writes leave the generation unchanged", func(t *testing.T, s store.Store) {
			g := generation(t, s)
			_, err := s.PutBlob(ctx, "b", []byte("x"), 0)
			must(t, err, "PutBlob")
			equal(t, "generation after PutBlob", generation(t, s), g)
		}},
		{"an empty blob name or data over MaxBlobSize is refused with ErrInvalid", func(t *testing.T, s store.Store) {
			_, err := s.PutBlob(ctx, "", []byte("x"), 0)
			wantErr(t, err, store.ErrInvalid, "empty name")
			_, err = s.PutBlob(ctx, "big", make([]byte, store.MaxBlobSize+1), 0)
			wantErr(t, err, store.ErrInvalid, "data over MaxBlobSize")
			_, _, err = s.GetBlob(ctx, "big")
			wantErr(t, err, store.ErrNotFound, "GetBlob of the refused blob")
		}},
		{"of many concurrent creators of one blob exactly one wins", func(t *testing.T, s store.Store) {
			const n = 8
			var wg sync.WaitGroup
			errs := make([]error, n)
			for i := range n {
				wg.Go(func() { _, errs[i] = s.PutBlob(ctx, "race", []byte{byte(i)}, 0) })
			}
			wg.Wait()
			wins := 0
			for _, err := range errs {
				if err == nil {
					wins++
				} else {
					wantErr(t, err, store.ErrConflict, "losing PutBlob")
				}
			}
			equal(t, "winners", wins, 1)
		}},
	}
}

func sampleDecision(id string, day int, body string) store.Decision {
	return store.Decision{RequestID: id, Time: at(day), Service: "sts", Action: "sts:AssumeRoleWithWebIdentity", Outcome: "deny",
		Body: []byte(`{"request_id":"` + id + `","reason":"` + body + `"}`)}
}

func decisionTests() []test {
	ctx := context.Background()
	return []test{
		{"an appended decision is found by its request id, every field as written", func(t *testing.T, s store.Store) {
			d := sampleDecision("REQ-1", 0, "no statement allows it")
			must(t, s.AppendDecisions(ctx, []store.Decision{d, sampleDecision("REQ-2", 0, "other")}), "AppendDecisions")
			got, err := s.GetDecision(ctx, "REQ-1")
			must(t, err, "GetDecision")
			equal(t, "decision", got, d)
			_, err = s.GetDecision(ctx, "REQ-3")
			wantErr(t, err, store.ErrNotFound, "GetDecision of an unknown id")
		}},
		{"of two records with one request id the newer is returned", func(t *testing.T, s store.Store) {
			must(t, s.AppendDecisions(ctx, []store.Decision{sampleDecision("R", 2, "newer")}), "append newer")
			must(t, s.AppendDecisions(ctx, []store.Decision{sampleDecision("R", 1, "older")}), "append older")
			got, err := s.GetDecision(ctx, "R")
			must(t, err, "GetDecision")
			if !bytes.Contains(got.Body, []byte("newer")) {
				t.Fatalf("got %s, want the newer record", got.Body)
			}
		}},
		{"a batch with one invalid record writes nothing and fails with ErrInvalid", func(t *testing.T, s store.Store) {
			bad := sampleDecision("", 0, "x")
			err := s.AppendDecisions(ctx, []store.Decision{sampleDecision("ok", 0, "x"), bad})
			wantErr(t, err, store.ErrInvalid, "AppendDecisions with an empty request id")
			big := sampleDecision("big", 0, strings.Repeat("x", store.MaxDecisionSize))
			wantErr(t, s.AppendDecisions(ctx, []store.Decision{big}), store.ErrInvalid, "AppendDecisions of an oversized body")
			n, err := s.CountDecisions(ctx)
			must(t, err, "CountDecisions")
			equal(t, "records stored", n, int64(0))
		}},
		{"decision writes leave the generation unchanged", func(t *testing.T, s store.Store) {
			g := generation(t, s)
			must(t, s.AppendDecisions(ctx, []store.Decision{sampleDecision("R", 0, "x")}), "AppendDecisions")
			_, err := s.PruneDecisions(ctx, at(-1), 0)
			must(t, err, "PruneDecisions")
			equal(t, "generation", generation(t, s), g)
		}},
		{"pruning removes records older than the cut-off, then all but the newest keep", func(t *testing.T, s store.Store) {
			var batch []store.Decision
			for i := range 10 {
				batch = append(batch, sampleDecision(fmt.Sprintf("R%d", i), i, "x"))
			}
			must(t, s.AppendDecisions(ctx, batch), "AppendDecisions")
			n, err := s.PruneDecisions(ctx, at(3), 0)
			must(t, err, "PruneDecisions by age")
			equal(t, "removed by age", n, int64(3))
			n, err = s.PruneDecisions(ctx, at(0), 4)
			must(t, err, "PruneDecisions by count")
			equal(t, "removed by count", n, int64(3))
			left, err := s.CountDecisions(ctx)
			must(t, err, "CountDecisions")
			equal(t, "left", left, int64(4))
			for i := range 10 {
				_, err := s.GetDecision(ctx, fmt.Sprintf("R%d", i))
				if i < 6 {
					wantErr(t, err, store.ErrNotFound, fmt.Sprintf("GetDecision R%d after pruning", i))
				} else {
					must(t, err, fmt.Sprintf("GetDecision R%d after pruning", i))
				}
			}
			n, err = s.PruneDecisions(ctx, at(0), 100)
			must(t, err, "PruneDecisions with a larger keep")
			equal(t, "removed with keep above the count", n, int64(0))
		}},
		{"listing filters on every key, newest first, and pages with Before", func(t *testing.T, s store.Store) {
			var batch []store.Decision
			for i := range 6 {
				d := sampleDecision(fmt.Sprintf("L%d", i), i, "x")
				d.Role, d.Subject, d.SourceIP = fmt.Sprintf("role-%d", i%2), fmt.Sprintf("sub-%d", i%3), "127.0.0.1"
				if i%2 == 0 {
					d.Outcome = "allow"
				}
				batch = append(batch, d)
			}
			must(t, s.AppendDecisions(ctx, batch), "AppendDecisions")
			ids := func(f store.DecisionFilter) string {
				got, err := s.ListDecisions(ctx, f)
				must(t, err, "ListDecisions")
				var out []string
				for _, d := range got {
					out = append(out, d.RequestID)
				}
				return strings.Join(out, ",")
			}
			equal(t, "every record", ids(store.DecisionFilter{}), "L5,L4,L3,L2,L1,L0")
			equal(t, "allowed", ids(store.DecisionFilter{Outcome: "allow"}), "L4,L2,L0")
			equal(t, "a role", ids(store.DecisionFilter{Role: "role-1"}), "L5,L3,L1")
			equal(t, "a subject", ids(store.DecisionFilter{Subject: "sub-0"}), "L3,L0")
			equal(t, "a request id", ids(store.DecisionFilter{RequestID: "L2"}), "L2")
			equal(t, "a time range", ids(store.DecisionFilter{Since: at(1), Until: at(3)}), "L2,L1")
			equal(t, "an address and a limit", ids(store.DecisionFilter{SourceIP: "127.0.0.1", Limit: 2}), "L5,L4")
			page, err := s.ListDecisions(ctx, store.DecisionFilter{Limit: 2})
			must(t, err, "ListDecisions first page")
			equal(t, "the next page", ids(store.DecisionFilter{Before: page[1].Seq, Limit: 2}), "L3,L2")
			got, err := s.GetDecision(ctx, "L1")
			must(t, err, "GetDecision")
			equal(t, "the filter keys as written", got, batch[1])
		}},
	}
}
