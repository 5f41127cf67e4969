package s3

import (
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

func TestRangeHeadersAreParsedAsS3ServesThem(t *testing.T) {
	cases := []struct {
		header string
		want   *objstore.Range
	}{
		{"bytes=0-99", &objstore.Range{First: 0, Last: 99}},
		{"bytes=100-", &objstore.Range{First: 100, Last: -1}},
		{"bytes=-50", &objstore.Range{Suffix: true, SuffixLength: 50}},
		{"bytes= 5-9", &objstore.Range{First: 5, Last: 9}},
		{"bytes=-0", &objstore.Range{Suffix: true, SuffixLength: 0}},
		// Ignored, so the whole object is served: several ranges, another unit,
		// backwards or malformed ranges.
		{"bytes=0-1,5-6", nil},
		{"items=0-1", nil},
		{"bytes=9-5", nil},
		{"bytes=a-b", nil},
		{"bytes=-", nil},
		{"bytes=5", nil},
		{"bytes=-1-2", nil},
	}
	for _, c := range cases {
		got := parseRange(c.header)
		if (got == nil) != (c.want == nil) || got != nil && *got != *c.want {
			t.Errorf("parseRange(%q) = %+v, want %+v", c.header, got, c.want)
		}
	}
}

func TestReadConditionsFollowRFC9110OrderAsS3Does(t *testing.T) {
	lm := time.Date(2026, 5, 1, 12, 0, 0, 500, time.UTC)
	info := objstore.ObjectInfo{ETag: "abc", LastModified: lm}
	before, after := lm.Add(-time.Hour).Format(http.TimeFormat), lm.Add(time.Hour).Format(http.TimeFormat)
	same := lm.Format(http.TimeFormat)
	cases := []struct {
		name    string
		headers map[string]string
		want    *Error
	}{
		{"no conditions serve the object", nil, nil},
		{"a matching If-Match serves it", map[string]string{"If-Match": `"abc"`}, nil},
		{"If-Match * serves it", map[string]string{"If-Match": `*`}, nil},
		{"a list holding the ETag serves it", map[string]string{"If-Match": `"x", "abc"`}, nil},
		{"a different If-Match fails with 412", map[string]string{"If-Match": `"def"`}, errPreconditionFailed},
		{"If-Unmodified-Since before the change fails", map[string]string{"If-Unmodified-Since": before}, errPreconditionFailed},
		{"If-Unmodified-Since at the second of the change holds", map[string]string{"If-Unmodified-Since": same}, nil},
		{"a true If-Match overrides a false If-Unmodified-Since", map[string]string{"If-Match": `"abc"`, "If-Unmodified-Since": before}, nil},
		{"a matching If-None-Match answers 304", map[string]string{"If-None-Match": `"abc"`}, errNotModified},
		{"a different If-None-Match serves it", map[string]string{"If-None-Match": `"def"`}, nil},
		{"If-Modified-Since after the change answers 304", map[string]string{"If-Modified-Since": after}, errNotModified},
		{"If-Modified-Since before the change serves it", map[string]string{"If-Modified-Since": before}, nil},
		{"a false If-None-Match overrides a true If-Modified-Since", map[string]string{"If-None-Match": `"def"`, "If-Modified-Since": after}, nil},
		{"an unparseable date is ignored", map[string]string{"If-Modified-Since": "yesterday"}, nil},
	}
	for _, c := range cases {
		h := http.Header{}
		for k, v := range c.headers {
			h.Set(k, v)
		}
		err := readConditions(h, info)
		var got *Error
		errors.As(err, &got)
		if (got == nil) != (c.want == nil) || got != nil && got.Code != c.want.Code {
			t.Errorf("%s: readConditions = %v, want %v", c.name, err, c.want)
		}
	}
}

func TestURLEncodedListingNamesKeepSlashesAndEscapePlus(t *testing.T) {
	cases := map[string]string{
		"a b+c/d":      "a+b%2Bc/d",
		"photos/2026/": "photos/2026/",
		"ünï":          "%C3%BCn%C3%AF",
		"a&b<c>":       "a%26b%3Cc%3E",
		"\x01ctl":      "%01ctl",
	}
	for in, want := range cases {
		got := encodeName(in)
		if got != want {
			t.Errorf("encodeName(%q) = %q, want %q", in, got, want)
		}
		// botocore decodes with unquote_plus, the Go equivalent of QueryUnescape.
		if back, err := url.QueryUnescape(got); err != nil || back != in {
			t.Errorf("QueryUnescape(%q) = %q, %v; want %q", got, back, err, in)
		}
	}
}
