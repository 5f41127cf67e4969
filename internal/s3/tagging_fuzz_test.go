package s3

import (
	"bytes"
	"encoding/xml"
	"maps"
	"net/url"
	"testing"
)

// FuzzTagging feeds both tag parsers arbitrary input: they must never panic, must refuse
// with an S3 error, and what they accept must obey S3's limits and survive a round trip
// through the form GetObjectTagging answers (and x-amz-tagging's encoding).
func FuzzTagging(f *testing.F) {
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`), "a=b&c=")
	f.Add([]byte(`<Tagging><TagSet><Tag><Key>a</Key></Tag><Tag><Key>a</Key></Tag></TagSet></Tagging>`), "a=1&a=2")
	f.Add([]byte(`<Tagging><TagSet><Tag><Value>b</Value></Tag></TagSet></Tagging>`), "%zz")
	f.Add([]byte(`<Other/>`), "aws:x=1")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		check := func(tags map[string]string, err error) {
			if err != nil {
				requireS3Error(t, err, "MalformedXML", "MaxMessageLengthExceeded", "InvalidTag", "BadRequest", "InvalidArgument")
				return
			}
			if len(tags) > maxObjectTags {
				t.Fatalf("accepted %d tags", len(tags))
			}
			for k, v := range tags {
				if checkTag(k, v) != nil {
					t.Fatalf("accepted tag %q=%q", k, v)
				}
			}
			out, err := xml.Marshal(taggingOf(tags))
			if err != nil {
				t.Fatal(err)
			}
			again, err := parseTagging(bytes.NewReader(out), maxObjectTags, errTooManyObjTags)
			if err != nil || !maps.Equal(again, tags) {
				t.Fatalf("tags %v do not round-trip: %v, %v", tags, again, err)
			}
			v := url.Values{}
			for k, val := range tags {
				v.Set(k, val)
			}
			if again, err := parseTaggingHeader(v.Encode()); err != nil || len(tags) > 0 && !maps.Equal(again, tags) {
				t.Fatalf("tags %v do not round-trip through x-amz-tagging: %v, %v", tags, again, err)
			}
		}
		check(parseTagging(bytes.NewReader(body), maxObjectTags, errTooManyObjTags))
		check(parseTaggingHeader(header))
	})
}
