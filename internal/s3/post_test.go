package s3_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// form is a browser POST upload built the way boto3's generate_presigned_post and the JS
// SDK's createPresignedPost build one: the policy names the bucket, the key and every
// signature field, and the signature fields are added to the form.
type form struct {
	fields     [][2]string // in order, before the file
	conditions []any
	expires    time.Time
	file       []byte
	filename   string
	// unsigned sends the fields as they are, without policy or signature.
	unsigned bool
	// tamper changes the policy after signing.
	tamper bool
}

func (e *env) newForm(key string, file []byte) *form {
	return &form{fields: [][2]string{{"key", key}}, expires: e.clock.Now().Add(time.Hour), file: file, filename: "cat.txt"}
}

// post signs f with creds and posts it to bucket.
func (e *env) post(creds aws.Credentials, bucket string, f *form) *http.Response {
	e.t.Helper()
	fields := append([][2]string(nil), f.fields...)
	if !f.unsigned {
		now := e.clock.Now().UTC()
		cred := creds.AccessKeyID + "/" + now.Format("20060102") + "/" + region + "/s3/aws4_request"
		sig := [][2]string{{"x-amz-algorithm", sigv4.Algorithm}, {"x-amz-credential", cred}, {"x-amz-date", now.Format("20060102T150405Z")}}
		if creds.SessionToken != "" {
			sig = append(sig, [2]string{"x-amz-security-token", creds.SessionToken})
		}
		conds := append([]any{map[string]string{"bucket": bucket}}, f.conditions...)
		for _, kv := range sig {
			conds = append(conds, map[string]string{kv[0]: kv[1]})
		}
		doc, _ := json.Marshal(map[string]any{"expiration": f.expires.UTC().Format("2006-01-02T15:04:05.000Z"), "conditions": conds})
		policy := base64.StdEncoding.EncodeToString(doc)
		signature := sigv4.SignPost(creds.SecretAccessKey, now.Format("20060102"), region, policy)
		if f.tamper {
			doc = bytes.Replace(doc, []byte(`"bucket"`), []byte(`"bucket" `), 1)
			policy = base64.StdEncoding.EncodeToString(doc)
		}
		fields = append(append(fields, sig...), [2]string{"policy", policy}, [2]string{"x-amz-signature", signature})
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, kv := range fields {
		mw.WriteField(kv[0], kv[1])
	}
	if f.file != nil {
		w, _ := mw.CreateFormFile("file", f.filename)
		w.Write(f.file)
	}
	mw.Close()
	client := *e.server.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Post(e.server.URL+"/"+bucket, mw.FormDataContentType(), &body)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// requirePostError fails unless resp is an S3 error with this status and code, and its
// message contains msg.
func requirePostError(t *testing.T, resp *http.Response, status int, code, msg string) {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	var doc struct{ Code, Message string }
	xml.Unmarshal(b, &doc)
	if resp.StatusCode != status || doc.Code != code || !strings.Contains(doc.Message, msg) {
		t.Fatalf("got %d %s; want %d %s with %q", resp.StatusCode, b, status, code, msg)
	}
}

func (e *env) objectBody(bucket, key string) (string, error) {
	out, err := e.client(rootCredentials()).GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

func TestPostObjectStoresTheFileAndAnswersAsSuccessActionStatusAsks(t *testing.T) {
	e := newEnv(t)
	e.bucket("uploads")
	for _, tc := range []struct {
		status string
		want   int
	}{{"", 204}, {"200", 200}, {"201", 201}, {"303", 204}} {
		f := e.newForm("in/${filename}", []byte("meow "+tc.status))
		f.filename = "cat-" + tc.status + ".txt"
		f.conditions = []any{[]any{"starts-with", "$key", "in/"}, []any{"starts-with", "$Content-Type", "text/"},
			[]any{"content-length-range", 1, 100}, map[string]string{"x-amz-meta-owner": "tom"}}
		f.fields = append(f.fields, [2]string{"Content-Type", "text/plain"}, [2]string{"x-amz-meta-owner", "tom"})
		if tc.status != "" {
			f.fields = append(f.fields, [2]string{"success_action_status", tc.status})
			f.conditions = append(f.conditions, map[string]string{"success_action_status": tc.status})
		}
		resp := e.post(rootCredentials(), "uploads", f)
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != tc.want || resp.Header.Get("ETag") == "" {
			t.Fatalf("success_action_status %q: %d %s, want %d with an ETag", tc.status, resp.StatusCode, b, tc.want)
		}
		key := "in/cat-" + tc.status + ".txt"
		if tc.want == 201 && !strings.Contains(string(b), "<Key>"+key+"</Key>") {
			t.Fatalf("201 body %s does not name the key", b)
		}
		if got, err := e.objectBody("uploads", key); err != nil || got != "meow "+tc.status {
			t.Fatalf("stored %q, %v", got, err)
		}
	}
	head, err := e.client(rootCredentials()).HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: aws.String("uploads"), Key: aws.String("in/cat-.txt")})
	if err != nil || aws.ToString(head.ContentType) != "text/plain" || head.Metadata["owner"] != "tom" {
		t.Fatalf("head: %+v, %v", head, err)
	}
}

func TestPostObjectRedirectsToSuccessActionRedirectWithBucketKeyAndETag(t *testing.T) {
	e := newEnv(t)
	e.bucket("uploads")
	f := e.newForm("a.txt", []byte("x"))
	f.fields = append(f.fields, [2]string{"success_action_redirect", "https://app.example/done?from=form"})
	f.conditions = []any{map[string]string{"key": "a.txt"}, []any{"starts-with", "$success_action_redirect", "https://app.example/"}}
	resp := e.post(rootCredentials(), "uploads", f)
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || err != nil {
		t.Fatalf("%d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := loc.Query()
	if loc.Host != "app.example" || q.Get("from") != "form" || q.Get("bucket") != "uploads" || q.Get("key") != "a.txt" || q.Get("etag") != resp.Header.Get("ETag") {
		t.Fatalf("redirect to %s", loc)
	}
}

func TestPostObjectIsAuthorizedAsPutObjectOfTheSessionThatSignedIt(t *testing.T) {
	e := newEnv(t)
	e.bucket("uploads")
	e.role("uploader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::uploads/mine/*",
		"Condition":{"StringEquals":{"s3:authType":"POST"}}}]}`)
	creds := e.session("uploader", time.Hour)
	f := e.newForm("mine/a.txt", []byte("ok"))
	f.conditions = []any{[]any{"starts-with", "$key", ""}}
	if resp := e.post(creds, "uploads", f); resp.StatusCode != 204 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("allowed key: %d %s", resp.StatusCode, b)
	}
	f = e.newForm("theirs/a.txt", []byte("no"))
	f.conditions = []any{[]any{"starts-with", "$key", ""}}
	requirePostError(t, e.post(creds, "uploads", f), 403, "AccessDenied", "is not authorized to perform: s3:PutObject")
	recs := e.auditRecords()
	if last := recs[len(recs)-1]; last.Action != "s3:PutObject" || last.Resource != "arn:aws:s3:::uploads/theirs/a.txt" {
		t.Fatalf("audit record %+v", last)
	}
	// An unsigned form is anonymous: no bucket policy allows it.
	f = e.newForm("mine/b.txt", []byte("anon"))
	f.unsigned = true
	requirePostError(t, e.post(creds, "uploads", f), 403, "AccessDenied", "")
}

func TestPostObjectRefusesWhatThePolicyDoesNotAllow(t *testing.T) {
	e := newEnv(t)
	e.bucket("uploads")
	for _, tc := range []struct {
		name   string
		edit   func(f *form)
		status int
		code   string
		msg    string
	}{
		{"an expired policy", func(f *form) { f.expires = e.clock.Now().Add(-time.Second) }, 403, "AccessDenied", "Policy expired"},
		{"a field no condition names", func(f *form) { f.fields = append(f.fields, [2]string{"x-amz-meta-extra", "1"}) }, 403, "AccessDenied", "Extra input fields: x-amz-meta-extra"},
		{"a key outside the condition", func(f *form) { f.conditions = []any{[]any{"eq", "$key", "other.txt"}} }, 403, "AccessDenied", `Policy Condition failed: ["eq","$key","other.txt"]`},
		{"a condition compared case-sensitively", func(f *form) { f.conditions = []any{map[string]string{"key": "A.TXT"}} }, 403, "AccessDenied", "Policy Condition failed"},
		{"a file over content-length-range", func(f *form) { f.conditions = append(f.conditions, []any{"content-length-range", 0, 3}) }, 400, "EntityTooLarge", ""},
		{"a file under content-length-range", func(f *form) { f.conditions = append(f.conditions, []any{"content-length-range", 100, 200}) }, 400, "EntityTooSmall", ""},
		{"a negative content-length-range", func(f *form) { f.conditions = append(f.conditions, []any{"content-length-range", -1, 3}) }, 400, "InvalidPolicyDocument", "content-length-range"},
		{"an unknown condition", func(f *form) { f.conditions = append(f.conditions, []any{"ends-with", "$key", "t"}) }, 400, "InvalidPolicyDocument", ""},
		{"a policy changed after signing", func(f *form) { f.tamper = true }, 403, "SignatureDoesNotMatch", ""},
		{"no key", func(f *form) { f.fields = nil }, 400, "InvalidArgument", "must contain a field named 'key'"},
		{"no file", func(f *form) { f.file = nil }, 400, "InvalidArgument", ""},
		{"a signature version 2 form", func(f *form) {
			f.unsigned = true
			f.fields = append(f.fields, [2]string{"AWSAccessKeyId", rootKey}, [2]string{"policy", "e30="}, [2]string{"signature", "c2ln"})
		}, 400, "InvalidRequest", "AWS4-HMAC-SHA256"},
		{"a key that is only ${filename}, of a file without a name", func(f *form) {
			f.fields, f.filename, f.conditions = [][2]string{{"key", "${filename}"}}, "", []any{[]any{"starts-with", "$key", ""}}
		}, 400, "InvalidArgument", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := e.newForm("a.txt", []byte("too much"))
			f.conditions = []any{map[string]string{"key": "a.txt"}}
			tc.edit(f)
			requirePostError(t, e.post(rootCredentials(), "uploads", f), tc.status, tc.code, tc.msg)
			if _, err := e.objectBody("uploads", "a.txt"); err == nil {
				t.Fatal("the refused upload was stored")
			}
		})
	}
	resp, err := e.server.Client().Post(e.server.URL+"/uploads", "text/plain", strings.NewReader("key=a"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	requirePostError(t, resp, 400, "MalformedPOSTRequest", "")
}
