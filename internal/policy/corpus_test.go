package policy

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// grammarCase is one case of testdata/grammar.txt.
type grammarCase struct {
	accept bool
	kind   Kind
	text   string // what the case shows, or the exact error
	doc    string
	line   int
}

func readGrammar(t testing.TB) []grammarCase {
	t.Helper()
	data, err := os.ReadFile("testdata/grammar.txt")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]Kind{"identity": Identity, "resource": Resource, "session": Session, "trust": Trust}
	var cases []grammarCase
	for i, line := range strings.Split(string(data), "\n") {
		header, ok := strings.CutPrefix(line, "### ")
		switch {
		case ok:
			head, text, _ := strings.Cut(header, " | ")
			verdict, kind, _ := strings.Cut(head, " ")
			k, known := kinds[kind]
			if !known || (verdict != "accept" && verdict != "reject") {
				t.Fatalf("grammar.txt:%d: bad header %q", i+1, line)
			}
			cases = append(cases, grammarCase{accept: verdict == "accept", kind: k, text: text, line: i + 1})
		case len(cases) > 0:
			cases[len(cases)-1].doc += line + "\n"
		}
	}
	return cases
}

func TestGrammarCorpus(t *testing.T) {
	cases := readGrammar(t)
	if len(cases) < 50 {
		t.Fatalf("only %d cases read", len(cases))
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.doc), c.kind)
		switch {
		case c.accept && err != nil:
			t.Errorf("grammar.txt:%d (%s) refused: %v", c.line, c.text, err)
		case !c.accept && err == nil:
			t.Errorf("grammar.txt:%d accepted, want %q", c.line, c.text)
		case !c.accept && err.Error() != c.text:
			t.Errorf("grammar.txt:%d error\n  %s\nwant\n  %s", c.line, err, c.text)
		case !c.accept && !errors.Is(err, ErrMalformed):
			t.Errorf("grammar.txt:%d error %v does not wrap ErrMalformed", c.line, err)
		}
	}
}
