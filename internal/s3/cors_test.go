package s3_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// corsRequest sends an unsigned request with browser headers.
func (e *env) corsRequest(method, path string, headers map[string]string) *http.Response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.server.URL+path, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.server.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

func TestBucketCorsIsStoredReadBackAndDeletedThroughTheSDK(t *testing.T) {
	e := newEnv(t)
	e.bucket("site")
	c := e.client(rootCredentials())
	_, err := c.GetBucketCors(e.ctx, &s3sdk.GetBucketCorsInput{Bucket: aws.String("site")})
	requireCode(t, err, "NoSuchCORSConfiguration", 404)
	rules := []types.CORSRule{
		{ID: aws.String("app"), AllowedOrigins: []string{"https://app.example"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"x-amz-*", "Content-Type"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: aws.Int32(600)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}},
	}
	if _, err := c.PutBucketCors(e.ctx, &s3sdk.PutBucketCorsInput{Bucket: aws.String("site"),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketCors(e.ctx, &s3sdk.GetBucketCorsInput{Bucket: aws.String("site")})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CORSRules) != 2 || aws.ToString(out.CORSRules[0].ID) != "app" || aws.ToInt32(out.CORSRules[0].MaxAgeSeconds) != 600 ||
		strings.Join(out.CORSRules[0].AllowedHeaders, ",") != "x-amz-*,Content-Type" || out.CORSRules[1].AllowedOrigins[0] != "*" {
		t.Fatalf("read back %+v", out.CORSRules)
	}
	for _, bad := range []types.CORSRule{
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PATCH"}},
		{AllowedOrigins: []string{"https://*.*.example"}, AllowedMethods: []string{"GET"}},
	} {
		_, err := c.PutBucketCors(e.ctx, &s3sdk.PutBucketCorsInput{Bucket: aws.String("site"),
			CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{bad}}})
		requireCode(t, err, "InvalidRequest", 400)
	}
	if _, err := c.DeleteBucketCors(e.ctx, &s3sdk.DeleteBucketCorsInput{Bucket: aws.String("site")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketCors(e.ctx, &s3sdk.GetBucketCorsInput{Bucket: aws.String("site")})
	requireCode(t, err, "NoSuchCORSConfiguration", 404)
	_, err = c.PutBucketCors(e.ctx, &s3sdk.PutBucketCorsInput{Bucket: aws.String("nope"),
		CORSConfiguration: &types.CORSConfiguration{CORSRules: rules}})
	requireCode(t, err, "NoSuchBucket", 404)
}

func TestPreflightAndActualRequestsAreAnsweredFromTheBucketsCorsRules(t *testing.T) {
	e := newEnv(t)
	e.bucket("site")
	c := e.client(rootCredentials())
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("site"), Key: aws.String("index.html"), Body: strings.NewReader("hi")}); err != nil {
		t.Fatal(err)
	}
	pre := map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "PUT",
		"Access-Control-Request-Headers": "x-amz-date, authorization, content-type"}
	resp := e.corsRequest("OPTIONS", "/site/index.html", pre)
	if resp.StatusCode != 403 {
		t.Fatalf("preflight without a configuration: %d, want 403", resp.StatusCode)
	}
	_, err := c.PutBucketCors(e.ctx, &s3sdk.PutBucketCorsInput{Bucket: aws.String("site"), CORSConfiguration: &types.CORSConfiguration{CORSRules: []types.CORSRule{
		{AllowedOrigins: []string{"https://*.example"}, AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"x-amz-*", "Authorization", "Content-Type"}, ExposeHeaders: []string{"ETag", "x-amz-request-id"}, MaxAgeSeconds: aws.Int32(300)},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET", "HEAD"}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		method  string
		path    string
		headers map[string]string
		status  int
		want    map[string]string
	}{
		{"a preflight the first rule allows", "OPTIONS", "/site/index.html", pre, 200, map[string]string{
			"Access-Control-Allow-Origin": "https://app.example", "Access-Control-Allow-Methods": "GET, PUT",
			"Access-Control-Allow-Headers": "x-amz-date, authorization, content-type", "Access-Control-Max-Age": "300",
			"Access-Control-Allow-Credentials": "true", "Access-Control-Expose-Headers": "ETag, x-amz-request-id"}},
		{"a preflight of a header no rule allows", "OPTIONS", "/site/index.html",
			map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "x-custom"}, 403, nil},
		{"a preflight only the wildcard rule allows", "OPTIONS", "/site/",
			map[string]string{"Origin": "https://other.test", "Access-Control-Request-Method": "GET"}, 200, map[string]string{
				"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD", "Access-Control-Allow-Credentials": ""}},
		{"a preflight of a method no rule allows", "OPTIONS", "/site/index.html",
			map[string]string{"Origin": "https://other.test", "Access-Control-Request-Method": "DELETE"}, 403, nil},
		{"a preflight without Origin", "OPTIONS", "/site/index.html", map[string]string{"Access-Control-Request-Method": "GET"}, 400, nil},
		{"an anonymous GET refused by authorization still carries the CORS headers", "GET", "/site/index.html",
			map[string]string{"Origin": "https://app.example"}, 403, map[string]string{"Access-Control-Allow-Origin": "https://app.example",
				"Vary": "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"}},
		{"a request from an origin no rule allows gets no CORS headers", "DELETE", "/site/index.html",
			map[string]string{"Origin": "https://other.test"}, 403, map[string]string{"Access-Control-Allow-Origin": ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := e.corsRequest(tc.method, tc.path, tc.headers)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			for k, v := range tc.want {
				if got := resp.Header.Get(k); got != v {
					t.Errorf("%s: %q, want %q", k, got, v)
				}
			}
		})
	}
	// A signed GET from the browser origin: served, with the headers.
	var got http.Header
	out, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("site"), Key: aws.String("index.html")}, func(o *s3sdk.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("Origin", "https://www.example"))
	}, func(o *s3sdk.Options) {
		o.HTTPClient = headerRecorder{e.server.Client(), &got}
	})
	if err != nil {
		t.Fatal(err)
	}
	out.Body.Close()
	if got.Get("Access-Control-Allow-Origin") != "https://www.example" || got.Get("Access-Control-Expose-Headers") != "ETag, x-amz-request-id" {
		t.Fatalf("signed GET headers %v", got)
	}
}

// headerRecorder keeps the headers of the last response.
type headerRecorder struct {
	c    *http.Client
	last *http.Header
}

func (r headerRecorder) Do(req *http.Request) (*http.Response, error) {
	resp, err := r.c.Do(req)
	if err == nil {
		*r.last = resp.Header
	}
	return resp, err
}
