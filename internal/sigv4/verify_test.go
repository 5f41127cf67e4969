package sigv4

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// stsRequest is a GetCallerIdentity POST signed by aws-sdk-go-v2 at testTime for region
// ap-northeast-1, as a server receives it.
func stsRequest(t *testing.T) (*http.Request, []byte) {
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	hdr := http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}}
	r := sdkSign(t, http.MethodPost, "http://127.0.0.1:8750/", hdr, PayloadHash(body), "sts", sdkCreds(), testTime())
	return serverSide(r, body), body
}

func at(d time.Duration) func() time.Time { return func() time.Time { return testTime().Add(d) } }

func TestVerifyChecksTheCredentialScope(t *testing.T) {
	r, body := stsRequest(t)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	base := Options{Now: testTime, Service: "sts", PayloadHash: PayloadHash(body)}
	cases := []struct {
		name string
		edit func(o *Options, a *Auth)
		msg  string
	}{
		{"a scope date other than the request's", func(o *Options, a *Auth) { a.Date = "20260731" },
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20260731' != '20260801', from '20260801T120000Z'."},
		{"a region other than the pinned one", func(o *Options, a *Auth) { o.Region = "us-east-1" },
			"Credential should be scoped to a valid Region, not 'ap-northeast-1'."},
		{"another service", func(o *Options, a *Auth) { o.Service = "iam" },
			"Credential should be scoped to correct service: 'iam'."},
		{"S3's date wording", func(o *Options, a *Auth) { a.Date = "20260731"; o.S3 = true; o.Service = "sts" },
			"Invalid credential date. Date is not the same as X-Amz-Date."},
		{"S3's region wording", func(o *Options, a *Auth) { o.S3 = true; o.Service = "sts"; o.Region = "eu-west-1" },
			"The authorization header is malformed; the region 'ap-northeast-1' is wrong; expecting 'eu-west-1'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o, a2 := base, *a
			c.edit(&o, &a2)
			_, err := Verify(r, &a2, testSecret, o)
			assertError(t, err, ErrScope, c.msg)
		})
	}
	o := base
	o.Region = "us-east-1"
	_, err = Verify(r, a, testSecret, o)
	var e *Error
	if !errors.As(err, &e) || e.Region != "us-east-1" {
		t.Fatalf("the scope error does not name the expected region: %+v", e)
	}
	if _, err := Verify(r, a, testSecret, base); err != nil {
		t.Fatalf("the unaltered request: %v", err)
	}
}

func TestVerifyAllowsFifteenMinutesOfSkewEachWay(t *testing.T) {
	r, body := stsRequest(t)
	a, _ := Parse(r)
	o := Options{Service: "sts", PayloadHash: PayloadHash(body)}
	for _, d := range []time.Duration{-15 * time.Minute, 15 * time.Minute, 0} {
		o.Now = at(d)
		if _, err := Verify(r, a, testSecret, o); err != nil {
			t.Errorf("server clock %v from the request: %v", d, err)
		}
	}
	o.Now = at(15*time.Minute + time.Second)
	_, err := Verify(r, a, testSecret, o)
	assertError(t, err, ErrRequestTimeSkewed,
		"Signature expired: 20260801T120000Z is now earlier than 20260801T120001Z (20260801T121501Z - 15 min.)")
	var e *Error
	errors.As(err, &e)
	if !e.RequestTime.Equal(testTime()) || !e.ServerTime.Equal(testTime().Add(15*time.Minute+time.Second)) || e.MaxSkew != 15*time.Minute {
		t.Fatalf("skew details: %+v", e)
	}
	o.Now = at(-15*time.Minute - time.Second)
	_, err = Verify(r, a, testSecret, o)
	assertError(t, err, ErrRequestTimeSkewed,
		"Signature not yet current: 20260801T120000Z is still later than 20260801T115959Z (20260801T114459Z + 15 min.)")
	o.S3, o.Service = true, "sts"
	r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload)
	a.PayloadHash = UnsignedPayload
	_, err = Verify(r, a, testSecret, o)
	assertError(t, err, ErrRequestTimeSkewed, "The difference between the request time and the current time is too large.")
	o = Options{Service: "sts", PayloadHash: PayloadHash(body), Now: at(5 * time.Minute), MaxSkew: 4 * time.Minute}
	if _, err := Verify(r, a, testSecret, o); !errors.Is(err, ErrRequestTimeSkewed) {
		t.Fatalf("a 4-minute MaxSkew allowed 5 minutes: %v", err)
	}
}

