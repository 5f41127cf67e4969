package condition

import (
	"strings"
	"unicode/utf8"
)

// Pattern is a compiled wildcard pattern: '*' matches any run of characters (including none,
// '/' and ':'), '?' exactly one character, everything else itself. A Pattern is immutable
// and safe for concurrent use; the zero value matches only the empty string.
type Pattern struct {
	src  string
	segs []segment
	star bool // at least one '*': segments are separated by stars
	lead bool // starts with '*': the first segment is not anchored
	tail bool // ends with '*': the last segment is not anchored
	fold bool // ASCII letters match regardless of case
}

// CompilePattern compiles s with '*' and '?' as wildcards. With fold, ASCII letters match
// regardless of case (IAM action names); other characters always match exactly.
func CompilePattern(s string, fold bool) Pattern {
	b := newBuilder(fold)
	b.wild(s)
	p := b.pattern()
	p.src = s
	return p
}

// String returns the pattern as written (for a pattern built from a template with variables,
// the text after substitution, with literal wildcards shown as written).
func (p Pattern) String() string { return p.src }

// HasWildcard reports whether the pattern holds a '*' or '?' that acts as a wildcard.
func (p Pattern) HasWildcard() bool {
	if p.star {
		return true
	}
	for i := range p.segs {
		for _, t := range p.segs[i].toks {
			if t.kind == tokAny {
				return true
			}
		}
	}
	return false
}

// Match reports whether s matches the whole pattern. It does not allocate, except for a
// segment of more than 64 characters that must be searched for.
func (p Pattern) Match(s string) bool {
	if !p.star {
		if len(p.segs) == 0 {
			return s == ""
		}
		end, ok := p.segs[0].at(s, 0, p.fold)
		return ok && end == len(s)
	}
	segs, pos := p.segs, 0
	if !p.lead && len(segs) > 0 {
		end, ok := segs[0].at(s, 0, p.fold)
		if !ok {
			return false
		}
		segs, pos = segs[1:], end
	}
	limit := len(s)
	if !p.tail && len(segs) > 0 {
		last := &segs[len(segs)-1]
		start, ok := last.suffixStart(s)
		if !ok || start < pos {
			return false
		}
		if end, ok := last.at(s, start, p.fold); !ok || end != len(s) {
			return false
		}
		segs, limit = segs[:len(segs)-1], start
	}
	for i := range segs {
		end, ok := segs[i].find(s[:limit], pos, p.fold)
		if !ok {
			return false
		}
		pos = end
	}
	return true
}

type tokKind uint8

const (
	tokLit tokKind = iota // valid UTF-8 text
	tokRaw                // one byte that is not valid UTF-8: one character of its own
	tokAny                // '?': any one character
)

type tok struct {
	kind tokKind
	s    string // tokLit: the text (lower-cased when folding); tokRaw: the byte
}

// segment is a run of the pattern between stars.
type segment struct {
	toks  []tok
	lit   string // the text when the segment is a single tokLit, for the fast paths
	chars int    // length in characters
	bt    *bitap // search table, when the segment must be searched for and lit cannot be
}

// rawBase maps an invalid UTF-8 byte b to the character rawBase+b, outside Unicode.
const rawBase = utf8.MaxRune + 1

// char decodes the character at s[i]: a rune, or rawBase+byte for an invalid byte.
func char(s string, i int) (rune, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n == 1 {
		return rawBase + rune(s[i]), 1
	}
	return r, n
}

// at matches the segment at s[p:] and returns where the match ends.
func (sg *segment) at(s string, p int, fold bool) (int, bool) {
	for _, t := range sg.toks {
		switch t.kind {
		case tokLit:
			if len(s)-p < len(t.s) || !equalText(s[p:p+len(t.s)], t.s, fold) {
				return 0, false
			}
			p += len(t.s)
		case tokRaw:
			if p >= len(s) {
				return 0, false
			}
			if c, _ := char(s, p); c != rawBase+rune(t.s[0]) {
				return 0, false
			}
			p++
		case tokAny:
			if p >= len(s) {
				return 0, false
			}
			_, n := char(s, p)
			p += n
		}
	}
	return p, true
}

