package console

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// TestABrowserOnAnotherOriginReadsWritesAndPostsFormsUnderTheBucketsCORSRules drives a page
// served from another origin in chromium, the only judge of CORS that matters: with the
// bucket's rules naming that origin, the page reads a presigned GET (and its exposed ETag),
// sends a presigned PUT (which the browser preflights) and posts a SigV4 POST form with
// FormData; a bucket without rules is unreadable to it.
func TestABrowserOnAnotherOriginReadsWritesAndPostsFormsUnderTheBucketsCORSRules(t *testing.T) {
	need(t, chromiumPath, "chromium")
	url := serve(t)
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><title>app</title><p>app</p>"))
	}))
	t.Cleanup(page.Close)
	ctx := context.Background()
	c := s3.New(s3.Options{BaseEndpoint: awssdk.String(url), UsePathStyle: true, Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(rootAccessKeyID, rootSecretKey, "")})
	for _, b := range []string{"web", "closed"} {
		if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: awssdk.String(b)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: awssdk.String(b), Key: awssdk.String("hello.txt"), Body: strings.NewReader("hi from inkan")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: awssdk.String("web"), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{AllowedOrigins: []string{page.URL}, AllowedMethods: []string{"GET", "PUT", "POST"},
			AllowedHeaders: []string{"*"}, ExposeHeaders: []string{"ETag"}}}}}); err != nil {
		t.Fatal(err)
	}
	presign := s3.NewPresignClient(c)
	getURL, err := presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: awssdk.String("web"), Key: awssdk.String("hello.txt")})
	if err != nil {
		t.Fatal(err)
	}
	put, err := presign.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: awssdk.String("web"), Key: awssdk.String("put.txt")})
	if err != nil {
		t.Fatal(err)
	}
	closed, err := presign.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: awssdk.String("closed"), Key: awssdk.String("hello.txt")})
	if err != nil {
		t.Fatal(err)
	}
	args, _ := json.Marshal(map[string]any{"get": getURL.URL, "put": put.URL, "closed": closed.URL, "bucket": url + "/web",
		"fields": postFields("web", "posted/${filename}")})
	script := `(async (a) => {
		const out = {};
		const g = await fetch(a.get); out.get = await g.text(); out.etag = g.headers.get("ETag");
		const p = await fetch(a.put, {method: "PUT", body: "put by the browser", headers: {"Content-Type": "text/plain"}}); out.put = p.status;
		const f = new FormData();
		for (const [k, v] of Object.entries(a.fields)) f.append(k, v);
		f.append("file", new Blob(["posted by the browser"], {type: "text/plain"}), "b.txt");
		const r = await fetch(a.bucket, {method: "POST", body: f}); out.post = r.status; out.postBody = await r.text();
		try { await fetch(a.closed); out.closed = "readable"; } catch (e) { out.closed = "blocked"; }
		return JSON.stringify(out);
	})(` + string(args) + `)`
	bctx := browser(t)
	run(t, bctx, "open the page", chromedp.Navigate(page.URL))
	res := get(t, bctx, "the page's requests", chromedp.Evaluate[string](script, chromedp.EvalAwaitPromise))
	var out struct {
		Get, ETag, PostBody, Closed string
		Put, Post                   int
	}
	if err := json.Unmarshal([]byte(res), &out); err != nil {
		t.Fatalf("%s: %v", res, err)
	}
	if out.Get != "hi from inkan" || out.ETag == "" || out.Put != 200 || out.Post != 201 ||
		!strings.Contains(out.PostBody, "<Key>posted/b.txt</Key>") || out.Closed != "blocked" {
		t.Fatalf("the page saw %+v", out)
	}
	for key, want := range map[string]string{"put.txt": "put by the browser", "posted/b.txt": "posted by the browser"} {
		o, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: awssdk.String("web"), Key: awssdk.String(key)})
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		b, err := io.ReadAll(o.Body)
		if err != nil || string(b) != want {
			t.Fatalf("%s holds %q, %v", key, b, err)
		}
		o.Body.Close()
	}
}

// postFields are the fields of a POST form that root signed for keys under key's prefix,
// with success_action_status 201, as generate_presigned_post builds them.
func postFields(bucket, key string) map[string]string {
	now := time.Now().UTC()
	f := map[string]string{"key": key, "success_action_status": "201", "x-amz-algorithm": sigv4.Algorithm,
		"x-amz-credential": rootAccessKeyID + "/" + now.Format("20060102") + "/us-east-1/s3/aws4_request",
		"x-amz-date":       now.Format("20060102T150405Z")}
	conds := []any{map[string]string{"bucket": bucket}, []string{"starts-with", "$key", strings.TrimSuffix(key, "${filename}")}}
	for _, n := range []string{"success_action_status", "x-amz-algorithm", "x-amz-credential", "x-amz-date"} {
		conds = append(conds, map[string]string{n: f[n]})
	}
	doc, _ := json.Marshal(map[string]any{"expiration": now.Add(10 * time.Minute).Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
	f["policy"] = base64.StdEncoding.EncodeToString(doc)
	f["x-amz-signature"] = sigv4.SignPost(rootSecretKey, now.Format("20060102"), "us-east-1", f["policy"])
	return f
}
