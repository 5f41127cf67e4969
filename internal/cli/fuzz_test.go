package cli

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// The whole-server fuzz targets (issue 12): each input becomes one HTTP request served by
// the handler `inkan serve` runs (routing, SigV4, S3, STS, IAM, the store and the local
// object backend), optionally signed with the root keys so that it reaches past
// authentication. No input may make the server panic or answer 5xx, except 501 for an S3
// feature inkan does not implement (a HEAD answer carries no body to tell).
//
//	go test ./internal/cli -run '^$' -fuzz FuzzS3Request -fuzztime 1m
//	go test ./internal/cli -run '^$' -fuzz FuzzQueryRequest -fuzztime 1m

const (
	fuzzKeyID  = "AKIAFUZZROOT00000000"
	fuzzSecret = "fuzz-root-secret-00000000000000000000000"
)

// fuzzApp is a server on a temporary data directory, with one bucket and object.
func fuzzApp(f *testing.F) http.Handler {
	cfg := config.Default()
	cfg.DataDir, cfg.Addr = f.TempDir(), "127.0.0.1:8750"
	cfg.Root.AccessKeyID, cfg.Root.SecretAccessKey = fuzzKeyID, fuzzSecret
	if err := cfg.Validate(); err != nil {
		f.Fatal(err)
	}
	a, err := newApp(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard)
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { a.Close() })
	for _, seed := range []struct{ method, target, body string }{{"PUT", "/fuzz", ""}, {"PUT", "/fuzz/seed", "seed"}} {
		rec := httptest.NewRecorder()
		a.handler.ServeHTTP(rec, fuzzRequest(seed.method, seed.target, "", []byte(seed.body), "s3"))
		if rec.Code != 200 {
			f.Fatalf("%s %s: %d %s", seed.method, seed.target, rec.Code, rec.Body)
		}
	}
	return a.handler
}

// fuzzRequest builds the request, nil when net/http would not have parsed it; service ""
// leaves it unsigned.
func fuzzRequest(method, target, headers string, body []byte, service string) *http.Request {
	line := method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:8750\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(line + "\r\n")))
	if err != nil {
		return nil
	}
	hdr, err := textproto.NewReader(bufio.NewReader(strings.NewReader(headers + "\r\n\r\n"))).ReadMIMEHeader()
	if err == nil {
		for k, v := range hdr {
			if k != "Host" && k != "Content-Length" && k != "Transfer-Encoding" {
				r.Header[k] = v
			}
		}
	}
	r.Body, r.ContentLength = io.NopCloser(strings.NewReader(string(body))), int64(len(body))
	if len(body) == 0 {
		r.Body = http.NoBody
	}
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	r.RemoteAddr = "127.0.0.1:40000"
	if service != "" {
		creds := sigv4.Credentials{AccessKeyID: fuzzKeyID, SecretAccessKey: fuzzSecret}
		signable := r.Clone(context.Background())
		signable.URL = &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
		if sigv4.Sign(signable, creds, "us-east-1", service, sigv4.PayloadHash(body), time.Now()) != nil {
			return nil
		}
		for _, k := range []string{"Authorization", "X-Amz-Date", "X-Amz-Content-Sha256"} {
			if v := signable.Header.Get(k); v != "" {
				r.Header.Set(k, v)
			}
		}
	}
	return r
}

// serveFuzz serves r and fails on a 5xx other than S3's 501 NotImplemented.
func serveFuzz(t *testing.T, h http.Handler, r *http.Request) {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	notImplemented := rec.Code == 501 && (r.Method == http.MethodHead || strings.Contains(rec.Body.String(), "<Code>NotImplemented</Code>"))
	if rec.Code >= 500 && !notImplemented {
		t.Fatalf("%s %s answered %d:\n%s", r.Method, r.URL.RequestURI(), rec.Code, rec.Body)
	}
}

var fuzzMethods = [...]string{"GET", "PUT", "POST", "DELETE", "HEAD", "PATCH", "OPTIONS"}

// FuzzS3Request drives S3 requests of any method, target, headers and body, signed or not.
func FuzzS3Request(f *testing.F) {
	h := fuzzApp(f)
	f.Add(uint8(0), "/fuzz?list-type=2&prefix=a&delimiter=/", "", []byte(nil), true)
	f.Add(uint8(1), "/fuzz/key%20with%20space", "Content-Md5: 1B2M2Y8AsgTpgAmY7PhCfg==\r\nX-Amz-Meta-A: b", []byte("x"), true)
	f.Add(uint8(2), "/fuzz?delete", "Content-Md5: x", []byte("<Delete><Object><Key>seed</Key></Object></Delete>"), true)
	f.Add(uint8(2), "/fuzz/mpu?uploads", "", []byte(nil), true)
	f.Add(uint8(1), "/fuzz/copy", "X-Amz-Copy-Source: /fuzz/seed\r\nX-Amz-Metadata-Directive: REPLACE", []byte(nil), true)
	f.Add(uint8(1), "/new-bucket", "", []byte("<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>"), true)
	f.Add(uint8(0), "/fuzz/seed", "Range: bytes=1-2\r\nIf-None-Match: *", []byte(nil), false)
	f.Add(uint8(1), "/fuzz?policy", "", []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::fuzz/*"}]}`), true)
	f.Add(uint8(1), "/fuzz/chunked", "X-Amz-Decoded-Content-Length: 5\r\nContent-Encoding: aws-chunked", []byte("5\r\nhello\r\n0\r\n\r\n"), true)
	f.Fuzz(func(t *testing.T, m uint8, target, headers string, body []byte, signed bool) {
		service := ""
		if signed {
			service = "s3"
		}
		if r := fuzzRequest(fuzzMethods[int(m)%len(fuzzMethods)], target, headers, body, service); r != nil {
			serveFuzz(t, h, r)
		}
	})
}

// FuzzQueryRequest drives STS and IAM calls: any form body, signed for STS, for IAM, or not.
func FuzzQueryRequest(f *testing.F) {
	h := fuzzApp(f)
	f.Add("Action=GetCallerIdentity&Version=2011-06-15", uint8(1))
	f.Add("Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn:aws:iam::000000000000:role/r&RoleSessionName=s1&WebIdentityToken=a.b.c", uint8(0))
	f.Add("Action=CreateRole&Version=2010-05-08&RoleName=r1&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D", uint8(2))
	f.Add("Action=PutRolePolicy&Version=2010-05-08&RoleName=r1&PolicyName=p&PolicyDocument=%7B%7D", uint8(2))
	f.Add("Action=CreateOpenIDConnectProvider&Version=2010-05-08&Url=https://issuer.example&ClientIDList.member.1=sts.amazonaws.com", uint8(2))
	f.Add("Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::000000000000:role/r1&RoleSessionName=s1&Tags.member.1.Key=k&Tags.member.1.Value=v", uint8(1))
	f.Add("Action=ListRoles&Version=2010-05-08&MaxItems=1&Marker=x", uint8(2))
	f.Fuzz(func(t *testing.T, body string, sign uint8) {
		service := [...]string{"", "sts", "iam"}[int(sign)%3]
		r := fuzzRequest("POST", "/", "Content-Type: application/x-www-form-urlencoded", []byte(body), service)
		if r != nil {
			serveFuzz(t, h, r)
		}
	})
}
