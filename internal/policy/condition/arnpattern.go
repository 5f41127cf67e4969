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
	p, _ := t.ARNPattern(nil)
	return p
}

// ARNPattern compiles the template as an ARN pattern after substitution. Colons cut parts
// only where the policy text has them; a substituted value stays inside its part. ok is
// false when a variable has no value.
func (t *Template) ARNPattern(ctx Context) (ARNPattern, bool) {
	b := &arnBuilder{cur: newBuilder(false)}
	if !t.feed(ctx, b) {
		return ARNPattern{}, false
	}
	b.parts = append(b.parts, b.cur.pattern())
	src := t.shown(ctx)
	return ARNPattern{src: src, all: src == "*", parts: b.parts}, true
}

// String returns the pattern as written.
func (a ARNPattern) String() string { return a.src }

// Parts returns how many colon-separated parts the pattern has (1 to 6).
func (a ARNPattern) Parts() int { return len(a.parts) }

// Part returns the pattern of part i (0-based).
func (a ARNPattern) Part(i int) Pattern { return a.parts[i] }

// Match reports whether the ARN s matches. It does not allocate.
func (a ARNPattern) Match(s string) bool {
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
		if !a.parts[i].Match(part) {
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
