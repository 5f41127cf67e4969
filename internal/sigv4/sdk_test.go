package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"hash"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// Signatures made by aws-sdk-go-v2's signer, sent through net/http's client and server.

const (
	testAccessKey = "ASIAINKANTESTKEY0001"
	testSecret    = "inkan/secret+key/for+tests/only/0123456789"
	testToken     = "IQoJb3JpZ2luX2VjEInkanSessionToken//+/==="
)

func testTime() time.Time { return time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC) }

func sdkCreds() aws.Credentials {
	return aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecret, SessionToken: testToken}
}

func bufioReader(b []byte) *bufio.Reader { return bufio.NewReaderSize(bytes.NewReader(b), 64<<10) }

func sha256New() hash.Hash { return sha256.New() }

// sdkSign builds a client request and signs its headers with aws-sdk-go-v2, with S3's
// path rule when service is "s3".
func sdkSign(t testing.TB, method, target string, hdr http.Header, payload, service string,
	creds aws.Credentials, at time.Time) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		r.Header[k] = v
	}
	err = v4.NewSigner().SignHTTP(context.Background(), creds, r, payload, service, "ap-northeast-1", at,
		func(o *v4.SignerOptions) { o.DisableURIPathEscaping = service == "s3" })
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// serverSide writes a client request to the wire and reads it back as net/http's server
// does, so RequestURI, Host and the header map are what a handler sees.
func serverSide(r *http.Request, body []byte) *http.Request {
	r.Body = nil
	r.ContentLength = int64(len(body))
	if len(body) > 0 {
		r.Body = http.NoBody
		r.Body = readCloser{bytes.NewReader(body)}
	}
	var wire bytes.Buffer
	if err := r.Write(&wire); err != nil {
		panic(err)
	}
	got, err := http.ReadRequest(bufio.NewReader(&wire))
	if err != nil {
		panic(err)
	}
	return got
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

func s3Options() Options { return Options{Now: testTime, S3: true, Region: "ap-northeast-1"} }

func verifyServerSide(r *http.Request, body []byte, secret string, o Options) ([]byte, error) {
	a, err := Parse(r)
	if err != nil {
		return nil, err
	}
	if !o.S3 {
		o.PayloadHash = PayloadHash(body)
	}
	v, err := Verify(r, a, secret, o)
	if err != nil {
		return nil, err
	}
	b, err := v.Body(r.Body, r.ContentLength)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	_, err = out.ReadFrom(b)
	return out.Bytes(), err
}

// s3Targets are object paths as S3 clients put them on the wire: rawPath is the encoding
// the AWS SDKs produce (every byte but unreserved ones and '/' escaped), or "" for Go's own
// encoding, which leaves characters such as '+', '$' and '@' bare.
var s3Targets = []struct{ name, path, rawPath, query string }{
	{"a plain key", "/bucket/plain.txt", "", ""},
	{"nested prefixes", "/bucket/a/b/c/d.bin", "", ""},
	{"a space and a plus as the SDKs encode them", "/bucket/with space+plus", "/bucket/with%20space%2Bplus", ""},
	{"a plus as Go leaves it bare", "/bucket/with+plus", "", ""},
	{"unicode", "/bucket/ключ/キー.txt", "", ""},
	{"dot segments S3 must not remove", "/bucket/a/../b/./c", "", ""},
	{"double slashes S3 must not collapse", "/bucket//a//b/", "", ""},
	{"an encoded slash in a key", "/bucket/a/b", "/bucket/a%2Fb", ""},
	{"sub-delimiters", "/bucket/!$&'()*,;=:@~", "/bucket/%21%24%26%27%28%29%2A%2C%3B%3D%3A%40~", ""},
	{"a percent sign", "/bucket/100%", "/bucket/100%25", ""},
	{"a listing query", "/bucket", "", "list-type=2&prefix=up%2F&delimiter=%2F&encoding-type=url&max-keys=10"},
	{"a value-less subresource", "/bucket/key", "", "uploads"},
	{"an empty subresource value", "/bucket/key", "", "uploads="},
	{"Go's x-id", "/bucket/key", "", "x-id=PutObject"},
	{"a response override with reserved characters", "/bucket/key", "",
		"response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&response-content-type=text%2Fplain"},
	{"repeated and unsorted parameters", "/bucket/key", "", "b=2&a=3&a=1&c"},
	{"a plus in a query value", "/bucket/key", "", "prefix=a%2Bb&start-after=c+d"},
}

func s3Request(t *testing.T, method, path, rawPath, query string) *http.Request {
	t.Helper()
	u := &url.URL{Scheme: "http", Host: "127.0.0.1:9000", Path: path, RawPath: rawPath, RawQuery: query}
	r, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	r.URL = u
	return r
}

func TestS3HeaderSignaturesFromTheGoSDKVerify(t *testing.T) {
	body := []byte("object body\n")
	for _, tc := range s3Targets {
		for _, payload := range []string{PayloadHash(body), UnsignedPayload} {
			t.Run(tc.name+"/"+payload[:8], func(t *testing.T) {
				r := s3Request(t, http.MethodPut, tc.path, tc.rawPath, tc.query)
				r.Header.Set("X-Amz-Content-Sha256", payload)
				r.Header.Set("X-Amz-Meta-Note", "  spaced   out  ")
				r.Header.Set("Content-Type", "text/plain")
				r.ContentLength = int64(len(body))
				err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds(), r, payload, "s3", "ap-northeast-1", testTime(),
					func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
				if err != nil {
					t.Fatal(err)
				}
				got, err := verifyServerSide(serverSide(r, body), body, testSecret, s3Options())
				if err != nil {
					t.Fatalf("verify: %v", err)
				}
				if !bytes.Equal(got, body) {
					t.Fatalf("body = %q", got)
				}
				if _, err := verifyServerSide(serverSide(r, body), body, testSecret+"x", s3Options()); !errors.Is(err, ErrSignatureMismatch) {
					t.Fatalf("wrong secret: %v", err)
				}
			})
		}
	}
}

func TestS3PresignedURLsFromTheGoSDKVerify(t *testing.T) {
	for _, tc := range s3Targets {
		for _, method := range []string{http.MethodGet, http.MethodPut} {
			t.Run(tc.name+"/"+method, func(t *testing.T) {
				r := s3Request(t, method, tc.path, tc.rawPath, tc.query)
				q := r.URL.Query()
				q.Set("X-Amz-Expires", "900")
				r.URL.RawQuery = q.Encode()
				signed, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), sdkCreds(), r, UnsignedPayload, "s3",
					"ap-northeast-1", testTime(), func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
				if err != nil {
					t.Fatal(err)
				}
				u, err := url.Parse(signed)
				if err != nil {
					t.Fatal(err)
				}
				u.RawPath = tc.rawPath
				req, _ := http.NewRequest(method, u.String(), nil)
				req.URL = u
				for k, v := range hdr {
					req.Header[k] = v
				}
				body := []byte("presigned upload")
				if method == http.MethodGet {
					body = nil
				}
				got, err := verifyServerSide(serverSide(req, body), body, testSecret, s3Options())
				if err != nil {
					t.Fatalf("verify %s: %v", signed, err)
				}
				if !bytes.Equal(got, body) {
					t.Fatalf("body = %q", got)
				}
			})
		}
	}
}

