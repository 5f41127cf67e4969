package condition

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// ErrTemplate is wrapped by every error ParseTemplate returns.
var ErrTemplate = errors.New("malformed policy variable")

// Template is a policy value that may hold policy variables
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html):
// ${key} is replaced by the request's single value of key, ${key, 'default'} falls back to
// default when the key has no single value, and ${*}, ${?}, ${$} stand for a literal '*',
// '?' and '$'. Text outside variables keeps its wildcards; substituted values and escapes
// never act as wildcards (decision: a tag value of "*" must not widen a grant; AWS's
// behaviour there is undocumented). A Template is immutable and safe for concurrent use.
type Template struct {
	src   string
	parts []tpart
	vars  bool // holds a variable (not only escapes)
}

type tpartKind uint8

const (
	tText    tpartKind = iota // policy text: its wildcards count
	tLiteral                  // an escape: the character taken literally
	tVar                      // a variable
)

type tpart struct {
	kind   tpartKind
	text   string // tText, tLiteral: the text; tVar: the default
	key    string // tVar: the lower-cased key
	hasDef bool
}

// LiteralTemplate returns a template of s without variables: in the 2008-10-17 policy
// language (or without Version) "${…}" is plain text.
func LiteralTemplate(s string) Template {
	if s == "" {
		return Template{}
	}
	return Template{src: s, parts: []tpart{{kind: tText, text: s}}}
}

// ParseTemplate parses the policy variables of s. A "${" must be closed by "}" and name a
// key; "$" not followed by "{" is plain text. The error wraps ErrTemplate and quotes s.
func ParseTemplate(s string) (Template, error) {
	t := Template{src: s}
	rest := s
	for rest != "" {
		i := strings.Index(rest, "${")
		if i < 0 {
			t.parts = append(t.parts, tpart{kind: tText, text: rest})
			break
		}
		if i > 0 {
			t.parts = append(t.parts, tpart{kind: tText, text: rest[:i]})
		}
		part, n, err := parseVariable(rest[i+2:])
		if err != nil {
			return Template{}, fmt.Errorf("%w in %q: %s", ErrTemplate, s, err)
		}
		t.parts = append(t.parts, part)
		t.vars = t.vars || part.kind == tVar
		rest = rest[i+2+n:]
	}
	return t, nil
}

// parseVariable parses what follows "${" and returns the part and the bytes consumed,
// including the closing brace.
func parseVariable(s string) (tpart, int, error) {
	end := strings.IndexAny(s, ",}")
	if end < 0 {
		return tpart{}, 0, errors.New(`"${" is not closed by "}"`)
	}
	name := strings.TrimSpace(s[:end])
	special := name == "*" || name == "?" || name == "$"
	switch {
	case name == "":
		return tpart{}, 0, errors.New("a variable names no key")
	case special && s[end] == '}':
		return tpart{kind: tLiteral, text: name}, end + 1, nil
	case special || strings.ContainsAny(name, "${'"):
		return tpart{}, 0, fmt.Errorf("variable name %q holds '$', '{', a quote or a wildcard", name)
	case s[end] == '}':
		return tpart{kind: tVar, key: strings.ToLower(name)}, end + 1, nil
	}
	def, n, err := parseDefault(s[end+1:])
	if err != nil {
		return tpart{}, 0, err
	}
	return tpart{kind: tVar, key: strings.ToLower(name), text: def, hasDef: true}, end + 1 + n, nil
}

// parseDefault parses " 'default' }" and returns the default and the bytes consumed.
func parseDefault(s string) (string, int, error) {
	trimmed := strings.TrimLeft(s, " ")
	skipped := len(s) - len(trimmed)
	if !strings.HasPrefix(trimmed, "'") {
		return "", 0, errors.New("a default value must be in single quotes: ${key, 'default'}")
	}
	closeQuote := strings.IndexByte(trimmed[1:], '\'')
	if closeQuote < 0 {
		return "", 0, errors.New("a default value's quote is not closed")
	}
	def := trimmed[1 : 1+closeQuote]
	after := trimmed[2+closeQuote:]
	rest := strings.TrimLeft(after, " ")
	if !strings.HasPrefix(rest, "}") {
		return "", 0, errors.New(`a default value must be followed by "}"`)
	}
	return def, skipped + 2 + closeQuote + (len(after) - len(rest)) + 1, nil
}

// String returns the template as written.
func (t *Template) String() string { return t.src }