func presigned(t *testing.T, expires string) *http.Request {
	t.Helper()
	target := "http://127.0.0.1:9000/bucket/key"
	if expires != "" {
		target += "?X-Amz-Expires=" + expires
	}
	p, _ := http.NewRequest(http.MethodGet, target, nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), sdkCreds(), p, UnsignedPayload, "s3",
		"ap-northeast-1", testTime(), func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, signed, nil)
	return serverSide(req, nil)
}

func TestPresignedRequestsLiveFromTheirDateForTheirExpiry(t *testing.T) {
	r := presigned(t, "3600")
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	o := Options{S3: true}
	for _, d := range []time.Duration{-15 * time.Minute, 0, time.Hour} {
		o.Now = at(d)
		if _, err := Verify(r, a, testSecret, o); err != nil {
			t.Errorf("%v after signing: %v", d, err)
		}
	}
	o.Now = at(time.Hour + time.Second)
	_, err = Verify(r, a, testSecret, o)
	assertError(t, err, ErrPresignExpired, "Request has expired")
	var e *Error
	if errors.As(err, &e); e.Expires != time.Hour {
		t.Fatalf("Expires = %v", e.Expires)
	}
	o.Now = at(-15*time.Minute - time.Second)
	_, err = Verify(r, a, testSecret, o)
	assertError(t, err, ErrPresignNotYetValid, "Request is not valid yet")
}

func TestAPresignedS3RequestForAnotherRegionIsToldSoInS3Words(t *testing.T) {
	r := presigned(t, "60")
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(r, a, testSecret, Options{Now: testTime, S3: true, Region: "eu-west-1"})
	assertError(t, err, ErrScope, "Error parsing the X-Amz-Credential parameter; the region 'ap-northeast-1' is wrong; expecting 'eu-west-1'")
}

func TestS3PresignedRequestsNeedXAmzExpiresOthersFallBackToTheSkew(t *testing.T) {
	r := presigned(t, "")
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Verify(r, a, testSecret, Options{Now: testTime, S3: true})
	assertError(t, err, ErrMalformedPresign, "X-Amz-Expires parameters")
	// The same signature checked as a query service: the skew bounds it.
	o := Options{Now: at(15 * time.Minute), Service: "s3", PayloadHash: EmptyPayloadHash}
	_, err = Verify(r, a, testSecret, o)
	if !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("query-service rules sign the body hash, not UNSIGNED-PAYLOAD: %v", err)
	}
	o.Now = at(16 * time.Minute)
	_, err = Verify(r, a, testSecret, o)
	assertError(t, err, ErrPresignExpired, "Request has expired")
}

func s3Put(t *testing.T, payload string) (*http.Request, *Auth) {
	t.Helper()
	hdr := http.Header{}
	if payload != "" {
		hdr.Set("X-Amz-Content-Sha256", payload)
	}
	r := serverSide(sdkSign(t, http.MethodPut, "http://127.0.0.1:9000/bucket/key", hdr, payload, "s3", sdkCreds(), testTime()), nil)
	a, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	return r, a
}

func TestS3HeaderRequestsMustDeclareALegalPayloadHash(t *testing.T) {
	r, a := s3Put(t, "")
	_, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
	assertError(t, err, ErrMissingContentSHA256, "Missing required header for this request: x-amz-content-sha256")
	for _, bad := range []string{"STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD", "unsigned-payload", strings.Repeat("g", 64), "abc"} {
		r, a := s3Put(t, bad)
		_, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
		assertError(t, err, ErrInvalidContentSHA256, "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, or a valid sha256 value.")
	}
	for _, good := range []string{UnsignedPayload, StreamingPayload, StreamingPayloadTrailer, StreamingUnsignedPayloadTrail,
		EmptyPayloadHash, strings.ToUpper(EmptyPayloadHash)} {
		r, a := s3Put(t, good)
		v, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
		if err != nil || v.PayloadHash != good {
			t.Errorf("%s: %v", good, err)
		}
	}
}