func TestQueryServiceSignaturesFromTheGoSDKVerify(t *testing.T) {
	form := "Action=GetCallerIdentity&Version=2011-06-15"
	cases := []struct {
		name, method, target, body string
	}{
		{"a form POST", http.MethodPost, "http://127.0.0.1:8750/", form},
		{"a GET with the parameters in the query", http.MethodGet, "http://127.0.0.1:8750/?" + form, ""},
		{"a path the service encodes twice", http.MethodGet, "http://127.0.0.1:8750/d%20e/%E1%88%B4/f+g", ""},
		{"a query with a plus and an encoded plus", http.MethodGet, "http://127.0.0.1:8750/?Name=a+b&Other=a%2Bb&Empty=", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := http.Header{}
			if c.body != "" {
				hdr.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			}
			r := sdkSign(t, c.method, c.target, hdr, PayloadHash([]byte(c.body)), "sts", sdkCreds(), testTime())
			o := Options{Now: testTime, Service: "sts", Region: "ap-northeast-1"}
			if _, err := verifyServerSide(serverSide(r, []byte(c.body)), []byte(c.body), testSecret, o); err != nil {
				t.Fatalf("verify: %v", err)
			}
			tampered := []byte(strings.Replace(c.body, "GetCallerIdentity", "AssumeRole", 1))
			if c.body != "" {
				if _, err := verifyServerSide(serverSide(r, tampered), tampered, testSecret, o); !errors.Is(err, ErrSignatureMismatch) {
					t.Fatalf("a changed body verified: %v", err)
				}
			}
		})
	}
}