// HasVariables reports whether the template holds a variable to substitute (escapes alone
// do not count).
func (t *Template) HasVariables() bool { return t.vars }

// Variables lists the lower-cased keys the template's variables read, in order.
func (t *Template) Variables() []string {
	var out []string
	for _, p := range t.parts {
		if p.kind == tVar {
			out = append(out, p.key)
		}
	}
	return out
}

// sink receives a template's parts: wild text keeps its wildcards, literal text does not,
// and variables are left to the sink.
type sink interface {
	wild(s string)
	literal(s string)
	variable(key, def string, hasDef bool)
}

func (t *Template) feed(out sink) {
	for _, p := range t.parts {
		switch p.kind {
		case tText:
			out.wild(p.text)
		case tLiteral:
			out.literal(p.text)
		case tVar:
			out.variable(p.key, p.text, p.hasDef)
		}
	}
}

// resolve returns a variable part's value: the key's single value from ctx, else the
// default. ok is false when there is neither: then, as AWS documents, the policy value
// matches nothing.
func (p *tpart) resolve(ctx Context) (string, bool) {
	if v, ok := lookupSingle(ctx, p.key); ok {
		return v, true
	}
	return p.text, p.hasDef
}

// piece returns a part's text after substitution (escapes resolved).
func (p *tpart) piece(ctx Context) (string, bool) {
	if p.kind == tVar {
		return p.resolve(ctx)
	}
	return p.text, true
}

// lookupSingle returns the key's value when it has exactly one: a multivalued key cannot be
// a policy variable.
func lookupSingle(ctx Context, key string) (string, bool) {
	if ctx == nil {
		return "", false
	}
	vs, _ := ctx.Values(key)
	if len(vs) != 1 {
		return "", false
	}
	return vs[0], true
}

// Resolvable reports whether every variable of the template has a value in ctx or a default.
func (t *Template) Resolvable(ctx Context) bool {
	for i := range t.parts {
		if p := &t.parts[i]; p.kind == tVar {
			if _, ok := p.resolve(ctx); !ok {
				return false
			}
		}
	}
	return true
}

// Expand returns the template's text with its variables substituted and escapes resolved.
// ok is false when a variable has no value.
func (t *Template) Expand(ctx Context) (string, bool) {
	if len(t.parts) == 1 && t.parts[0].kind == tText {
		return t.parts[0].text, true
	}
	var b strings.Builder
	for i := range t.parts {
		piece, ok := t.parts[i].piece(ctx)
		if !ok {
			return "", false
		}
		b.WriteString(piece)
	}
	return b.String(), true
}

// Equal reports whether s equals the template's expansion without building it; with fold,
// under Unicode simple case folding (strings.EqualFold). A variable without value makes it
// false.
func (t *Template) Equal(s string, ctx Context, fold bool) bool {
	for i := range t.parts {
		piece, ok := t.parts[i].piece(ctx)
		if !ok {
			return false
		}
		n := len(piece)
		if fold {
			n = prefixOfRunes(s, utf8.RuneCountInString(piece))
			if n < 0 || !strings.EqualFold(s[:n], piece) {
				return false
			}
		} else if !strings.HasPrefix(s, piece) {
			return false
		}
		s = s[n:]
	}
	return s == ""
}

// prefixOfRunes returns the byte length of the first n runes of s, or -1.
func prefixOfRunes(s string, n int) int {
	i := 0
	for ; n > 0; n-- {
		if i >= len(s) {
			return -1
		}
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
	}
	return i
}

// Pattern compiles the template as a wildcard pattern: the policy text's '*' and '?' are
// wildcards, escapes and variable values (resolved by Pattern.MatchContext) are not.
func (t *Template) Pattern(fold bool) Pattern {
	b := newBuilder(fold)
	t.feed(b)
	p := b.pattern()
	p.src = t.src
	return p
}

// Shown renders the template after substitution for traces: escapes as written, so that a
// literal '*' stays distinguishable from a wildcard, and a variable without value as
// written.
func (t *Template) Shown(ctx Context) string {
	if !t.vars {
		return t.src
	}
	var b strings.Builder
	for i := range t.parts {
		p := &t.parts[i]
		switch p.kind {
		case tText:
			b.WriteString(p.text)
		case tLiteral:
			b.WriteString("${" + p.text + "}")
		case tVar:
			if v, ok := p.resolve(ctx); ok {
				b.WriteString(v)
			} else {
				return t.src
			}
		}
	}
	return b.String()
}
