package condition

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// referenceMatch is the obvious dynamic-programming matcher over characters, slow but easy
// to trust: the fuzz targets hold Pattern to it.
func referenceMatch(pattern, s string, fold bool) bool {
	return referenceMatchChars(referencePattern(pattern), s, fold)
}

// refChar is one pattern character: text, or a wildcard ('*' or '?').
type refChar struct {
	text string
	wild byte
}

// referencePattern reads a pattern whose '*' and '?' are wildcards.
func referencePattern(pattern string) []refChar {
	var out []refChar
	for _, c := range referenceChars(pattern) {
		if c == "*" || c == "?" {
			out = append(out, refChar{wild: c[0]})
		} else {
			out = append(out, refChar{text: c})
		}
	}
	return out
}

// referenceLiteral reads text taken literally.
func referenceLiteral(text string) []refChar {
	var out []refChar
	for _, c := range referenceChars(text) {
		out = append(out, refChar{text: c})
	}
	return out
}

func referenceMatchChars(p []refChar, s string, fold bool) bool {
	t := referenceChars(s)
	// ok[j] says whether the pattern so far matches t[:j].
	ok := make([]bool, len(t)+1)
	ok[0] = true
	for _, pc := range p {
		next := make([]bool, len(t)+1)
		for j := 0; j <= len(t); j++ {
			switch {
			case pc.wild == '*':
				next[j] = ok[j] || (j > 0 && next[j-1])
			case j == 0:
			case pc.wild == '?':
				next[j] = ok[j-1]
			default:
				next[j] = ok[j-1] && referenceEqual(pc.text, t[j-1], fold)
			}
		}
		ok = next
	}
	return ok[len(t)]
}

func referenceChars(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		_, n := utf8.DecodeRuneInString(s[i:])
		out = append(out, s[i:i+n])
		i += n
	}
	return out
}

func referenceEqual(a, b string, fold bool) bool {
	if fold && len(a) == 1 && len(b) == 1 && a[0] < utf8.RuneSelf && b[0] < utf8.RuneSelf {
		return strings.EqualFold(a, b)
	}
	return a == b
}

func TestPatternFollowsTheIAMWildcardRules(t *testing.T) {
	cases := []struct {
		name, pattern, value string
		want                 bool
	}{
		{"a star matches a run that crosses slashes and colons", "repo:acme/app:*", "repo:acme/app:ref:refs/heads/main", true},
		{"a star matches the empty run", "repo:acme/app:*", "repo:acme/app:", true},
		{"the literal part must match exactly", "repo:acme/app:*", "repo:acme/app2:ref:refs/heads/main", false},
		{"matching is case-sensitive", "repo:acme/app:*", "repo:Acme/app:ref", false},
		{"a question mark matches one character", "v?", "v1", true},
		{"a question mark does not match none", "v?", "v", false},
		{"a question mark does not match two", "v?", "v12", false},
		{"a question mark matches one multi-byte character", "caf?", "café", true},
		{"a middle segment is found anywhere", "*/test/*", "bucket/1/2/test/x", true},
		{"segments must not overlap", "ab*ba", "aba", false},
		{"several stars in a row act as one", "a**b", "ab", true},
		{"a star alone matches everything", "*", "", true},
		{"the empty pattern matches only the empty value", "", "", true},
		{"the empty pattern rejects text", "", "x", false},
		{"a pattern without wildcards is equality", "abc", "abc", true},
		{"a question mark inside a middle segment", "*a?c*", "xxabcxx", true},
		{"the last segment is anchored at the end", "*.txt", "a.txt.bak", false},
		{"the first segment is anchored at the start", "s3:*", "xs3:Get", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := CompilePattern(c.pattern, false)
			if got := p.Match(c.value); got != c.want {
				t.Fatalf("%q matching %q = %v, want %v", c.pattern, c.value, got, c.want)
			}
			if ref := referenceMatch(c.pattern, c.value, false); ref != c.want {
				t.Fatalf("the reference disagrees with the table for %q %q", c.pattern, c.value)
			}
		})
	}
}

func TestPatternFoldsASCIICaseForActionNames(t *testing.T) {
	p := CompilePattern("s3:Get*", true)
	for _, v := range []string{"s3:GetObject", "S3:getobject", "s3:GETOBJECTTAGGING"} {
		if !p.Match(v) {
			t.Errorf("%q does not match s3:Get*", v)
		}
	}
	if p.Match("s3:PutObject") {
		t.Error("s3:PutObject matches s3:Get*")
	}
	mid := CompilePattern("*Object*", true)
	if !mid.Match("s3:putOBJECTacl") || mid.Match("s3:ListBucket") {
		t.Error("a folded middle segment is not found regardless of case")
	}
}

func TestPatternHandlesLongSegmentsWithQuestionMarks(t *testing.T) {
	seg := strings.Repeat("ab?", 40) // 120 characters: a multi-word search
	p := CompilePattern("*"+seg+"*", false)
	value := strings.Repeat("x", 100) + strings.Repeat("abZ", 40) + "tail"
	if !p.Match(value) {
		t.Fatal("a 120-character segment with '?' is not found")
	}
	if p.Match(strings.Repeat("abZ", 39)) {
		t.Fatal("a too-short value matched")
	}
}

func TestPatternTreatsInvalidUTF8BytesAsCharactersOfTheirOwn(t *testing.T) {
	euro := "\xe2\x82\xac"
	if CompilePattern("*\x82*", false).Match(euro) {
		t.Fatal("a lone continuation byte matched inside a valid character")
	}
	if !CompilePattern("?", false).Match("\xff") {
		t.Fatal("'?' does not match one invalid byte")
	}
	if !CompilePattern("a*\xffb", false).Match("axx\xffb") {
		t.Fatal("an invalid byte in the last segment is not matched")
	}
}

func TestAdversarialPatternMatchesIn20000CharactersWellUnderAMillisecond(t *testing.T) {
	p := CompilePattern(strings.Repeat("*a", 200)+"*b", false)
	value := strings.Repeat("a", 20000)
	start := time.Now()
	got := p.Match(value)
	if elapsed := time.Since(start); elapsed > time.Millisecond {
		t.Fatalf("took %v", elapsed)
	}
	if got {
		t.Fatal("matched a value without b")
	}
	if !p.Match(value + "b") {
		t.Fatal("did not match a value ending in b")
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	p := CompilePattern("repo:acme/*:ref:?efs/*", false)
	q := CompilePattern("*Object*", true)
	n := testing.AllocsPerRun(100, func() {
		p.Match("repo:acme/app:ref:refs/heads/main")
		q.Match("s3:GetObject")
	})
	if n != 0 {
		t.Fatalf("Match allocates %v times", n)
	}
}

func FuzzPatternMatchesReference(f *testing.F) {
	seeds := [][2]string{
		{"repo:acme/*", "repo:acme/app:ref:refs/heads/main"},
		{"*a*a*b", "aaaaab"}, {"?*?", "ab"}, {"a?c*d", "abcxd"}, {"*\xe2*", "\xe2\x82\xac"},
		{"*é?", "aéb"}, {"**", ""}, {"*ab?ab*", "abxabyabzab"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], false)
		f.Add(s[0], s[1], true)
	}
	f.Fuzz(func(t *testing.T, pattern, value string, fold bool) {
		if len(pattern) > 200 || len(value) > 400 {
			return
		}
		p := CompilePattern(pattern, fold)
		if got, want := p.Match(value), referenceMatch(pattern, value, fold); got != want {
			t.Fatalf("CompilePattern(%q, %v).Match(%q) = %v, reference says %v", pattern, fold, value, got, want)
		}
	})
}