func TestQueryServicePresignedRequestsFromTheGoSDKVerify(t *testing.T) {
	r, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:8750/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Expires=60", nil)
	signed, hdr, err := v4.NewSigner().PresignHTTP(context.Background(), sdkCreds(), r, EmptyPayloadHash, "sts",
		"ap-northeast-1", testTime())
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, signed, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	a, err := Parse(serverSide(req, nil))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Presigned || a.SecurityToken != testToken || a.Expires != time.Minute {
		t.Fatalf("Parse = %+v", a)
	}
	o := Options{Now: testTime, Service: "sts"}
	if _, err := verifyServerSide(serverSide(req, nil), nil, testSecret, o); err != nil {
		t.Fatalf("verify: %v", err)
	}
	o.Now = func() time.Time { return testTime().Add(61 * time.Second) }
	if _, err := verifyServerSide(serverSide(req, nil), nil, testSecret, o); !errors.Is(err, ErrPresignExpired) {
		t.Fatalf("after X-Amz-Expires: %v", err)
	}
}

func TestASessionTokenAppendedAfterSigningIsAccepted(t *testing.T) {
	creds := sdkCreds()
	creds.SessionToken = ""
	// Header form: the token header is simply not among the signed headers.
	r := sdkSign(t, http.MethodPost, "http://127.0.0.1:8750/", nil, EmptyPayloadHash, "sts", creds, testTime())
	r.Header.Set("X-Amz-Security-Token", testToken)
	sr := serverSide(r, nil)
	a, err := Parse(sr)
	if err != nil || a.SecurityToken != testToken || a.IsSigned("x-amz-security-token") {
		t.Fatalf("Parse = %+v, %v", a, err)
	}
	if _, err := verifyServerSide(sr, nil, testSecret, Options{Now: testTime, Service: "sts"}); err != nil {
		t.Fatalf("header form: %v", err)
	}
	// Query form: the token parameter follows the signature, or precedes it.
	p, _ := http.NewRequest(http.MethodGet, "http://127.0.0.1:9000/bucket/key?X-Amz-Expires=60", nil)
	signed, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, p, UnsignedPayload, "s3",
		"ap-northeast-1", testTime(), func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if err != nil {
		t.Fatal(err)
	}
	tok := "X-Amz-Security-Token=" + url.QueryEscape(testToken)
	for _, target := range []string{signed + "&" + tok, strings.Replace(signed, "?", "?"+tok+"&", 1)} {
		req, _ := http.NewRequest(http.MethodGet, target, nil)
		sr := serverSide(req, nil)
		a, err := Parse(sr)
		if err != nil || a.SecurityToken != testToken {
			t.Fatalf("Parse = %+v, %v", a, err)
		}
		if _, err := verifyServerSide(sr, nil, testSecret, s3Options()); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
	}
}

func TestTamperingWithASignedPartIsDetected(t *testing.T) {
	body := []byte("x")
	sign := func() *http.Request {
		r := s3Request(t, http.MethodPut, "/bucket/key", "", "tagging=a")
		r.Header.Set("X-Amz-Content-Sha256", PayloadHash(body))
		r.Header.Set("X-Amz-Copy-Source", "/other/key")
		if err := v4.NewSigner().SignHTTP(context.Background(), sdkCreds(), r, PayloadHash(body), "s3", "ap-northeast-1",
			testTime(), func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true }); err != nil {
			t.Fatal(err)
		}
		return r
	}
	edits := map[string]func(r *http.Request){
		"the method":           func(r *http.Request) { r.Method = http.MethodPost },
		"the path":             func(r *http.Request) { r.URL.Path = "/bucket/kez" },
		"a query value":        func(r *http.Request) { r.URL.RawQuery = "tagging=b" },
		"an added query":       func(r *http.Request) { r.URL.RawQuery += "&versionId=1" },
		"a signed header":      func(r *http.Request) { r.Header.Set("X-Amz-Copy-Source", "/secret/key") },
		"the host":             func(r *http.Request) { r.Host = "127.0.0.1:9001" },
		"the session token":    func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", "other") },
		"the payload hash":     func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", UnsignedPayload) },
		"the request time":     func(r *http.Request) { r.Header.Set("X-Amz-Date", "20260801T120001Z") },
		"the signature's case": func(r *http.Request) { r.Header.Set("Authorization", strings.ToUpper(r.Header.Get("Authorization"))) },
	}
	for name, edit := range edits {
		t.Run(name, func(t *testing.T) {
			r := sign()
			edit(r)
			_, err := verifyServerSide(serverSide(r, body), body, testSecret, s3Options())
			if err == nil {
				t.Fatal("the altered request verified")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *Error", err)
			}
		})
	}
}
