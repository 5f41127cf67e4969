package lifecycle

import (
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

func parse(t *testing.T, doc string) *Configuration {
	t.Helper()
	var c Configuration
	if err := xml.Unmarshal([]byte(doc), &c); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	return &c
}

func rules(r ...string) string {
	return "<LifecycleConfiguration>" + strings.Join(r, "") + "</LifecycleConfiguration>"
}

func TestCheckRefusesWhatS3RefusesWithS3sKind(t *testing.T) {
	long := strings.Repeat("x", 256)
	expire := "<Expiration><Days>1</Days></Expiration>"
	cases := []struct {
		name string
		doc  string
		kind Kind
		msg  string
	}{
		{"no rule", rules(), KindMalformed, ""},
		{"a status in another case", rules(`<Rule><Filter/><Status>enabled</Status>` + expire + `</Rule>`), KindMalformed, "Status"},
		{"an ID over 255 characters", rules(`<Rule><ID>` + long + `</ID><Filter/><Status>Enabled</Status>` + expire + `</Rule>`), KindInvalidArgument, "ID length"},
		{"two rules with one ID", rules(`<Rule><ID>a</ID><Filter/><Status>Enabled</Status>`+expire+`</Rule>`,
			`<Rule><ID>a</ID><Filter><Prefix>x</Prefix></Filter><Status>Enabled</Status>`+expire+`</Rule>`), KindInvalidArgument, "Rule ID must be unique"},
		{"Days 0", rules(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>0</Days></Expiration></Rule>`), KindInvalidArgument, "'Days' for Expiration action must be a positive integer"},
		{"Days negative", rules(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>-3</Days></Expiration></Rule>`), KindInvalidArgument, "positive integer"},
		{"a Date not at midnight", rules(`<Rule><Filter/><Status>Enabled</Status><Expiration><Date>2026-01-01T10:00:00Z</Date></Expiration></Rule>`), KindInvalidArgument, "'Date' must be at midnight GMT"},
		{"a Date that does not parse", rules(`<Rule><Filter/><Status>Enabled</Status><Expiration><Date>20200101</Date></Expiration></Rule>`), KindMalformed, "ISO 8601"},
		{"Days with Date", rules(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><Date>2026-01-01T00:00:00Z</Date></Expiration></Rule>`), KindMalformed, ""},
		{"ExpiredObjectDeleteMarker with Days", rules(`<Rule><Filter/><Status>Enabled</Status><Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration></Rule>`), KindMalformed, ""},
		{"an empty Expiration", rules(`<Rule><Filter/><Status>Enabled</Status><Expiration></Expiration></Rule>`), KindMalformed, ""},
		{"no action", rules(`<Rule><Filter/><Status>Enabled</Status></Rule>`), KindInvalidArgument, "At least one action"},
		{"both Filter and Prefix", rules(`<Rule><Prefix>a</Prefix><Filter/><Status>Enabled</Status>` + expire + `</Rule>`), KindMalformed, ""},
		{"neither Filter nor Prefix", rules(`<Rule><Status>Enabled</Status>` + expire + `</Rule>`), KindMalformed, ""},
		{"a Filter with two conditions", rules(`<Rule><Filter><Prefix>a</Prefix><ObjectSizeGreaterThan>1</ObjectSizeGreaterThan></Filter><Status>Enabled</Status>` + expire + `</Rule>`), KindMalformed, "And"},
		{"sizes that select nothing", rules(`<Rule><Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>` + expire + `</Rule>`), KindInvalidArgument, "ObjectSizeLessThan"},
		{"a duplicate tag key", rules(`<Rule><Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter><Status>Enabled</Status>` + expire + `</Rule>`), KindInvalidArgument, "Duplicate"},
		{"NoncurrentDays 0", rules(`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration></Rule>`), KindInvalidArgument, "NoncurrentDays"},
		{"NewerNoncurrentVersions 101", rules(`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`), KindInvalidArgument, "NewerNoncurrentVersions"},
		{"DaysAfterInitiation 0", rules(`<Rule><Filter/><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`), KindInvalidArgument, "DaysAfterInitiation"},
		{"an abort rule filtering by tag", rules(`<Rule><Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`), KindInvalidArgument, "Tags"},
		{"a transition to a class S3 does not have", rules(`<Rule><Filter/><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>COLD</StorageClass></Transition></Rule>`), KindInvalidStorageClass, "storage class"},
		{"a transition to STANDARD", rules(`<Rule><Filter/><Status>Enabled</Status><Transition><Days>30</Days><StorageClass>STANDARD</StorageClass></Transition></Rule>`), KindInvalidStorageClass, ""},
		{"a transition to GLACIER", rules(`<Rule><Filter/><Status>Enabled</Status>` + expire + `<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition></Rule>`), KindNotImplemented, "GLACIER"},
		{"a noncurrent transition to STANDARD_IA", rules(`<Rule><Filter/><Status>Enabled</Status><NoncurrentVersionTransition><NoncurrentDays>30</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass></NoncurrentVersionTransition></Rule>`), KindNotImplemented, "STANDARD_IA"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := parse(t, tc.doc).Check()
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Check = %v, want a ConfigError", err)
			}
			if ce.Kind != tc.kind || !strings.Contains(ce.Message, tc.msg) {
				t.Fatalf("Check = kind %d %q, want kind %d containing %q", ce.Kind, ce.Message, tc.kind, tc.msg)
			}
		})
	}
}

func TestCheckRefusesMoreThanAThousandRulesAndAcceptsAThousand(t *testing.T) {
	var b strings.Builder
	for i := range 1001 {
		b.WriteString("<Rule><ID>r" + strconv.Itoa(i) + "</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>")
	}
	c := parse(t, rules(b.String()))
	var ce *ConfigError
	if err := c.Check(); !errors.As(err, &ce) || ce.Kind != KindInvalidArgument {
		t.Fatalf("1001 rules: %v", err)
	}
	c.Rules = c.Rules[:1000]
	if err := c.Check(); err != nil {
		t.Fatalf("1000 rules: %v", err)
	}
}

func TestCheckAcceptsEveryValidShapeAndNamesRulesWithoutID(t *testing.T) {
	c := parse(t, rules(
		`<Rule><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>`,
		`<Rule><ID>legacy</ID><Prefix>tmp/</Prefix><Status>Disabled</Status><Expiration><Date>2026-01-01T00:00:00.000Z</Date></Expiration></Rule>`,
		`<Rule><ID>and</ID><Filter><And><Prefix>a/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><ObjectSizeGreaterThan>0</ObjectSizeGreaterThan><ObjectSizeLessThan>100</ObjectSizeLessThan></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`,
		`<Rule><ID>versions</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><NoncurrentVersionExpiration><NoncurrentDays>7</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`,
	))
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	if c.Rules[0].ID == "" || len(c.Rules[0].ID) > maxID {
		t.Fatalf("generated ID %q", c.Rules[0].ID)
	}
	again := parse(t, rules(`<Rule><Filter><Prefix>logs/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>30</Days></Expiration></Rule>`))
	if err := again.Check(); err != nil || again.Rules[0].ID != c.Rules[0].ID {
		t.Fatalf("the generated ID is not stable: %q vs %q (%v)", again.Rules[0].ID, c.Rules[0].ID, err)
	}
}

func TestParseDateReadsTheFormsSDKsSend(t *testing.T) {
	want := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-03-01T00:00:00Z", "2026-03-01T00:00:00.000Z", "2026-03-01", "2026-03-01T00:00:00", "2026-03-01T09:00:00+09:00"} {
		got, err := ParseDate(s)
		if err != nil || !got.Equal(want) {
			t.Errorf("ParseDate(%q) = %v, %v", s, got, err)
		}
	}
}

func TestStoredRoundTripsAndRefusesWhatNoLongerParses(t *testing.T) {
	doc := rules(`<Rule><ID>a</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	s, c, err := Decode(Stored{Document: doc, MinimumSize: MinimumSizeAll128K}.Encode())
	if err != nil || s.MinimumSize != MinimumSizeAll128K || len(c.Rules) != 1 || c.Rules[0].ID != "a" {
		t.Fatalf("Decode = %+v %+v %v", s, c, err)
	}
	for _, bad := range []string{"not json", Stored{Document: "<Lifecycle"}.Encode(), Stored{Document: rules()}.Encode()} {
		if _, _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}
