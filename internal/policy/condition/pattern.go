package condition

import (
	"strings"
	"unicode/utf8"
)

// Pattern is a compiled wildcard pattern: '*' matches any run of characters (including none,
// '/' and ':'), '?' exactly one character, everything else itself. A pattern compiled from a
// Template may hold policy variables, whose values are taken literally (never as
// wildcards) when MatchContext resolves them. A Pattern is immutable and safe for concurrent
// use; the zero value matches only the empty string.
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

// String returns the pattern as written.
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

// Match reports whether s matches the whole pattern; a policy variable in the pattern takes
// its default or, without one, matches nothing. Match does not allocate, except to search
// for a segment of more than 64 characters.
func (p Pattern) Match(s string) bool { return p.MatchContext(s, nil) }

// MatchContext is Match with the pattern's policy variables resolved from ctx (a key with
// exactly one value; else the default; else the pattern matches nothing). It allocates only
// when a variable sits in a segment that must be searched for, next to other characters.
func (p Pattern) MatchContext(s string, ctx Context) bool {
	if !p.star {
		if len(p.segs) == 0 {
			return s == ""
		}
		end, ok := p.segs[0].at(s, 0, p.fold, ctx)
		return ok && end == len(s)
	}
	segs, pos := p.segs, 0
	if !p.lead && len(segs) > 0 {
		end, ok := segs[0].at(s, 0, p.fold, ctx)
		if !ok {
			return false
		}
		segs, pos = segs[1:], end
	}
	limit := len(s)
	if !p.tail && len(segs) > 0 {
		last := &segs[len(segs)-1]
		start, ok := last.suffixStart(s, ctx)
		if !ok || start < pos {
			return false
		}
		if end, ok := last.at(s, start, p.fold, ctx); !ok || end != len(s) {
			return false
		}
		segs, limit = segs[:len(segs)-1], start
	}
	for i := range segs {
		end, ok := segs[i].find(s[:limit], pos, p.fold, ctx)
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
	tokVar                // a policy variable: its value, taken literally
)

type tok struct {
	kind   tokKind
	s      string // tokLit: the text (lower-cased when folding); tokRaw: the byte; tokVar: the default
	key    string // tokVar: the lower-cased key
	hasDef bool   // tokVar: s is a default
}

// value resolves a variable token.
func (t *tok) value(ctx Context) (string, bool) {
	if v, ok := lookupSingle(ctx, t.key); ok {
		return v, true
	}
	return t.s, t.hasDef
}

// segment is a run of the pattern between stars.
type segment struct {
	toks  []tok
	lit   string // the text when the segment is a single tokLit, for the fast paths
	chars int    // length in characters, variables not counted
	vars  bool   // holds a tokVar
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
func (sg *segment) at(s string, p int, fold bool, ctx Context) (int, bool) {
	for i := range sg.toks {
		t := &sg.toks[i]
		var ok bool
		switch t.kind {
		case tokLit:
			p, ok = literalAt(s, p, t.s, fold)
		case tokRaw:
			p, ok = rawAt(s, p, t.s[0])
		case tokAny:
			if ok = p < len(s); ok {
				_, n := char(s, p)
				p += n
			}
		case tokVar:
			var v string
			if v, ok = t.value(ctx); ok {
				p, ok = textAt(s, p, v, fold)
			}
		}
		if !ok {
			return 0, false
		}
	}
	return p, true
}

// literalAt matches valid UTF-8 text at s[p:], which starts on a character boundary.
func literalAt(s string, p int, lit string, fold bool) (int, bool) {
	if len(s)-p < len(lit) || !equalText(s[p:p+len(lit)], lit, fold) {
		return 0, false
	}
	return p + len(lit), true
}

// rawAt matches the invalid byte b, a character of its own, at s[p:].
func rawAt(s string, p int, b byte) (int, bool) {
	if p >= len(s) {
		return 0, false
	}
	if c, _ := char(s, p); c != rawBase+rune(b) {
		return 0, false
	}
	return p + 1, true
}

// textAt matches any text taken literally (a variable's value) at s[p:], character by
// character where it is not valid UTF-8.
func textAt(s string, p int, text string, fold bool) (int, bool) {
	for text != "" {
		n := validPrefix(text)
		ok := true
		if n == 0 {
			p, ok = rawAt(s, p, text[0])
			n = 1
		} else {
			p, ok = literalAt(s, p, text[:n], fold)
		}
		if !ok {
			return 0, false
		}
		text = text[n:]
	}
	return p, true
}

// find returns the end of the leftmost match of the segment in s[p:]. Leftmost-first is
// exact for a segment between stars: an earlier end leaves more for what follows.
func (sg *segment) find(s string, p int, fold bool, ctx Context) (int, bool) {
	if sg.vars {
		return sg.findResolved(s, p, fold, ctx)
	}
	if sg.bt == nil {
		i := strings.Index(s[p:], sg.lit)
		if i < 0 {
			return 0, false
		}
		return p + i + len(sg.lit), true
	}
	return sg.bt.find(s, p)
}

// findResolved searches for a segment holding variables: a lone variable with a valid
// value is found with strings.Index; anything else is compiled for this search.
func (sg *segment) findResolved(s string, p int, fold bool, ctx Context) (int, bool) {
	if len(sg.toks) == 1 && !fold {
		v, ok := sg.toks[0].value(ctx)
		if !ok || !utf8.ValidString(v) {
			return sg.findCompiled(s, p, fold, ctx)
		}
		i := strings.Index(s[p:], v)
		if i < 0 {
			return 0, false
		}
		return p + i + len(v), true
	}
	return sg.findCompiled(s, p, fold, ctx)
}

func (sg *segment) findCompiled(s string, p int, fold bool, ctx Context) (int, bool) {
	b := newBuilder(fold)
	for i := range sg.toks {
		t := &sg.toks[i]
		if t.kind != tokVar {
			b.cur = append(b.cur, *t)
			continue
		}
		v, ok := t.value(ctx)
		if !ok {
			return 0, false
		}
		b.literal(v)
	}
	if len(b.cur) == 0 {
		return p, true
	}
	resolved := newSegment(b.cur)
	if resolved.lit == "" || fold {
		resolved.bt = newBitap(resolved.toks, fold)
	}
	return resolved.find(s, p, fold, nil)
}

// suffixStart returns where a match of the segment would start if it ends s.
func (sg *segment) suffixStart(s string, ctx Context) (int, bool) {
	if sg.lit != "" {
		// A valid UTF-8 literal starts on a character boundary wherever its bytes occur.
		return len(s) - len(sg.lit), len(s) >= len(sg.lit)
	}
	chars := sg.chars
	for i := range sg.toks {
		if t := &sg.toks[i]; t.kind == tokVar {
			v, ok := t.value(ctx)
			if !ok {
				return 0, false
			}
			chars += utf8.RuneCountInString(v)
		}
	}
	end := len(s)
	for i := 0; i < chars; i++ {
		if end == 0 {
			return 0, false
		}
		_, n := utf8.DecodeLastRuneInString(s[:end])
		end -= n
	}
	return end, true
}

// equalText compares text with a literal, folding ASCII case when asked.
func equalText(text, lit string, fold bool) bool {
	if !fold {
		return text == lit
	}
	for i := 0; i < len(lit); i++ {
		if lower(text[i]) != lower(lit[i]) {
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

// builder assembles a Pattern from text whose wildcards count (wild), text taken literally
// (literal: ${*} escapes) and policy variables (variable).
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

func (b *builder) variable(key, def string, hasDef bool) {
	b.cur = append(b.cur, tok{kind: tokVar, key: key, s: def, hasDef: hasDef})
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
		_, n := char(s, i)
		if n == 1 && s[i] >= utf8.RuneSelf {
			return i
		}
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
		if sg := &p.segs[i]; !anchored && !sg.vars && (sg.lit == "" || p.fold) {
			sg.bt = newBitap(sg.toks, p.fold)
		}
	}
	return p
}

func newSegment(toks []tok) segment {
	sg := segment{toks: toks}
	for _, t := range toks {
		switch t.kind {
		case tokLit:
			sg.chars += utf8.RuneCountInString(t.s)
		case tokVar:
			sg.vars = true
		default:
			sg.chars++
		}
	}
	if len(toks) == 1 && toks[0].kind == tokLit {
		sg.lit = toks[0].s
	}
	return sg
}
