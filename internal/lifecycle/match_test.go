package lifecycle

import (
	"testing"
	"time"
)

func TestNextMidnightRoundsUpToTheNextDayAsS3Documents(t *testing.T) {
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ created, want string }{
		// AWS's own example: 2014-01-15 10:30 UTC plus 3 days is due 2014-01-19 00:00 UTC.
		{"2014-01-15T10:30:00Z", "2014-01-19T00:00:00Z"},
		{"2014-01-15T23:59:59Z", "2014-01-19T00:00:00Z"},
		{"2014-01-15T00:00:00Z", "2014-01-19T00:00:00Z"},
		// A zone offset is read as the instant it names.
		{"2014-01-16T08:00:00+09:00", "2014-01-19T00:00:00Z"},
		// Month and leap-year ends.
		{"2016-02-26T12:00:00Z", "2016-03-01T00:00:00Z"},
	} {
		if got := afterDays(at(tc.created), 3); !got.Equal(at(tc.want)) {
			t.Errorf("created %s + 3 days = %s, want %s", tc.created, got, tc.want)
		}
	}
}

func TestExpiryPicksTheEarliestMatchingEnabledRule(t *testing.T) {
	c := parse(t, rules(
		`<Rule><ID>all-30</ID><Filter/><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>`,
		`<Rule><ID>logs 1</ID><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		`<Rule><ID>off</ID><Filter/><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		`<Rule><ID>big</ID><Filter><ObjectSizeGreaterThan>1000</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Date>2014-01-10T00:00:00Z</Date></Expiration></Rule>`,
		`<Rule><ID>tagged</ID><Filter><And><Prefix>t/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
	))
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	created := time.Date(2014, 1, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		o    Object
		rule string
		at   time.Time
	}{
		{"a key under no prefix gets the bucket-wide rule", Object{Key: "a", Size: 10, Modified: created, TagsKnown: true}, "all-30", time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"a log gets the shorter rule", Object{Key: "logs/x", Size: 10, Modified: created, TagsKnown: true}, "logs 1", time.Date(2014, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"a big object gets the date", Object{Key: "a", Size: 1001, Modified: created, TagsKnown: true}, "big", time.Date(2014, 1, 10, 0, 0, 0, 0, time.UTC)},
		{"a size equal to the bound is not greater than it", Object{Key: "a", Size: 1000, Modified: created, TagsKnown: true}, "all-30", time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"the tag rule needs the tag", Object{Key: "t/x", Modified: created, Tags: map[string]string{"k": "v"}, TagsKnown: true}, "tagged", time.Date(2014, 1, 3, 0, 0, 0, 0, time.UTC)},
		{"another value does not match", Object{Key: "t/x", Modified: created, Tags: map[string]string{"k": "w"}, TagsKnown: true}, "all-30", time.Date(2014, 2, 1, 0, 0, 0, 0, time.UTC)},
		{"unread tags count as met for a candidate", Object{Key: "t/x", Modified: created}, "tagged", time.Date(2014, 1, 3, 0, 0, 0, 0, time.UTC)},
	} {
		d, ok := c.Expiry(tc.o)
		if !ok || d.RuleID != tc.rule || !d.At.Equal(tc.at) {
			t.Errorf("%s: Expiry = %+v %v, want %s at %s", tc.name, d, ok, tc.rule, tc.at)
		}
	}
	off := parse(t, rules(`<Rule><ID>off</ID><Filter/><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>`))
	if d, ok := off.Expiry(Object{Key: "a"}); ok {
		t.Errorf("a disabled rule expires: %+v", d)
	}
}

func TestAbortDateAppliesPrefixRulesToUploads(t *testing.T) {
	c := parse(t, rules(
		`<Rule><ID>tmp</ID><Filter><Prefix>tmp/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
		`<Rule><ID>sized</ID><Filter><ObjectSizeLessThan>10</ObjectSizeLessThan></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
	))
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	init := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	if d, ok := c.AbortDate("tmp/a", init); !ok || d.RuleID != "tmp" || !d.At.Equal(time.Date(2026, 5, 4, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("AbortDate = %+v %v", d, ok)
	}
	if d, ok := c.AbortDate("other", init); ok {
		t.Errorf("a size-filtered rule aborts uploads: %+v", d)
	}
}

func TestExpirationHeaderIsS3sFormWithTheRuleIDEncoded(t *testing.T) {
	got := ExpirationHeader(Due{At: time.Date(2012, 12, 23, 0, 0, 0, 0, time.UTC), RuleID: "logs rule/1+ü"})
	want := `expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="logs%20rule%2F1%2B%C3%BC"`
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestDescribeSaysWhatARuleDoesInWords(t *testing.T) {
	c := parse(t, rules(
		`<Rule><ID>a</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
		`<Rule><ID>b</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`,
		`<Rule><ID>c</ID><Prefix>tmp/</Prefix><Status>Enabled</Status><Expiration><Date>2030-01-01T00:00:00Z</Date></Expiration></Rule>`,
	))
	for i, want := range [][2]string{
		{`keys under "logs/", tagged k=v, larger than 10 B`, "expire 1 day after creation; abort incomplete uploads 7 days after they start"},
		{"every object", "remove expired delete markers; remove noncurrent versions 3 days after they become noncurrent, keeping the 2 newest"},
		{`keys under "tmp/"`, "expire on 2030-01-01"},
	} {
		applies, actions := c.Rules[i].Describe()
		if applies != want[0] || actions != want[1] {
			t.Errorf("rule %d: %q / %q", i, applies, actions)
		}
	}
}
