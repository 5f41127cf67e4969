package condition

import (
	"strings"
	"testing"
)

func TestARNPatternMatchesPartByPart(t *testing.T) {
	cases := []struct {
		name, pattern, value string
		want                 bool
	}{
		{"an exact ARN", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket", true},
		{"a star in the resource spans slashes", "arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/1/2/test/x", true},
		{"a star in the resource spans colons", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a:b:c", true},
		{"a star in the region stays in the region", "arn:aws:sns:*:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:topic", true},
		{"a star in the account does not cross into the resource", "arn:aws:iam::*", "arn:aws:iam::1:role/x", false},
		{"the bucket ARN is not an object ARN", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", false},
		{"a question mark in a part", "arn:aws:iam::12345678901?:role/x", "arn:aws:iam::123456789012:role/x", true},
		{"a lone star matches everything", "*", "arn:aws:s3:::bucket/key", true},
		{"a pattern of fewer parts needs a value of as many", "a:b", "a:b:c", false},
		{"a value of fewer parts", "arn:aws:s3:::*", "arn:aws:s3", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := CompileARNPattern(c.pattern)
			if got := p.Match(c.value); got != c.want {
				t.Fatalf("%q matching %q = %v, want %v", c.pattern, c.value, got, c.want)
			}
			if ref := referenceARNMatch(c.pattern, c.value); ref != c.want {
				t.Fatal("the reference disagrees with the table")
			}
		})
	}
}

func referenceARNMatch(pattern, value string) bool {
	if pattern == "*" {
		return true
	}
	p, v := strings.SplitN(pattern, ":", arnParts), strings.SplitN(value, ":", arnParts)
	if len(p) != len(v) {
		return false
	}
	for i := range p {
		if !referenceMatch(p[i], v[i], false) {
			return false
		}
	}
	return true
}

func FuzzARNPatternMatchesReference(f *testing.F) {
	f.Add("arn:aws:s3:::b/*", "arn:aws:s3:::b/k:1")
	f.Add("arn:*:iam::?:role/*", "arn:aws:iam::1:role/a")
	f.Add("*", "")
	f.Add("a:b", "a:b:c")
	f.Fuzz(func(t *testing.T, pattern, value string) {
		if len(pattern) > 200 || len(value) > 400 {
			return
		}
		p := CompileARNPattern(pattern)
		if got, want := p.Match(value), referenceARNMatch(pattern, value); got != want {
			t.Fatalf("CompileARNPattern(%q).Match(%q) = %v, reference says %v", pattern, value, got, want)
		}
	})
}