func TestVerifyRefusesToRunWithoutWhatItNeeds(t *testing.T) {
	r, body := stsRequest(t)
	a, _ := Parse(r)
	cases := map[string]func() error{
		"no secret": func() error {
			_, err := Verify(r, a, "", Options{Service: "sts", PayloadHash: PayloadHash(body)})
			return err
		},
		"no Auth": func() error {
			_, err := Verify(r, nil, testSecret, Options{Service: "sts", PayloadHash: PayloadHash(body)})
			return err
		},
		"no service for a query service": func() error {
			_, err := Verify(r, a, testSecret, Options{Now: testTime, PayloadHash: PayloadHash(body)})
			return err
		},
		"no payload hash for a query service": func() error {
			_, err := Verify(r, a, testSecret, Options{Now: testTime, Service: "sts"})
			return err
		},
	}
	for name, run := range cases {
		err := run()
		var e *Error
		if err == nil || errors.As(err, &e) {
			t.Errorf("%s: error = %v; want a misuse error that is not an *Error", name, err)
		}
	}
}

func TestAMismatchReportsTheStringToSignButNoSecret(t *testing.T) {
	r, body := stsRequest(t)
	a, _ := Parse(r)
	_, err := Verify(r, a, "another secret", Options{Now: testTime, Service: "sts", PayloadHash: PayloadHash(body)})
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, ErrSignatureMismatch) {
		t.Fatalf("error = %v", err)
	}
	if !strings.HasPrefix(e.StringToSign, "AWS4-HMAC-SHA256\n20260801T120000Z\n20260801/ap-northeast-1/sts/aws4_request\n") {
		t.Fatalf("StringToSign = %q", e.StringToSign)
	}
	for _, secret := range []string{testSecret, testToken, a.Signature} {
		if strings.Contains(err.Error(), secret) || strings.Contains(e.StringToSign, secret) {
			t.Fatal("the error exposes a secret, token or signature")
		}
	}
}

func TestAHexPayloadIsVerifiedAgainstTheBody(t *testing.T) {
	body := []byte("the signed body")
	for _, tc := range []struct {
		name string
		sent []byte
		want error
	}{
		{"the signed body", body, io.EOF},
		{"another body", []byte("the signed bodY"), ErrContentSHA256Mismatch},
		{"a shorter body", body[:5], ErrContentSHA256Mismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, a := s3Put(t, PayloadHash(body))
			v, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
			if err != nil {
				t.Fatal(err)
			}
			b, err := v.Body(bytes.NewReader(tc.sent), int64(len(tc.sent)))
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(b)
			if tc.want == io.EOF {
				if err != nil || !bytes.Equal(got, body) {
					t.Fatalf("%q, %v", got, err)
				}
				return
			}
			assertError(t, err, tc.want, "does not match what was computed")
			if _, again := b.Read(make([]byte, 8)); again != err {
				t.Fatalf("a later Read returned %v", again)
			}
		})
	}
}

func TestABodyErrorIsNeverTurnedIntoEOF(t *testing.T) {
	reset := errors.New("connection reset by peer")
	for _, payload := range []string{PayloadHash([]byte("abc")), UnsignedPayload} {
		r, a := s3Put(t, payload)
		v, err := Verify(r, a, testSecret, Options{Now: testTime, S3: true})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := v.Body(io.MultiReader(strings.NewReader("ab"), iotest.ErrReader(reset)), 3)
		if _, err := io.ReadAll(b); err != reset {
			t.Fatalf("%s: error = %v, want the body's own error", payload, err)
		}
		if b.DecodedLength() != 3 || b.Trailers() != nil {
			t.Fatalf("DecodedLength = %d, Trailers = %v", b.DecodedLength(), b.Trailers())
		}
	}
}
