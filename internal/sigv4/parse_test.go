package sigv4

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const goodAuthorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date, " +
	"Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

func headerRequest(auth string, hdr ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "http://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", nil)
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Add(hdr[i], hdr[i+1])
	}
	return r
}

func TestParseReadsAnAuthorizationHeader(t *testing.T) {
	r := headerRequest(goodAuthorization, "X-Amz-Date", "20150830T123600Z",
		"X-Amz-Security-Token", "tok", "X-Amz-Content-Sha256", UnsignedPayload)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	want := Auth{AccessKeyID: "AKIDEXAMPLE", Date: "20150830", Region: "us-east-1", Service: "iam",
		Signature: "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7",
		Time:      time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC), SecurityToken: "tok", PayloadHash: UnsignedPayload}
	if a.AccessKeyID != want.AccessKeyID || a.Date != want.Date || a.Region != want.Region ||
		a.Service != want.Service || a.Signature != want.Signature || !a.Time.Equal(want.Time) ||
		a.SecurityToken != want.SecurityToken || a.PayloadHash != want.PayloadHash || a.Presigned {
		t.Fatalf("Parse = %+v", a)
	}
	if strings.Join(a.SignedHeaders, ";") != "content-type;host;x-amz-date" {
		t.Fatalf("SignedHeaders = %v", a.SignedHeaders)
	}
	if a.Scope() != "20150830/us-east-1/iam/aws4_request" {
		t.Fatalf("Scope = %q", a.Scope())
	}
	if !a.IsSigned("Content-Type") || a.IsSigned("x-amz-security-token") {
		t.Fatal("IsSigned disagrees with SignedHeaders")
	}
	if got := a.UnsignedAmzHeaders(r); strings.Join(got, ",") != "x-amz-content-sha256,x-amz-security-token" {
		t.Fatalf("UnsignedAmzHeaders = %v", got)
	}
}

func TestParseToleratesSpacingAndFieldOrder(t *testing.T) {
	for _, auth := range []string{
		"AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/sts/aws4_request,SignedHeaders=host,Signature=abc",
		"AWS4-HMAC-SHA256 Signature=abc,  SignedHeaders=host , Credential=AK/20150830/us-east-1/sts/aws4_request",
	} {
		a, err := Parse(headerRequest(auth, "X-Amz-Date", "20150830T123600Z"))
		if err != nil {
			t.Fatalf("%s: %v", auth, err)
		}
		if a.AccessKeyID != "AK" || a.Signature != "abc" || a.SignedHeaders[0] != "host" {
			t.Fatalf("%s: %+v", auth, a)
		}
	}
}

func TestParseFallsBackToTheDateHeader(t *testing.T) {
	a, err := Parse(headerRequest(goodAuthorization, "Date", "Sun, 30 Aug 2015 12:36:00 GMT"))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Time.Equal(time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)) {
		t.Fatalf("Time = %v", a.Time)
	}
}

