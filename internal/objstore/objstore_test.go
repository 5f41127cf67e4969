package objstore

import (
	"errors"
	"strings"
	"testing"
)

func TestRangesResolveAsRFC9110Says(t *testing.T) {
	cases := []struct {
		r           Range
		size        int64
		off, length int64
		bad         bool
	}{
		{Range{First: 0, Last: 0}, 10, 0, 1, false},
		{Range{First: 2, Last: 5}, 10, 2, 4, false},
		{Range{First: 2, Last: 100}, 10, 2, 8, false},
		{Range{First: 9, Last: -1}, 10, 9, 1, false},
		{Range{Suffix: true, SuffixLength: 3}, 10, 7, 3, false},
		{Range{Suffix: true, SuffixLength: 30}, 10, 0, 10, false},
		{Range{First: 10, Last: -1}, 10, 0, 0, true},
		{Range{First: 5, Last: 4}, 10, 0, 0, true},
		{Range{First: -1, Last: 4}, 10, 0, 0, true},
		{Range{Suffix: true}, 10, 0, 0, true},
		{Range{Suffix: true, SuffixLength: -2}, 10, 0, 0, true},
		{Range{First: 0, Last: 0}, 0, 0, 0, true},
		{Range{Suffix: true, SuffixLength: 1}, 0, 0, 0, true},
	}
	for _, c := range cases {
		off, length, err := c.r.Resolve(c.size)
		if c.bad {
			if !errors.Is(err, ErrInvalidRange) {
				t.Errorf("%+v of %d: got %d+%d, %v; want ErrInvalidRange", c.r, c.size, off, length, err)
			}
			continue
		}
		if err != nil || off != c.off || length != c.length {
			t.Errorf("%+v of %d: got %d+%d, %v; want %d+%d", c.r, c.size, off, length, err, c.off, c.length)
		}
	}
}

func TestPreconditionsFollowS3ConditionalWrites(t *testing.T) {
	const etag = "9e107d9d372bb6826bd81d3542a419d6"
	cases := []struct {
		p      Precondition
		exists bool
		want   error
	}{
		{Precondition{}, false, nil},
		{Precondition{}, true, nil},
		{Precondition{IfNoneMatch: "*"}, false, nil},
		{Precondition{IfNoneMatch: "*"}, true, ErrPreconditionFailed},
		{Precondition{IfNoneMatch: `"` + etag + `"`}, true, ErrPreconditionFailed},
		{Precondition{IfNoneMatch: "other"}, true, nil},
		{Precondition{IfMatch: etag}, true, nil},
		{Precondition{IfMatch: `W/"` + etag + `"`}, true, nil},
		{Precondition{IfMatch: "*"}, true, nil},
		{Precondition{IfMatch: "other"}, true, ErrPreconditionFailed},
		{Precondition{IfMatch: etag}, false, ErrNoSuchKey},
		{Precondition{IfMatch: "*"}, false, ErrNoSuchKey},
	}
	for _, c := range cases {
		err := c.p.Check(c.exists, etag)
		if (c.want == nil && err != nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%+v exists=%v: got %v, want %v", c.p, c.exists, err, c.want)
		}
	}
}

func TestKeysOutsideOneTo1024BytesOrNotUTF8OrHoldingNULAreRejected(t *testing.T) {
	if err := CheckKey(""); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("empty key: %v", err)
	}
	if err := CheckKey(strings.Repeat("k", MaxKeyLength+1)); !errors.Is(err, ErrKeyTooLong) {
		t.Errorf("1025-byte key: %v", err)
	}
	for _, k := range []string{"\x00", "a\x00b", "\xff", "\xc0\xaf", "\xed\xa0\x80", strings.Repeat("\xff", MaxKeyLength)} {
		if err := CheckKey(k); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("CheckKey(%q): %v, want ErrInvalidKey", k, err)
		}
	}
	for _, k := range []string{"k", "\x01", "../..", "//", strings.Repeat("\U0010ffff", MaxKeyLength/4)} {
		if err := CheckKey(k); err != nil {
			t.Errorf("CheckKey(%q): %v", k, err)
		}
	}
	if err := CheckObject("", "k"); !errors.Is(err, ErrInvalidBucketName) {
		t.Errorf("empty bucket: %v", err)
	}
}

func TestCommonPrefixIsTheKeyUpToTheFirstDelimiterAfterThePrefix(t *testing.T) {
	cases := []struct {
		key, prefix, delim, want string
		ok                       bool
	}{
		{"a/b/c", "", "/", "a/", true},
		{"a/b/c", "a/", "/", "a/b/", true},
		{"a/b", "a/b", "/", "", false},
		{"a/b", "b", "/", "", false},
		{"a/b", "", "", "", false},
		{"xxAByyAB", "xx", "AB", "xxAB", true},
		{"a/", "", "/", "a/", true},
	}
	for _, c := range cases {
		got, ok := CommonPrefix(c.key, c.prefix, c.delim)
		if got != c.want || ok != c.ok {
			t.Errorf("CommonPrefix(%q, %q, %q) = %q, %v; want %q, %v", c.key, c.prefix, c.delim, got, ok, c.want, c.ok)
		}
	}
}

func TestPrefixEndIsTheFirstStringPastEveryExtension(t *testing.T) {
	cases := map[string]string{"a": "b", "a/": "a0", "a\xff": "b", "\x00": "\x01", "ab\xff\xff": "ac"}
	for p, want := range cases {
		if got, ok := PrefixEnd(p); !ok || got != want {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q", p, got, ok, want)
		}
	}
	for _, p := range []string{"", "\xff", "\xff\xff"} {
		if got, ok := PrefixEnd(p); ok {
			t.Errorf("PrefixEnd(%q) = %q, want none", p, got)
		}
	}
}

// FuzzPrefixEnd checks PrefixEnd's defining property on arbitrary bytes:
// s < end exactly when s starts with prefix or sorts before it. Run longer:
//
//	go test -run '^$' -fuzz FuzzPrefixEnd -fuzztime 5m ./internal/objstore/
func FuzzPrefixEnd(f *testing.F) {
	f.Add("a/", "a/b")
	f.Add("\xff", "\xff\x00")
	f.Add("", "x")
	f.Fuzz(func(t *testing.T, prefix, s string) {
		end, ok := PrefixEnd(prefix)
		inOrBefore := strings.HasPrefix(s, prefix) || s < prefix
		if !ok {
			if strings.Count(prefix, "\xff") != len(prefix) {
				t.Fatalf("PrefixEnd(%q) found no end", prefix)
			}
			return
		}
		if (s < end) != inOrBefore {
			t.Fatalf("PrefixEnd(%q) = %q misorders %q", prefix, end, s)
		}
		if cp, ok := CommonPrefix(s, prefix, "/"); ok && (!strings.HasPrefix(cp, prefix) || !strings.HasPrefix(s, cp) || !strings.HasSuffix(cp, "/")) {
			t.Fatalf("CommonPrefix(%q, %q, /) = %q", s, prefix, cp)
		}
	})
}
