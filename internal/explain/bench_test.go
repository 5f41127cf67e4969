package explain

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/inkan-dev/inkan/internal/policy"
)

// BenchmarkSimulateWebIdentity is one `inkan policy simulate` decision on the seed's trust
// policy for a refused token: request building, the evaluator's full trace and its
// conversion to the recorded form.
func BenchmarkSimulateWebIdentity(b *testing.B) {
	w := webIdentity(b, seedTrust, claimsOf(b, job("evil/app", "refs/heads/main")))
	b.ReportAllocs()
	for b.Loop() {
		if res, err := SimulateWebIdentity(w); err != nil || res.Allowed {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteResult renders a simulated denial with its trace and claims as text.
func BenchmarkWriteResult(b *testing.B) {
	res, err := SimulateWebIdentity(webIdentity(b, seedTrust, claimsOf(b, job("evil/app", "refs/heads/main"))))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := WriteResult(io.Discard, res); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLintDocument parses, lints and locates the findings of a two-statement file.
func BenchmarkLintDocument(b *testing.B) {
	doc, err := os.ReadFile(filepath.Join("testdata", "lint", "unsafe.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if r := LintDocument("unsafe.json", doc, policy.Trust, policy.LintOptions{IncludeInfo: true}); len(r.Findings) == 0 {
			b.Fatal("no findings")
		}
	}
}

// BenchmarkWhoCanAssume analyses the seed's trust policy.
func BenchmarkWhoCanAssume(b *testing.B) {
	p := mustParse(b, seedTrust, policy.Trust)
	b.ReportAllocs()
	for b.Loop() {
		if a := WhoCanAssume(p, policy.LintOptions{}); len(a.Grants) != 1 {
			b.Fatal("no grant")
		}
	}
}