func TestParseSaysWhatIsWrongWithAnAuthorizationHeader(t *testing.T) {
	date := []string{"X-Amz-Date", "20150830T123600Z"}
	cred := "Credential=AK/20150830/us-east-1/sts/aws4_request"
	cases := []struct {
		name string
		auth string
		hdr  []string
		want error
		msg  string
	}{
		{"Signature Version 2", "AWS AKIDEXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=", date, ErrSigV2, "AWS4-HMAC-SHA256"},
		{"SigV4a", "AWS4-ECDSA-P256-SHA256 " + cred + ", SignedHeaders=host, Signature=ab", date, ErrUnsupportedAlgorithm, "not supported"},
		{"a bearer token", "Bearer eyJhbGciOi", date, ErrUnknownScheme, "Unsupported Authorization Type"},
		{"a basic credential", "Basic dXNlcjpwYXNz", date, ErrUnknownScheme, "Unsupported Authorization Type"},
		{"an empty Authorization value", "", []string{"Authorization", "", "X-Amz-Date", "20150830T123600Z"}, ErrUnknownScheme, "Unsupported Authorization Type"},
		{"SHA-512 HMAC", "AWS4-HMAC-SHA512 " + cred + ", SignedHeaders=host, Signature=ab", date, ErrUnknownScheme, "Unsupported Authorization Type"},
		{"an empty header", "AWS4-HMAC-SHA256", date, ErrIncomplete, "malformed"},
		{"no signature", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host", date, ErrIncomplete, "requires 'Signature'"},
		{"no credential", "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab", date, ErrIncomplete, "requires 'Credential'"},
		{"an empty signed-header list", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=, Signature=ab", date, ErrIncomplete, "requires 'SignedHeaders'"},
		{"a repeated field", "AWS4-HMAC-SHA256 " + cred + ", " + cred + ", SignedHeaders=host, Signature=ab", date, ErrIncomplete, "once each"},
		{"an unknown field", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host, Signature=ab, Extra=1", date, ErrIncomplete, "unknown field"},
		{"a field without =", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders, Signature=ab", date, ErrIncomplete, "malformed"},
		{"a short credential", "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/sts, SignedHeaders=host, Signature=ab", date, ErrIncomplete, "Credential is malformed"},
		{"an empty access key", "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ab", date, ErrIncomplete, "Credential is malformed"},
		{"a bad scope date", "AWS4-HMAC-SHA256 Credential=AK/2015083/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=ab", date, ErrIncomplete, "Invalid credential date"},
		{"a bad terminator", "AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/sts/aws5_request, SignedHeaders=host, Signature=ab", date, ErrScope, "valid terminator"},
		{"host not signed", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=x-amz-date, Signature=ab", date, ErrIncomplete, "'Host'"},
		{"upper-case signed headers", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=Host, Signature=ab", date, ErrIncomplete, "lower-case"},
		{"an empty signed header name", "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, Signature=ab", date, ErrIncomplete, "lower-case"},
		{"no date at all", goodAuthorization, nil, ErrIncomplete, "'X-Amz-Date' or a 'Date'"},
		{"a malformed X-Amz-Date", goodAuthorization, []string{"X-Amz-Date", "2015-08-30T12:36:00Z"}, ErrIncomplete, "ISO8601"},
		{"two X-Amz-Date headers", goodAuthorization, []string{"X-Amz-Date", "20150830T123600Z", "X-Amz-Date", "20150830T123600Z"}, ErrIncomplete, "ISO8601"},
		{"a malformed Date", goodAuthorization, []string{"Date", "yesterday"}, ErrIncomplete, "not a valid HTTP date"},
		{"two Authorization headers", goodAuthorization, []string{"Authorization", goodAuthorization, "X-Amz-Date", "20150830T123600Z"}, ErrIncomplete, "more than one"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(headerRequest(c.auth, c.hdr...))
			assertError(t, err, c.want, c.msg)
		})
	}
}

func assertError(t *testing.T, err, want error, msg string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want an *Error", err, err)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want kind %v", err, want)
	}
	if !strings.Contains(e.Message, msg) {
		t.Fatalf("message %q does not contain %q", e.Message, msg)
	}
}

const goodPresign = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AK%2F20150830%2Fus-east-1%2Fs3%2Faws4_request" +
	"&X-Amz-Date=20150830T123600Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
	"&X-Amz-Signature=abcdef&X-Amz-Security-Token=tok%2Bx"

func queryRequest(query string) *http.Request {
	return httptest.NewRequest(http.MethodGet, "http://s3.example/bucket/key?"+query, nil)
}

func TestParseReadsAPresignedQuery(t *testing.T) {
	a, err := Parse(queryRequest(goodPresign))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Presigned || a.AccessKeyID != "AK" || a.Service != "s3" || a.Expires != 24*time.Hour ||
		a.Signature != "abcdef" || a.SecurityToken != "tok+x" || a.PayloadHash != "" {
		t.Fatalf("Parse = %+v", a)
	}
}

func TestParseSaysWhatIsWrongWithAPresignedQuery(t *testing.T) {
	without := func(name string) string {
		var keep []string
		for p := range strings.SplitSeq(goodPresign, "&") {
			if !strings.HasPrefix(p, name+"=") {
				keep = append(keep, p)
			}
		}
		return strings.Join(keep, "&")
	}
	with := func(name, value string) string { return without(name) + "&" + name + "=" + value }
	cases := []struct {
		name, query string
		want        error
		msg         string
	}{
		{"no algorithm", without("X-Amz-Algorithm"), ErrMalformedPresign, "requires the X-Amz-Algorithm"},
		{"no credential", without("X-Amz-Credential"), ErrMalformedPresign, "requires"},
		{"no date", without("X-Amz-Date"), ErrMalformedPresign, "requires"},
		{"no signed headers", without("X-Amz-SignedHeaders"), ErrMalformedPresign, "requires"},
		{"no signature", without("X-Amz-Signature"), ErrMalformedPresign, "requires"},
		{"two signatures", goodPresign + "&X-Amz-Signature=abcdef", ErrMalformedPresign, "requires"},
		{"SigV4a", with("X-Amz-Algorithm", "AWS4-ECDSA-P256-SHA256"), ErrMalformedPresign, "only supports"},
		{"a malformed date", with("X-Amz-Date", "20150830"), ErrMalformedPresign, "ISO8601"},
		{"a week and a second", with("X-Amz-Expires", "604801"), ErrMalformedPresign, "less than a week"},
		{"a negative expiry", with("X-Amz-Expires", "-1"), ErrMalformedPresign, "non-negative"},
		{"a word for an expiry", with("X-Amz-Expires", "soon"), ErrMalformedPresign, "should be a number"},
		{"two expiries", goodPresign + "&X-Amz-Expires=60", ErrMalformedPresign, "should be a number"},
		{"a bad credential", with("X-Amz-Credential", "AK%2F20150830%2Fus-east-1"), ErrMalformedPresign, "Credential is malformed"},
		{"host not signed", with("X-Amz-SignedHeaders", "x-amz-date"), ErrMalformedPresign, "'Host'"},
		{"a SigV2 presigned URL", "AWSAccessKeyId=AKID&Expires=1&Signature=abc", ErrSigV2, "AWS4-HMAC-SHA256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(queryRequest(c.query))
			assertError(t, err, c.want, c.msg)
		})
	}
}

func TestParseRefusesAHeaderAndAPresignedQueryTogether(t *testing.T) {
	r := queryRequest(goodPresign)
	r.Header.Set("Authorization", goodAuthorization)
	_, err := Parse(r)
	assertError(t, err, ErrMultipleAuth, "Only one auth mechanism")
}

func TestParseCallsARequestWithoutSignatureAnonymous(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "http://sts.example/?Action=AssumeRoleWithWebIdentity",
		strings.NewReader("RoleArn=x"))
	_, err := Parse(r)
	assertError(t, err, ErrNoAuth, "not signed")
}

func TestAPresignedMaximumOfSevenDaysIsAccepted(t *testing.T) {
	a, err := Parse(queryRequest(strings.Replace(goodPresign, "X-Amz-Expires=86400", "X-Amz-Expires=604800", 1)))
	if err != nil || a.Expires != MaxPresignExpiry {
		t.Fatalf("Parse = %+v, %v", a, err)
	}
}
