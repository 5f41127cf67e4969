package condition

import "strings"

// arnParts is how many colon-separated parts an ARN has; the last keeps further colons.
const arnParts = 6

// ARNPattern matches ARNs part by part, as the Resource element and the Arn operators do
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html):
// pattern and value are each cut at their first five colons, they must have as many parts,
// and each part is a wildcard Pattern, so a '*' never spans a colon inside the first five
// parts while in the sixth (the resource, where S3 keys may hold colons) it spans anything.
// The pattern "*" alone matches every value. Matching is case-sensitive. An ARNPattern is
// immutable and safe for concurrent use.
type ARNPattern struct {
	src   string
	all   bool
	parts []Pattern
}

// CompileARNPattern compiles s, whose '*' and '?' are wildcards.
func CompileARNPattern(s string) ARNPattern {
	t := LiteralTemplate(s)
	return t.ARNPattern()
}

// ARNPattern compiles the template as an ARN pattern. Colons cut parts only where the
// policy text has them; a variable's value stays inside its part.
func (t *Template) ARNPattern() ARNPattern {
	b := &arnBuilder{cur: newBuilder(false)}
	t.feed(b)
	b.parts = append(b.parts, b.cur.pattern())
	return ARNPattern{src: t.src, all: t.src == "*", parts: b.parts}
}

// String returns the pattern as written.
func (a ARNPattern) String() string { return a.src }

// Parts returns how many colon-separated parts the pattern has (1 to 6).
func (a ARNPattern) Parts() int { return len(a.parts) }

// Part returns the pattern of part i (0-based).
func (a ARNPattern) Part(i int) Pattern { return a.parts[i] }

// Match reports whether the ARN s matches; variables take their defaults (see
// Pattern.Match). It does not allocate.
func (a ARNPattern) Match(s string) bool { return a.MatchContext(s, nil) }

// MatchContext is Match with the pattern's policy variables resolved from ctx.
func (a ARNPattern) MatchContext(s string, ctx Context) bool {
	if a.all {
		return true
	}
	for i := range a.parts {
		part := s
		if i < len(a.parts)-1 {
			j := strings.IndexByte(s, ':')
			if j < 0 {
				return false
			}
			part, s = s[:j], s[j+1:]
		} else if len(a.parts) < arnParts && strings.Contains(s, ":") {
			return false
		}
		if !a.parts[i].MatchContext(part, ctx) {
			return false
		}
	}
	return true
}

// arnBuilder cuts the wild text of a template into ARN parts.
type arnBuilder struct {
	parts []Pattern
	cur   *builder
}

func (b *arnBuilder) wild(s string) {
	for len(b.parts) < arnParts-1 {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			break
		}
		b.cur.wild(s[:i])
		b.parts = append(b.parts, b.cur.pattern())
		b.cur = newBuilder(false)
		s = s[i+1:]
	}
	b.cur.wild(s)
}

func (b *arnBuilder) literal(s string) { b.cur.literal(s) }

func (b *arnBuilder) variable(key, def string, hasDef bool) { b.cur.variable(key, def, hasDef) }
