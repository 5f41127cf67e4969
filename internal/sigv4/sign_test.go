package sigv4

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

func signCreds() Credentials {
	return Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret, SessionToken: testToken}
}

// sdkAuthorization signs a copy of r with aws-sdk-go-v2's signer the way its clients do
// (S3 sets x-amz-content-sha256 before signing and keeps the path as it is) and returns the
// Authorization header it produced.
func sdkAuthorization(t *testing.T, r *http.Request, creds Credentials, service, payload string) string {
	t.Helper()
	c := r.Clone(context.Background())
	c.Header.Del("Authorization")
	c.Header.Del("X-Amz-Date")
	c.Header.Del("X-Amz-Security-Token")
	if service == "s3" {
		c.Header.Set("X-Amz-Content-Sha256", payload)
	}
	sdk := aws.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.SecretAccessKey, SessionToken: creds.SessionToken}
	err := v4.NewSigner().SignHTTP(context.Background(), sdk, c, payload, service, "ap-northeast-1", testTime(),
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err != nil {
		t.Fatal(err)
	}
	return c.Header.Get("Authorization")
}

func TestSignedS3RequestsVerifyAndMatchTheGoSDKSignatureByteForByte(t *testing.T) {
	body := []byte("object body\n")
	for _, tc := range s3Targets {
		for _, payload := range []string{PayloadHash(body), UnsignedPayload} {
			t.Run(tc.name+"/"+payload[:8], func(t *testing.T) {
				r := s3Request(t, http.MethodPut, tc.path, tc.rawPath, tc.query)
				r.Header.Set("X-Amz-Meta-Note", "  spaced   out  ")
				r.Header.Set("Content-Type", "text/plain")
				r.Header.Set("User-Agent", "inkan-test")
				r.ContentLength = int64(len(body))
				want := sdkAuthorization(t, r, signCreds(), "s3", payload)
				if err := Sign(r, signCreds(), "ap-northeast-1", "s3", payload, testTime()); err != nil {
					t.Fatal(err)
				}
				if got := r.Header.Get("Authorization"); got != want {
					t.Fatalf("Authorization differs from the SDK's\n got %s\nwant %s", got, want)
				}
				if got := r.Header.Get("X-Amz-Content-Sha256"); got != payload {
					t.Fatalf("x-amz-content-sha256 = %q, want %q", got, payload)
				}
				got, err := verifyServerSide(serverSide(r, body), body, testSecret, s3Options())
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				if !bytes.Equal(got, body) {
					t.Fatalf("body = %q", got)
				}
			})
		}
	}
}

func TestSignedQueryServiceRequestsVerifyAndMatchTheGoSDKSignatureByteForByte(t *testing.T) {
	cases := []struct {
		name, method, target, service, contentType, body string
		creds                                            Credentials
	}{
		{"an STS GetCallerIdentity with a session token", http.MethodPost, "http://127.0.0.1:8750/", "sts",
			"application/x-www-form-urlencoded; charset=utf-8", "Action=GetCallerIdentity&Version=2011-06-15", signCreds()},
		{"an IAM CreateRole with long-term keys", http.MethodPost, "http://127.0.0.1:8750/", "iam",
			"application/x-www-form-urlencoded", "Action=CreateRole&RoleName=deploy&AssumeRolePolicyDocument=%7B%7D&Version=2010-05-08",
			Credentials{AccessKeyID: "AKIAINKANROOT0001", SecretAccessKey: testSecret}},
		{"an admin API GET with an empty body", http.MethodGet, "http://localhost:8750/_inkan/v1/decisions/req-1?x=1&a=2", "inkan",
			"", "", signCreds()},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(tc.method, tc.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentType != "" {
				r.Header.Set("Content-Type", tc.contentType)
			}
			r.ContentLength = int64(len(tc.body))
			payload := PayloadHash([]byte(tc.body))
			want := sdkAuthorization(t, r, tc.creds, tc.service, payload)
			if err := Sign(r, tc.creds, "ap-northeast-1", tc.service, payload, testTime()); err != nil {
				t.Fatal(err)
			}
			if got := r.Header.Get("Authorization"); got != want {
				t.Fatalf("Authorization differs from the SDK's\n got %s\nwant %s", got, want)
			}
			if r.Header.Get("X-Amz-Content-Sha256") != "" {
				t.Fatal("a query service request carries x-amz-content-sha256")
			}
			o := Options{Now: testTime, Region: "ap-northeast-1", Service: tc.service}
			got, err := verifyServerSide(serverSide(r, []byte(tc.body)), []byte(tc.body), tc.creds.SecretAccessKey, o)
			if err != nil {
				t.Fatalf("verify: %v", err)
			}
			if string(got) != tc.body {
				t.Fatalf("body = %q", got)
			}
			a, err := Parse(serverSide(r, []byte(tc.body)))
			if err != nil {
				t.Fatal(err)
			}
			if a.SecurityToken != tc.creds.SessionToken || a.AccessKeyID != tc.creds.AccessKeyID {
				t.Fatalf("parsed key %q token %q, want %q %q", a.AccessKeyID, a.SecurityToken, tc.creds.AccessKeyID, tc.creds.SessionToken)
			}
		})
	}
}

