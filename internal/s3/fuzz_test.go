package s3

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

// FuzzDeleteObjectsBody feeds DeleteObjects' parser arbitrary bodies: it must never panic,
// must refuse with an S3 error (MalformedXML or MaxMessageLengthExceeded), and what it
// accepts must hold 1 to 1,000 keyed objects and survive a round trip through the encoder.
func FuzzDeleteObjectsBody(f *testing.F) {
	f.Add([]byte(`<Delete><Object><Key>a</Key></Object></Delete>`))
	f.Add([]byte(`<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>a/b c</Key><VersionId>null</VersionId></Object><Object><Key>&lt;x&gt;</Key></Object></Delete>`))
	f.Add([]byte(`<Delete></Delete>`))
	f.Add([]byte(`<Delete><Object><Key></Key></Object></Delete>`))
	f.Add([]byte(`<Delete><Object><Key>a</Key>`))
	f.Add([]byte(`<!DOCTYPE x [<!ENTITY a "aaaa">]><Delete><Object><Key>&a;</Key></Object></Delete>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseDeleteRequest(bytes.NewReader(body))
		if err != nil {
			requireS3Error(t, err, "MalformedXML", "MaxMessageLengthExceeded")
			return
		}
		if n := len(req.Objects); n < 1 || n > maxDeleteKeys {
			t.Fatalf("accepted %d objects", n)
		}
		out, err := xml.Marshal(req)
		if err != nil {
			// Keys holding characters XML cannot carry do not re-encode; that is the
			// encoder's limit, not the parser's.
			return
		}
		again, err := parseDeleteRequest(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-encoded request %q does not parse: %v", out, err)
		}
		if len(again.Objects) != len(req.Objects) || again.Quiet != req.Quiet {
			t.Fatalf("round trip changed the request: %+v, then %+v", req, again)
		}
	})
}

// FuzzCompleteMultipartBody does the same for CompleteMultipartUpload's body, including
// the ETag forms clients send (quoted, &quot;- or &#34;-escaped).
func FuzzCompleteMultipartBody(f *testing.F) {
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>&quot;abc&quot;</ETag><PartNumber>1</PartNumber><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part><Part><ETag>&#34;def&#34;</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload></CompleteMultipartUpload>`))
	f.Add([]byte(`<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		req, err := parseCompleteRequest(bytes.NewReader(body))
		if err != nil {
			requireS3Error(t, err, "MalformedXML", "MaxMessageLengthExceeded")
			return
		}
		if n := len(req.Parts); n < 1 || n > 10000 {
			t.Fatalf("accepted %d parts", n)
		}
		out, err := xml.Marshal(req)
		if err != nil {
			return
		}
		again, err := parseCompleteRequest(bytes.NewReader(out))
		if err != nil {
			t.Fatalf("re-encoded request %q does not parse: %v", out, err)
		}
		for i := range req.Parts {
			if again.Parts[i].PartNumber != req.Parts[i].PartNumber {
				t.Fatalf("round trip changed part %d: %+v, then %+v", i, req.Parts[i], again.Parts[i])
			}
		}
	})
}

func TestCompleteBodiesAcceptEveryETagEscapingClientsSend(t *testing.T) {
	for _, etag := range []string{`"abc"`, `&quot;abc&quot;`, `&#34;abc&#34;`, `abc`} {
		body := `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>` + etag + `</ETag></Part></CompleteMultipartUpload>`
		req, err := parseCompleteRequest(strings.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", etag, err)
		}
		if got := strings.Trim(req.Parts[0].ETag, `"`); got != "abc" {
			t.Errorf("%s: ETag %q, want abc once quotes are stripped", etag, req.Parts[0].ETag)
		}
	}
}

func TestXMLBodiesBeyondTheLimitAreRefused(t *testing.T) {
	body := "<Delete>" + strings.Repeat("<Object><Key>k</Key></Object>", maxXMLBody/28+1) + "</Delete>"
	_, err := parseDeleteRequest(strings.NewReader(body))
	requireS3Error(t, err, "MaxMessageLengthExceeded")
}

func requireS3Error(t *testing.T, err error, codes ...string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not an S3 error", err)
	}
	for _, c := range codes {
		if e.Code == c {
			return
		}
	}
	t.Fatalf("error code %s, want one of %v", e.Code, codes)
}