// find returns the end of the leftmost match of the segment in s[p:]. Leftmost-first is
// exact for a segment between stars: an earlier end leaves more for what follows.
func (sg *segment) find(s string, p int, fold bool) (int, bool) {
	if sg.bt == nil {
		i := strings.Index(s[p:], sg.lit)
		if i < 0 {
			return 0, false
		}
		return p + i + len(sg.lit), true
	}
	return sg.bt.find(s, p)
}

// suffixStart returns where a match of the segment would start if it ends s.
func (sg *segment) suffixStart(s string) (int, bool) {
	if sg.lit != "" {
		// A valid UTF-8 literal starts on a character boundary wherever its bytes occur.
		return len(s) - len(sg.lit), len(s) >= len(sg.lit)
	}
	end := len(s)
	for i := 0; i < sg.chars; i++ {
		if end == 0 {
			return 0, false
		}
		_, n := utf8.DecodeLastRuneInString(s[:end])
		end -= n
	}
	return end, true
}

// equalText compares text with a literal, folding ASCII case when asked (lit is lower-case).
func equalText(text, lit string, fold bool) bool {
	if !fold {
		return text == lit
	}
	for i := 0; i < len(lit); i++ {
		if lower(text[i]) != lit[i] {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// builder assembles a Pattern from text whose wildcards count (wild) and text taken
// literally (literal: policy variable values, ${*} escapes).
type builder struct {
	fold bool
	star bool // a '*' was seen
	lead bool // the first '*' came before any other token
	segs []segment
	cur  []tok
}

func newBuilder(fold bool) *builder { return &builder{fold: fold} }

func (b *builder) wild(s string) {
	for s != "" {
		i := strings.IndexAny(s, "*?")
		if i < 0 {
			b.literal(s)
			return
		}
		b.literal(s[:i])
		if s[i] == '*' {
			b.starHere()
		} else {
			b.cur = append(b.cur, tok{kind: tokAny})
		}
		s = s[i+1:]
	}
}

func (b *builder) literal(s string) {
	for s != "" {
		n := validPrefix(s)
		if n == 0 {
			b.cur = append(b.cur, tok{kind: tokRaw, s: s[:1]})
			s = s[1:]
			continue
		}
		text := s[:n]
		if b.fold {
			text = lowerASCII(text)
		}
		if k := len(b.cur) - 1; k >= 0 && b.cur[k].kind == tokLit {
			b.cur[k].s += text
		} else {
			b.cur = append(b.cur, tok{kind: tokLit, s: text})
		}
		s = s[n:]
	}
}

// lowerASCII lower-cases the ASCII letters of s and leaves every other byte alone.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				b[j] = lower(b[j])
			}
			return string(b)
		}
	}
	return s
}

// validPrefix returns the length of the longest valid UTF-8 prefix of s.
func validPrefix(s string) int {
	i := 0
	for i < len(s) {
		if s[i] >= utf8.RuneSelf {
			if _, n := char(s, i); n == 1 {
				return i
			}
		}
		_, n := char(s, i)
		i += n
	}
	return i
}

func (b *builder) starHere() {
	if !b.star {
		b.lead = len(b.cur) == 0
	}
	b.star = true
	b.flush()
}

func (b *builder) flush() {
	if len(b.cur) > 0 {
		b.segs = append(b.segs, newSegment(b.cur))
	}
	b.cur = nil
}

// pattern finishes the pattern and prepares the search tables its segments need.
func (b *builder) pattern() Pattern {
	p := Pattern{fold: b.fold, star: b.star}
	if !b.star {
		if len(b.cur) > 0 {
			p.segs = []segment{newSegment(b.cur)}
		}
		return p
	}
	p.lead, p.tail = b.lead, len(b.cur) == 0
	b.flush()
	p.segs = b.segs
	for i := range p.segs {
		anchored := (i == 0 && !p.lead) || (i == len(p.segs)-1 && !p.tail)
		if sg := &p.segs[i]; !anchored && (sg.lit == "" || p.fold) {
			sg.bt = newBitap(sg.toks, p.fold)
		}
	}
	return p
}

func newSegment(toks []tok) segment {
	sg := segment{toks: toks}
	for _, t := range toks {
		if t.kind == tokLit {
			sg.chars += utf8.RuneCountInString(t.s)
		} else {
			sg.chars++
		}
	}
	if len(toks) == 1 && toks[0].kind == tokLit {
		sg.lit = toks[0].s
	}
	return sg
}