func TestSigningTwiceGivesTheSameHeadersAsSigningOnce(t *testing.T) {
	r := s3Request(t, http.MethodGet, "/bucket/key", "", "list-type=2")
	if err := Sign(r, signCreds(), "us-east-1", "s3", EmptyPayloadHash, testTime()); err != nil {
		t.Fatal(err)
	}
	first := r.Header.Clone()
	if err := Sign(r, signCreds(), "us-east-1", "s3", EmptyPayloadHash, testTime()); err != nil {
		t.Fatal(err)
	}
	for name := range first {
		if got, want := r.Header.Values(name), first.Values(name); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("%s: %q after the second signature, %q after the first", name, got, want)
		}
	}
	if !strings.Contains(first.Get("Authorization"), "SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,") {
		t.Fatalf("signed headers: %s", first.Get("Authorization"))
	}
}

func TestSigningWithoutASessionTokenRemovesAStaleOne(t *testing.T) {
	r := s3Request(t, http.MethodGet, "/bucket/key", "", "")
	r.Header.Set("X-Amz-Security-Token", "stale")
	creds := Credentials{AccessKeyID: "AKIAINKANROOT0001", SecretAccessKey: testSecret}
	if err := Sign(r, creds, "us-east-1", "s3", EmptyPayloadHash, testTime()); err != nil {
		t.Fatal(err)
	}
	if r.Header.Get("X-Amz-Security-Token") != "" || strings.Contains(r.Header.Get("Authorization"), "x-amz-security-token") {
		t.Fatalf("a stale session token survived: %v", r.Header)
	}
}

func TestARequestChangedAfterSigningDoesNotVerify(t *testing.T) {
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	o := Options{Now: testTime, Service: "sts"}
	edits := map[string]func(r *http.Request){
		"a signed header changed": func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
		"the path changed":        func(r *http.Request) { r.URL.Path = "/other" },
		"the query changed":       func(r *http.Request) { r.URL.RawQuery = "a=1" },
		"the host changed":        func(r *http.Request) { r.Host = "evil.example:8750" },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8750/", nil)
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.ContentLength = int64(len(body))
			if err := Sign(r, signCreds(), "us-east-1", "sts", PayloadHash(body), testTime()); err != nil {
				t.Fatal(err)
			}
			if _, err := verifyServerSide(serverSide(r.Clone(context.Background()), body), body, testSecret, o); err != nil {
				t.Fatalf("the unchanged request does not verify: %v", err)
			}
			edit(r)
			if _, err := verifyServerSide(serverSide(r, body), body, testSecret, o); !errors.Is(err, ErrSignatureMismatch) {
				t.Fatalf("verify = %v, want a signature mismatch", err)
			}
		})
	}
}

func TestSignRefusesWhatNoServerWouldAccept(t *testing.T) {
	good := func() *http.Request { r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8750/", nil); return r }
	cases := []struct {
		name             string
		r                *http.Request
		creds            Credentials
		region, service  string
		payload, message string
	}{
		{"no request", nil, signCreds(), "us-east-1", "sts", EmptyPayloadHash, "URL"},
		{"no host", &http.Request{Method: http.MethodGet, URL: &url.URL{Path: "/"}, Header: http.Header{}}, signCreds(), "us-east-1", "sts", EmptyPayloadHash, "host"},
		{"no access key", good(), Credentials{SecretAccessKey: "s"}, "us-east-1", "sts", EmptyPayloadHash, "access key"},
		{"no secret", good(), Credentials{AccessKeyID: "AKIA"}, "us-east-1", "sts", EmptyPayloadHash, "secret"},
		{"no region", good(), signCreds(), "", "sts", EmptyPayloadHash, "region"},
		{"no service", good(), signCreds(), "us-east-1", "", EmptyPayloadHash, "service"},
		{"no payload hash", good(), signCreds(), "us-east-1", "sts", "", "payload hash"},
		{"an unsigned payload outside S3", good(), signCreds(), "us-east-1", "sts", UnsignedPayload, "payload hash"},
		{"a payload hash that is not hex", good(), signCreds(), "us-east-1", "s3", strings.Repeat("z", 64), "payload hash"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := Sign(tc.r, tc.creds, tc.region, tc.service, tc.payload, testTime())
			if err == nil || !strings.Contains(err.Error(), tc.message) {
				t.Fatalf("Sign = %v, want an error about %s", err, tc.message)
			}
			if tc.r != nil && tc.r.Header.Get("Authorization") != "" {
				t.Fatal("a refused request was signed anyway")
			}
		})
	}
}

