package sigv4

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// The real aws-sdk-go-v2 STS and S3 clients, pointed at a verifying server on loopback, with
// the real clock.

func credsProvider() aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) { return sdkCreds(), nil })
}

func stsReply(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/xml")
	io.WriteString(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">`+
		`<GetCallerIdentityResult><Arn>arn:aws:sts::123456789012:assumed-role/ci/GitHubActions</Arn>`+
		`<UserId>AROAINKAN:GitHubActions</UserId><Account>123456789012</Account></GetCallerIdentityResult>`+
		`<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`)
}

func TestTheGoSDKSTSClientsGetCallerIdentityVerifies(t *testing.T) {
	srv, got := startServer(t, false, testSecret, func(*http.Request) Options {
		return Options{Service: "sts", Region: "ap-northeast-1"}
	}, stsReply)
	client := sts.New(sts.Options{Region: "ap-northeast-1", Credentials: credsProvider(),
		BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client(), RetryMaxAttempts: 1})
	out, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	s := next(t, got)
	if s.err != nil {
		t.Fatalf("server: %v", s.err)
	}
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	if aws.ToString(out.Account) != "123456789012" {
		t.Fatalf("Account = %q", aws.ToString(out.Account))
	}
	a := s.auth
	if a.AccessKeyID != testAccessKey || a.SecurityToken != testToken || a.Service != "sts" || a.Presigned {
		t.Fatalf("Auth = %+v", a)
	}
	if !strings.Contains(string(s.body), "Action=GetCallerIdentity") {
		t.Fatalf("body = %q", s.body)
	}
}

func TestTheGoSDKSTSClientIsRefusedWithAnotherSecretOrRegion(t *testing.T) {
	cases := []struct {
		name   string
		secret string
		region string
		want   error
	}{
		{"another secret", testSecret + "x", "", ErrSignatureMismatch},
		{"a pinned region the client did not sign for", testSecret, "eu-west-1", ErrScope},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, got := startServer(t, false, c.secret, func(*http.Request) Options {
				return Options{Service: "sts", Region: c.region}
			}, stsReply)
			client := sts.New(sts.Options{Region: "ap-northeast-1", Credentials: credsProvider(),
				BaseEndpoint: aws.String(srv.URL), HTTPClient: srv.Client(), RetryMaxAttempts: 1})
			if _, err := client.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err == nil {
				t.Fatal("the client succeeded")
			}
			if s := next(t, got); !errors.Is(s.err, c.want) {
				t.Fatalf("server error = %v, want %v", s.err, c.want)
			}
		})
	}
}

func s3Reply(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
	if r.Method == http.MethodGet {
		w.Write([]byte("downloaded"))
	}
}

func newS3Client(srv interface {
	Client() *http.Client
}, url string, calc aws.RequestChecksumCalculation) *s3.Client {
	return s3.New(s3.Options{Region: "ap-northeast-1", Credentials: credsProvider(), BaseEndpoint: aws.String(url),
		UsePathStyle: true, HTTPClient: srv.Client(), RetryMaxAttempts: 1, RequestChecksumCalculation: calc})
}

// Over plain HTTP the SDK signs the body's SHA-256; over TLS it streams with
// STREAMING-UNSIGNED-PAYLOAD-TRAILER and an x-amz-checksum-crc32 trailer (aws-clients.md).
// Bodies that cannot seek are streamed either way.
func TestTheGoSDKS3PutObjectVerifiesInEveryPayloadMode(t *testing.T) {
	data := bytes.Repeat([]byte("inkan object data "), 200000) // 3.6 MB
	h := crc32.NewIEEE()
	h.Write(data)
	crc := base64.StdEncoding.EncodeToString(h.Sum(nil))
	hexSHA := PayloadHash(data)
	cases := []struct {
		name     string
		tls      bool
		calc     aws.RequestChecksumCalculation
		seekable bool
		mode     string
	}{
		{"http, checksums when supported", false, aws.RequestChecksumCalculationWhenSupported, true, hexSHA},
		{"http, checksums when required", false, aws.RequestChecksumCalculationWhenRequired, true, hexSHA},
		{"https, checksums when supported", true, aws.RequestChecksumCalculationWhenSupported, true, StreamingUnsignedPayloadTrail},
		{"https, checksums when required", true, aws.RequestChecksumCalculationWhenRequired, true, UnsignedPayload},
		{"https, a body that cannot seek", true, aws.RequestChecksumCalculationWhenSupported, false, StreamingUnsignedPayloadTrail},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv, got := startServer(t, c.tls, testSecret, func(*http.Request) Options { return Options{S3: true} }, s3Reply)
			var body io.Reader = bytes.NewReader(data)
			if !c.seekable {
				body = io.MultiReader(body)
			}
			in := &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: aws.String("dir/object name+1.bin"), Body: body}
			if !c.seekable {
				in.ContentLength = aws.Int64(int64(len(data)))
			}
			_, err := newS3Client(srv, srv.URL, c.calc).PutObject(context.Background(), in)
			s := next(t, got)
			if s.err != nil {
				t.Fatalf("server: %v", s.err)
			}
			if err != nil {
				t.Fatalf("client: %v", err)
			}
			if !bytes.Equal(s.body, data) {
				t.Fatalf("the server read %d bytes that are not the object", len(s.body))
			}
			if mode := s.verified.PayloadHash; mode != c.mode {
				t.Fatalf("the SDK signed payload %s, the case expects %s", mode, c.mode)
			}
			if c.mode == StreamingUnsignedPayloadTrail && s.trailers.Get("X-Amz-Checksum-Crc32") != crc {
				t.Fatalf("trailer crc32 = %q, want %q", s.trailers.Get("X-Amz-Checksum-Crc32"), crc)
			}
		})
	}
}

func TestTheGoSDKS3PresignedURLsVerify(t *testing.T) {
	srv, got := startServer(t, false, testSecret, func(*http.Request) Options { return Options{S3: true} }, s3Reply)
	presign := s3.NewPresignClient(newS3Client(srv, srv.URL, aws.RequestChecksumCalculationWhenSupported))
	key := aws.String("reports/2026 Q3 (final).pdf")
	get, err := presign.PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("bucket"), Key: key},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	put, err := presign.PresignPutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("bucket"), Key: key},
		s3.WithPresignExpires(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		method, url string
		hdr         http.Header
		body        string
	}{{get.Method, get.URL, get.SignedHeader, ""}, {put.Method, put.URL, put.SignedHeader, "uploaded by URL"}} {
		req, _ := http.NewRequest(p.method, p.url, strings.NewReader(p.body))
		for k, v := range p.hdr {
			if !strings.EqualFold(k, "host") {
				req.Header[k] = v
			}
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		s := next(t, got)
		if s.err != nil {
			t.Fatalf("%s %s: %v", p.method, p.url, s.err)
		}
		if !s.auth.Presigned || s.auth.SecurityToken != testToken || string(s.body) != p.body {
			t.Fatalf("Auth = %+v, body %q", s.auth, s.body)
		}
	}
}
