package oidc

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxJSONDepth bounds nesting in headers and claims; real tokens nest two or
// three levels (the AWS session-tags claim is the deepest common one).
const maxJSONDepth = 32

// parseJSONObject parses one JSON object strictly: RFC 8259 syntax, nothing
// but whitespace after it, valid UTF-8 everywhere (including \u escapes, so a
// lone surrogate is refused), and no object anywhere with the same member
// name twice after unescaping. encoding/json accepts duplicates and keeps the
// last, which lets two parsers of one token disagree about its claims; that
// is why this exists.
//
// Values come back as encoding/json's UseNumber mode would produce them:
// map[string]any, []any, string, json.Number (the exact number text), bool
// and nil. Strings without escapes share memory with s.
func parseJSONObject(s string) (map[string]any, error) {
	p := jsonParser{s: s}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, p.errorf("want a JSON object")
	}
	m, err := p.object(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(p.s) {
		return nil, p.errorf("data after the object")
	}
	return m, nil
}

type jsonParser struct {
	s string
	i int
}

// jsonError reports where parsing stopped; it never quotes the input, which
// may be a token.
type jsonError struct {
	offset int
	msg    string
}

func (e *jsonError) Error() string {
	return fmt.Sprintf("json: %s at offset %d", e.msg, e.offset)
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &jsonError{offset: p.i, msg: fmt.Sprintf(format, args...)}
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// value parses any JSON value starting at p.i (after whitespace).
func (p *jsonParser) value(depth int) (any, error) {
	if p.i >= len(p.s) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth + 1)
	case c == '[':
		return p.array(depth + 1)
	case c == '"':
		return p.str()
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		return p.literal()
	}
}

func (p *jsonParser) object(depth int) (map[string]any, error) {
	if depth > maxJSONDepth {
		return nil, p.errorf("nesting deeper than %d", maxJSONDepth)
	}
	p.i++ // '{'
	m := make(map[string]any, p.sizeHint(depth))
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return m, nil
	}
	for {
		if p.i >= len(p.s) || p.s[p.i] != '"' {
			return nil, p.errorf("want a member name")
		}
		at := p.i
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.i >= len(p.s) || p.s[p.i] != ':' {
			return nil, p.errorf("want ':'")
		}
		p.i++
		p.space()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		// Inserting and checking that the map grew hashes the name once;
		// the map is discarded on a duplicate anyway.
		n := len(m)
		if m[k] = v; len(m) == n {
			p.i = at
			return nil, p.errorf("duplicate member name")
		}
		if done, err := p.next('}'); done || err != nil {
			return m, err
		}
	}
}

// sizeHint guesses how many members an object will hold. For the outermost
// object, the number of colons in the whole input (every member has one,
// some values more) is cheap to count, as one byte is counted with vector
// instructions, and spares the claims map its rehashes. It is capped so that
// a hostile token full of colons cannot make a huge map.
func (p *jsonParser) sizeHint(depth int) int {
	if depth == 0 {
		return min(strings.Count(p.s, ":"), maxSizeHint)
	}
	return 4
}

// maxSizeHint is more members than real claim sets have.
const maxSizeHint = 128

func (p *jsonParser) array(depth int) ([]any, error) {
	if depth > maxJSONDepth {
		return nil, p.errorf("nesting deeper than %d", maxJSONDepth)
	}
	p.i++ // '['
	a := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return a, nil
	}
	for {
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		if done, err := p.next(']'); done || err != nil {
			return a, err
		}
	}
}

// next consumes the separator after a member or element: it reports done at
// the closing byte, and leaves p.i at the next value after a comma.
func (p *jsonParser) next(closing byte) (done bool, err error) {
	p.space()
	if p.i >= len(p.s) {
		return true, p.errorf("unexpected end")
	}
	switch p.s[p.i] {
	case closing:
		p.i++
		return true, nil
	case ',':
		p.i++
		p.space()
		return false, nil
	}
	return true, p.errorf("want ',' or %q", closing)
}

func (p *jsonParser) literal() (any, error) {
	for _, l := range [...]struct {
		text string
		v    any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(p.s)-p.i >= len(l.text) && p.s[p.i:p.i+len(l.text)] == l.text {
			p.i += len(l.text)
			return l.v, nil
		}
	}
	return nil, p.errorf("invalid value")
}