func TestSignUsesTheRequestTimeInUTCToTheSecond(t *testing.T) {
	r := s3Request(t, http.MethodGet, "/bucket", "", "")
	at := time.Date(2026, 8, 2, 1, 30, 15, 999_000_000, time.FixedZone("JST", 9*3600))
	if err := Sign(r, signCreds(), "ap-northeast-1", "s3", EmptyPayloadHash, at); err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("X-Amz-Date"); got != "20260801T163015Z" {
		t.Fatalf("X-Amz-Date = %q", got)
	}
	if !strings.Contains(r.Header.Get("Authorization"), "/20260801/ap-northeast-1/s3/aws4_request,") {
		t.Fatalf("scope: %s", r.Header.Get("Authorization"))
	}
}

func BenchmarkSignGetCallerIdentity(b *testing.B) {
	body := []byte("Action=GetCallerIdentity&Version=2011-06-15")
	hash := PayloadHash(body)
	r, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8750/", nil)
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.ContentLength = int64(len(body))
	b.ReportAllocs()
	for b.Loop() {
		if err := Sign(r, signCreds(), "us-east-1", "sts", hash, testTime()); err != nil {
			b.Fatal(err)
		}
	}
}

func TestASignerKeepingItsKeySignsAsSignDoesAcrossDaysRegionsAndSecrets(t *testing.T) {
	var s Signer
	other := signCreds()
	other.SecretAccessKey = "another-secret-key-000000000000000000000"
	cases := []struct {
		creds  Credentials
		region string
		at     time.Time
	}{
		{signCreds(), "ap-northeast-1", testTime()},
		{signCreds(), "ap-northeast-1", testTime().Add(time.Hour)},      // same day: the kept key
		{signCreds(), "ap-northeast-1", testTime().Add(24 * time.Hour)}, // the next day
		{signCreds(), "us-east-1", testTime().Add(24 * time.Hour)},
		{other, "us-east-1", testTime().Add(24 * time.Hour)},
		{signCreds(), "us-east-1", testTime().Add(24 * time.Hour)},
	}
	for i, c := range cases {
		r, want := s3Request(t, http.MethodGet, "/bucket/key", "", ""), s3Request(t, http.MethodGet, "/bucket/key", "", "")
		if err := s.Sign(r, c.creds, c.region, "s3", UnsignedPayload, c.at); err != nil {
			t.Fatal(err)
		}
		if err := Sign(want, c.creds, c.region, "s3", UnsignedPayload, c.at); err != nil {
			t.Fatal(err)
		}
		if got := r.Header.Get("Authorization"); got != want.Header.Get("Authorization") {
			t.Fatalf("case %d: Signer gave\n%s\nSign gave\n%s", i, got, want.Header.Get("Authorization"))
		}
	}
}

// Verify's cache of derived keys must answer exactly what derivation answers, for inputs
// that concatenate alike too, and stay within its bound.
func TestDerivedKeysAreCachedExactly(t *testing.T) {
	c := keyCache{m: make(map[[32]byte][]byte)}
	for _, in := range [][4]string{
		{"secret", "20261203", "us-east-1", "s3"},
		{"secre", "t20261203", "us-east-1", "s3"},
		{"secret", "20261203", "us-east-1s", "3"},
		{"secret", "20261204", "us-east-1", "s3"},
	} {
		for range 2 { // derived, then remembered
			got := c.signingKey(in[0], in[1], in[2], in[3])
			if want := signingKey(in[0], in[1], in[2], in[3]); !bytes.Equal(got, want) {
				t.Fatalf("%q: cached key %x, derived %x", in, got, want)
			}
		}
	}
	for i := range maxDerivedKeys + 10 {
		c.signingKey("secret", "20261203", "region-"+strconv.Itoa(i), "s3")
	}
	if len(c.m) > maxDerivedKeys {
		t.Fatalf("the cache holds %d keys, over its bound %d", len(c.m), maxDerivedKeys)
	}
}
