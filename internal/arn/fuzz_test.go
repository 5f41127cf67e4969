package arn

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, that every accepted ARN formats back to its
// input, and that rejections are always ErrInvalid.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:role/x", "arn:aws:s3:::b/k:1", "arn::::::", "", "arn:a:b:c:d:e:f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) error %v does not wrap ErrInvalid", s, err)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, a.String())
		}
		if strings.Contains(a.Partition+a.Service+a.Region+a.Account, ":") {
			t.Fatalf("Parse(%q) left a colon in the first parts: %+v", s, a)
		}
	})
}
