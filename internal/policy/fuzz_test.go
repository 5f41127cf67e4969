package policy

import (
	"errors"
	"testing"
)

// FuzzParse feeds arbitrary documents to Parse: it must never panic, every refusal must
// wrap ErrMalformed, every accepted policy must evaluate the same way with and without a
// trace, and Lint must not panic on it.
func FuzzParse(f *testing.F) {
	for _, c := range readGrammar(f) {
		f.Add([]byte(c.doc), uint8(c.kind), "repo:acme/app:ref:refs/heads/main")
	}
	f.Fuzz(func(t *testing.T, doc []byte, kind uint8, claim string) {
		p, err := Parse(doc, Kind(kind%4))
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if p.Size() <= 0 || len(p.Statements()) == 0 {
			t.Fatalf("accepted policy with size %d and %d statements", p.Size(), len(p.Statements()))
		}
		_ = Lint(p, LintOptions{IncludeInfo: true, ClientIDs: map[string][]string{gh: {claim}}})
		r := githubRequest(claim)
		r.Context.(Keys).Set("aws:principaltag/repository", claim)
		for _, set := range []*Set{{Identity: []*Policy{p}}, {Resource: p}, {Identity: []*Policy{p}, Boundary: p, Session: []*Policy{p}}} {
			d := Evaluate(r, set)
			d2, tr := Explain(r, set)
			if d != d2 || tr.Reason() == "" {
				t.Fatalf("Evaluate %+v, Explain %+v (%q)", d, d2, tr.Reason())
			}
		}
	})
}