// number checks RFC 8259 number syntax and returns the text unchanged.
func (p *jsonParser) number() (json.Number, error) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.i < len(p.s) && p.s[p.i] >= '1' && p.s[p.i] <= '9':
		p.digits()
	default:
		return "", p.errorf("invalid number")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return "", p.errorf("invalid number")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return "", p.errorf("invalid number")
		}
	}
	return json.Number(p.s[start:p.i]), nil
}

func (p *jsonParser) digits() int {
	start := p.i
	for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
		p.i++
	}
	return p.i - start
}

// str parses a string at p.i (which holds '"'). The common case, no escapes,
// returns a substring of the input without copying.
func (p *jsonParser) str() (string, error) {
	p.i++ // opening quote
	start := p.i
	for p.i < len(p.s) {
		p.i = skipPlain(p.s, p.i)
		if p.i >= len(p.s) {
			break
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return p.s[start : p.i-1], nil
		case c == '\\':
			return p.escaped(start)
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c < utf8.RuneSelf:
			p.i++
		default:
			if err := p.utf8Rune(); err != nil {
				return "", err
			}
		}
	}
	return "", p.errorf("unterminated string")
}

// skipPlain returns the index of the first byte at or after i that a
// string may not contain as it is: '"', '\\', a control character or a
// non-ASCII byte (which needs UTF-8 validation). It looks at eight bytes at a
// time, which matters because claims are mostly string bytes.
func skipPlain(s string, i int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	for ; i+8 <= len(s); i += 8 {
		v := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		quote := v ^ (ones * '"')
		backslash := v ^ (ones * '\\')
		special := (quote-ones) & ^quote | (backslash-ones) & ^backslash | (v - ones*0x20) | v
		if special&highs != 0 {
			break
		}
	}
	for i < len(s) && s[i] >= 0x20 && s[i] < utf8.RuneSelf && s[i] != '"' && s[i] != '\\' {
		i++
	}
	return i
}

func (p *jsonParser) utf8Rune() error {
	r, n := utf8.DecodeRuneInString(p.s[p.i:])
	if r == utf8.RuneError && n <= 1 {
		return p.errorf("invalid UTF-8")
	}
	p.i += n
	return nil
}

// escaped finishes a string that contains escapes, copying into a buffer.
func (p *jsonParser) escaped(start int) (string, error) {
	buf := make([]byte, 0, p.i-start+16)
	buf = append(buf, p.s[start:p.i]...)
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), nil
		case c == '\\':
			var err error
			if buf, err = p.escape(buf); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.i++
		default:
			at := p.i
			if err := p.utf8Rune(); err != nil {
				return "", err
			}
			buf = append(buf, p.s[at:p.i]...)
		}
	}
	return "", p.errorf("unterminated string")
}

// escape decodes one backslash escape at p.i and appends it to buf.
func (p *jsonParser) escape(buf []byte) ([]byte, error) {
	if p.i+1 >= len(p.s) {
		return nil, p.errorf("unterminated string")
	}
	c := p.s[p.i+1]
	p.i += 2
	switch c {
	case '"', '\\', '/':
		return append(buf, c), nil
	case 'b':
		return append(buf, '\b'), nil
	case 'f':
		return append(buf, '\f'), nil
	case 'n':
		return append(buf, '\n'), nil
	case 'r':
		return append(buf, '\r'), nil
	case 't':
		return append(buf, '\t'), nil
	case 'u':
		r, err := p.unicodeEscape()
		if err != nil {
			return nil, err
		}
		return utf8.AppendRune(buf, r), nil
	}
	p.i -= 2
	return nil, p.errorf("invalid escape")
}

// unicodeEscape reads the hex of a \u escape (p.i just past the 'u'),
// joining a surrogate pair and refusing a lone surrogate.
func (p *jsonParser) unicodeEscape() (rune, error) {
	r, ok := p.hex4()
	if !ok {
		return 0, p.errorf("invalid \\u escape")
	}
	if !utf16.IsSurrogate(r) {
		return r, nil
	}
	if r < 0xdc00 && len(p.s)-p.i >= 2 && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
		p.i += 2
		if lo, ok := p.hex4(); ok {
			if full := utf16.DecodeRune(r, lo); full != utf8.RuneError {
				return full, nil
			}
		}
	}
	return 0, p.errorf("lone surrogate in \\u escape")
}

func (p *jsonParser) hex4() (rune, bool) {
	if len(p.s)-p.i < 4 {
		return 0, false
	}
	h := p.s[p.i : p.i+4]
	for j := 0; j < 4; j++ {
		if !isHex(h[j]) {
			return 0, false
		}
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
