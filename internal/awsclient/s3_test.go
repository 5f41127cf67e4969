package awsclient

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

func TestObjectsArePutWithAVerifiedPayloadHashAndListed(t *testing.T) {
	body := []byte("package main\n")
	f := newFake(t, map[string]http.HandlerFunc{
		"PUT /site": reply(200, "text/plain", ""),
		"PUT /site/src/a b+c/main.go": func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("ETag", `"etag-1"`)
			w.Header().Set("X-Amz-Request-Id", "put-request-id")
		},
		"GET /site": xmlReply(`<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>site</Name><Prefix>src/</Prefix><KeyCount>1</KeyCount><MaxKeys>10</MaxKeys><IsTruncated>true</IsTruncated><NextContinuationToken>tok</NextContinuationToken>` +
			`<Contents><Key>src/a b+c/main.go</Key><LastModified>2026-08-01T12:00:00.000Z</LastModified><ETag>"etag-1"</ETag><Size>13</Size><StorageClass>STANDARD</StorageClass></Contents>` +
			`<CommonPrefixes><Prefix>src/a b+c/</Prefix></CommonPrefixes></ListBucketResult>`),
	})
	c := f.client()
	ctx := context.Background()
	if err := c.CreateBucket(ctx, "site"); err != nil {
		t.Fatal(err)
	}
	put, err := c.PutObject(ctx, "site", "src/a b+c/main.go", body, "text/x-go")
	if err != nil {
		t.Fatal(err)
	}
	if put.ETag != `"etag-1"` || put.RequestID != "put-request-id" {
		t.Fatalf("put = %+v", put)
	}
	list, err := c.ListObjectsV2(ctx, ListObjectsV2Input{Bucket: "site", Prefix: "src/", ContinuationToken: "t0", MaxKeys: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 1 || list.Contents[0].Key != "src/a b+c/main.go" || list.Contents[0].Size != 13 ||
		!list.Contents[0].LastModified.Equal(time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC)) || !list.IsTruncated ||
		list.NextContinuationToken != "tok" || list.KeyCount != 1 || len(list.CommonPrefixes) != 1 {
		t.Fatalf("list = %+v", list)
	}
	reqs := f.requests()
	for _, s := range reqs {
		mustBeSigned(t, s, "s3")
	}
	if got := reqs[1].header.Get("X-Amz-Content-Sha256"); got != sigv4.PayloadHash(body) {
		t.Fatalf("x-amz-content-sha256 = %q", got)
	}
	if string(reqs[1].body) != string(body) || reqs[1].header.Get("Content-Type") != "text/x-go" {
		t.Fatalf("put sent %q as %q", reqs[1].body, reqs[1].header.Get("Content-Type"))
	}
	if got := reqs[2].query; got != "continuation-token=t0&list-type=2&max-keys=10&prefix=src%2F" {
		t.Fatalf("list query = %q", got)
	}
}

func TestDecisionsAreFetchedFromTheAdminAPISignedForInkan(t *testing.T) {
	rec := map[string]any{"time": "2026-08-01T12:00:00Z", "request_id": "req-1", "service": "sts", "action": "sts:AssumeRoleWithWebIdentity",
		"outcome": "deny", "code": "AccessDenied", "reason": `sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"]`,
		"claims": map[string]any{"sub": "repo:evil/app:ref:refs/heads/main", "aud": "sts.amazonaws.com"},
		"trace":  map[string]any{"decision": "implicit-deny"}}
	answer, _ := json.Marshal(rec)
	f := newFake(t, map[string]http.HandlerFunc{
		"GET /_inkan/v1/decisions/req-1": reply(200, "application/json", string(answer)),
		"GET /_inkan/v1/decisions/nope":  reply(404, "application/json", `{"code":"NotFound","message":"no decision was recorded with request id nope"}`),
	})
	c := f.client()
	d, err := c.Decision(context.Background(), "req-1")
	if err != nil {
		t.Fatal(err)
	}
	if d.RequestID != "req-1" || d.Outcome != "deny" || d.Code != "AccessDenied" || d.Reason != rec["reason"] ||
		d.Claims["sub"] != "repo:evil/app:ref:refs/heads/main" || string(d.Trace) != `{"decision":"implicit-deny"}` {
		t.Fatalf("decision = %+v", d)
	}
	mustBeSigned(t, f.requests()[0], AdminService)
	_, err = c.Decision(context.Background(), "nope")
	if ErrorCode(err) != "NotFound" {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.Decision(context.Background(), "../etc"); err == nil || len(f.requests()) != 2 {
		t.Fatalf("a request id holding a slash was sent: %v", err)
	}
}

func TestAnEndpointThatIsNotAnHTTPURLIsRefused(t *testing.T) {
	for _, endpoint := range []string{"", "127.0.0.1:8750", "ftp://host/", "http://"} {
		c := &Client{Endpoint: endpoint, Creds: testCreds()}
		if _, err := c.GetCallerIdentity(context.Background()); err == nil {
			t.Fatalf("endpoint %q accepted", endpoint)
		}
	}
}
