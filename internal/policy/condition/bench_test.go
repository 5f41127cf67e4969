package condition

import (
	"strings"
	"testing"
)

// BenchmarkAdversarialStringLike is the acceptance case: '*a*a*…b' (200 stars) against
// 20,000 characters, which a backtracking matcher does not finish. "fails" is a value of
// 'a's only, "matches" ends in 'b' so every segment must be found, and "scans" puts a 'c'
// before the 'b' that no value holds, so the search crosses the whole value.
func BenchmarkAdversarialStringLike(b *testing.B) {
	stars := strings.Repeat("*a", 200)
	for _, c := range []struct{ name, pattern, value string }{
		{"fails", stars + "*b", strings.Repeat("a", 20000)},
		{"matches", stars + "*b", strings.Repeat("a", 20000) + "b"},
		{"scans", stars + "*c*b", strings.Repeat("a", 20000) + "b"},
	} {
		b.Run(c.name, func(b *testing.B) {
			cl, err := Compile("StringLike", "k", []string{c.pattern}, true)
			if err != nil {
				b.Fatal(err)
			}
			ctx := keys{"k": {c.value}}
			want := c.name == "matches"
			b.ReportAllocs()
			for b.Loop() {
				if cl.Eval(ctx) != want {
					b.Fatal("wrong result")
				}
			}
		})
	}
}

// BenchmarkAdversarialQuestionMarks searches a 20,000-character value for a segment of
// 1,000 characters full of '?', the worst case of the bit-parallel search.
func BenchmarkAdversarialQuestionMarks(b *testing.B) {
	p := CompilePattern("*"+strings.Repeat("a?", 500)+"b*", false)
	v := strings.Repeat("a", 20000)
	b.ReportAllocs()
	for b.Loop() {
		if p.Match(v) {
			b.Fatal("matched")
		}
	}
}
