package s3_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// unblock removes a bucket's public access block, as an owner must before putting a public
// bucket policy on a bucket created since April 2023.
func (e *env) unblock(bucket string) {
	e.t.Helper()
	if _, err := e.client(rootCredentials()).DeletePublicAccessBlock(e.ctx, &s3sdk.DeletePublicAccessBlockInput{Bucket: aws.String(bucket)}); err != nil {
		e.t.Fatal(err)
	}
}

func tagSet(kv ...string) []types.Tag {
	var out []types.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
	}
	return out
}

func tagMap(ts []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}

func TestObjectTagsAreWrittenReadReplacedAndDeleted(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	b, k := aws.String("data"), aws.String("k")
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("v"),
		Tagging: aws.String("project=blue&cost%20center=a%2Bb&empty=")}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetObjectTagging(e.ctx, &s3sdk.GetObjectTaggingInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"project": "blue", "cost center": "a+b", "empty": ""}; !reflect.DeepEqual(tagMap(got.TagSet), want) {
		t.Fatalf("GetObjectTagging = %v, want %v", tagMap(got.TagSet), want)
	}
	head, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := c.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	obj.Body.Close()
	if aws.ToInt32(head.TagCount) != 3 || aws.ToInt32(obj.TagCount) != 3 {
		t.Fatalf("x-amz-tagging-count: HEAD %d, GET %d; want 3", aws.ToInt32(head.TagCount), aws.ToInt32(obj.TagCount))
	}
	if _, err := c.PutObjectTagging(e.ctx, &s3sdk.PutObjectTaggingInput{Bucket: b, Key: k,
		Tagging: &types.Tagging{TagSet: tagSet("only", "one")}}); err != nil {
		t.Fatal(err)
	}
	after, err := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(after.ETag) != aws.ToString(head.ETag) || !after.LastModified.Equal(*head.LastModified) || aws.ToInt32(after.TagCount) != 1 {
		t.Fatalf("after PutObjectTagging: ETag %s, LastModified %v, tags %d", aws.ToString(after.ETag), after.LastModified, aws.ToInt32(after.TagCount))
	}
	if _, err := c.DeleteObjectTagging(e.ctx, &s3sdk.DeleteObjectTaggingInput{Bucket: b, Key: k}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetObjectTagging(e.ctx, &s3sdk.GetObjectTaggingInput{Bucket: b, Key: k})
	if err != nil || len(got.TagSet) != 0 {
		t.Fatalf("after DeleteObjectTagging: %v, %v", got, err)
	}
	if head, _ := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: b, Key: k}); head.TagCount != nil {
		t.Fatalf("an untagged object has x-amz-tagging-count %d", *head.TagCount)
	}
	_, err = c.PutObjectTagging(e.ctx, &s3sdk.PutObjectTaggingInput{Bucket: b, Key: aws.String("missing"), Tagging: &types.Tagging{TagSet: tagSet("a", "b")}})
	requireCode(t, err, "NoSuchKey", http.StatusNotFound)
	_, err = c.GetObjectTagging(e.ctx, &s3sdk.GetObjectTaggingInput{Bucket: b, Key: k, VersionId: aws.String("null")})
	if err != nil {
		t.Fatalf("versionId=null: %v", err)
	}
}

func TestTagsFollowCopiesAndUploadsAsTheDirectiveSays(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	b := aws.String("data")
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: b, Key: aws.String("src"), Body: strings.NewReader("v"),
		Tagging: aws.String("from=source")}); err != nil {
		t.Fatal(err)
	}
	tagsOf := func(key string) map[string]string {
		t.Helper()
		out, err := c.GetObjectTagging(e.ctx, &s3sdk.GetObjectTaggingInput{Bucket: b, Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		return tagMap(out.TagSet)
	}
	for _, tc := range []struct {
		name      string
		in        s3sdk.CopyObjectInput
		want      map[string]string
		wantCType string
	}{
		{"default copies", s3sdk.CopyObjectInput{Tagging: aws.String("ignored=yes")}, map[string]string{"from": "source"}, ""},
		{"REPLACE sets the header's", s3sdk.CopyObjectInput{TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("new=tag")},
			map[string]string{"new": "tag"}, ""},
		{"REPLACE without a header clears", s3sdk.CopyObjectInput{TaggingDirective: types.TaggingDirectiveReplace}, map[string]string{}, ""},
		{"metadata REPLACE keeps the source's tags", s3sdk.CopyObjectInput{MetadataDirective: types.MetadataDirectiveReplace,
			ContentType: aws.String("text/x-new")}, map[string]string{"from": "source"}, "text/x-new"},
	} {
		in := tc.in
		in.Bucket, in.Key, in.CopySource = b, aws.String("dst"), aws.String("data/src")
		if _, err := c.CopyObject(e.ctx, &in); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := tagsOf("dst"); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: tags %v, want %v", tc.name, got, tc.want)
		}
		if tc.wantCType != "" {
			head, _ := c.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: b, Key: aws.String("dst")})
			if aws.ToString(head.ContentType) != tc.wantCType {
				t.Errorf("%s: Content-Type %s", tc.name, aws.ToString(head.ContentType))
			}
		}
	}
	_, err := c.CopyObject(e.ctx, &s3sdk.CopyObjectInput{Bucket: b, Key: aws.String("dst"), CopySource: aws.String("data/src"),
		TaggingDirective: "MERGE"})
	requireCode(t, err, "InvalidArgument", http.StatusBadRequest)

	up, err := c.CreateMultipartUpload(e.ctx, &s3sdk.CreateMultipartUploadInput{Bucket: b, Key: aws.String("mp"), Tagging: aws.String("multi=part")})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(e.ctx, &s3sdk.UploadPartInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		Body: strings.NewReader("part")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.CompleteMultipartUpload(e.ctx, &s3sdk.CompleteMultipartUploadInput{Bucket: b, Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{ETag: part.ETag, PartNumber: aws.Int32(1)}}}}); err != nil {
		t.Fatal(err)
	}
	if got := tagsOf("mp"); !reflect.DeepEqual(got, map[string]string{"multi": "part"}) {
		t.Errorf("multipart object's tags %v", got)
	}
}

// TestTagLimitsAnswerAsS3Does pins reference §2's limits and errors.
func TestTagLimitsAnswerAsS3Does(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	b, k := aws.String("data"), aws.String("k")
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	var eleven, fifty, fiftyOne []string
	for i := range 51 {
		kv := []string{"k" + strconv.Itoa(i), "v"}
		if i < 11 {
			eleven = append(eleven, kv...)
		}
		if i < 50 {
			fifty = append(fifty, kv...)
		}
		fiftyOne = append(fiftyOne, kv...)
	}
	for _, tc := range []struct {
		name    string
		tags    []types.Tag
		code    string
		message string
	}{
		{"eleven tags", tagSet(eleven...), "BadRequest", "Object tags cannot be greater than 10"},
		{"an empty key", tagSet("", "v"), "InvalidTag", "The TagKey you have provided is invalid"},
		{"a key of 129 characters", tagSet(strings.Repeat("k", 129), "v"), "InvalidTag", "The TagKey you have provided is invalid"},
		{"a key of 65 characters outside the BMP", tagSet(strings.Repeat("𝄞", 65), "v"), "InvalidTag", "The TagKey you have provided is invalid"},
		{"a value of 257 characters", tagSet("k", strings.Repeat("v", 257)), "InvalidTag", "The TagValue you have provided is invalid"},
		{"a value with a character S3 refuses", tagSet("k", "a<b"), "InvalidTag", "The TagValue you have provided is invalid"},
		{"a key in the aws: namespace", tagSet("AWS:cloudformation:stack", "v"), "InvalidTag", "Your TagKey cannot be prefixed with aws:"},
		{"a key given twice", tagSet("dup", "1", "dup", "2"), "InvalidTag", "Cannot provide multiple Tags with the same key"},
	} {
		_, err := c.PutObjectTagging(e.ctx, &s3sdk.PutObjectTaggingInput{Bucket: b, Key: k, Tagging: &types.Tagging{TagSet: tc.tags}})
		requireMessage(t, tc.name, err, tc.code, tc.message)
	}
	// The longest key and value S3 allows, and ten tags, are accepted.
	if _, err := c.PutObjectTagging(e.ctx, &s3sdk.PutObjectTaggingInput{Bucket: b, Key: k, Tagging: &types.Tagging{
		TagSet: tagSet(strings.Repeat("ü", 128), strings.Repeat("é", 256), "a b+c-d=e.f_g:h/i@j", "2", "3", "", "4", "", "5", "", "6", "", "7", "", "8", "", "9", "")}}); err != nil {
		t.Fatalf("the limits themselves: %v", err)
	}
	for _, tc := range []struct{ header, code, message string }{
		{"a=1&a=2", "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."},
		{"a=%zz", "InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."},
		{"k0&k1&k2&k3&k4&k5&k6&k7&k8&k9&k10", "BadRequest", "Object tags cannot be greater than 10"},
		{"aws:x=1", "InvalidTag", "Your TagKey cannot be prefixed with aws:"},
	} {
		_, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: b, Key: aws.String("h"), Body: strings.NewReader("v"), Tagging: aws.String(tc.header)})
		requireMessage(t, "x-amz-tagging "+tc.header, err, tc.code, tc.message)
	}
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: b, Key: aws.String("h"), Body: strings.NewReader("v"), Tagging: aws.String("novalue")}); err != nil {
		t.Fatalf("a tag without a value: %v", err)
	}

	if _, err := c.PutBucketTagging(e.ctx, &s3sdk.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: tagSet(fifty...)}}); err != nil {
		t.Fatalf("fifty bucket tags: %v", err)
	}
	_, err := c.PutBucketTagging(e.ctx, &s3sdk.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: tagSet(fiftyOne...)}})
	requireMessage(t, "fifty-one bucket tags", err, "BadRequest", "Bucket tag count cannot be greater than 50")
}

// requireMessage is requireCode with the message too.
func requireMessage(t *testing.T, name string, err error, code, message string) {
	t.Helper()
	var ae interface {
		ErrorCode() string
		ErrorMessage() string
	}
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.HasPrefix(ae.ErrorMessage(), message) {
		t.Errorf("%s: %v; want %s %q", name, err, code, message)
	}
}

func TestBucketTagsAreStoredAndAnsweredNoSuchTagSetWithout(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	b := aws.String("data")
	_, err := c.GetBucketTagging(e.ctx, &s3sdk.GetBucketTaggingInput{Bucket: b})
	requireCode(t, err, "NoSuchTagSet", http.StatusNotFound)
	if _, err := c.PutBucketTagging(e.ctx, &s3sdk.PutBucketTaggingInput{Bucket: b, Tagging: &types.Tagging{TagSet: tagSet("team", "storage", "env", "")}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketTagging(e.ctx, &s3sdk.GetBucketTaggingInput{Bucket: b})
	if err != nil || !reflect.DeepEqual(tagMap(out.TagSet), map[string]string{"team": "storage", "env": ""}) {
		t.Fatalf("GetBucketTagging = %+v, %v", out, err)
	}
	if _, err := c.DeleteBucketTagging(e.ctx, &s3sdk.DeleteBucketTaggingInput{Bucket: b}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetBucketTagging(e.ctx, &s3sdk.GetBucketTaggingInput{Bucket: b})
	requireCode(t, err, "NoSuchTagSet", http.StatusNotFound)
	_, err = c.PutBucketTagging(e.ctx, &s3sdk.PutBucketTaggingInput{Bucket: aws.String("nothing"), Tagging: &types.Tagging{TagSet: tagSet("a", "b")}})
	requireCode(t, err, "NoSuchBucket", http.StatusNotFound)
}

// TestTagConditionKeysDecideThroughSessionPolicies pins s3:ExistingObjectTag/<key>,
// s3:RequestObjectTag/<key> and s3:RequestObjectTagKeys (ForAllValues) as the policy engine
// sees them, through session policies, and that the denial's reason names the tag.
func TestTagConditionKeysDecideThroughSessionPolicies(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	root := e.client(rootCredentials())
	b := aws.String("data")
	for key, tags := range map[string]string{"public": "class=public", "secret": "class=secret", "plain": ""} {
		in := &s3sdk.PutObjectInput{Bucket: b, Key: aws.String(key), Body: strings.NewReader(key)}
		if tags != "" {
			in.Tagging = aws.String(tags)
		}
		if _, err := root.PutObject(e.ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	e.role("worker", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	reader := e.client(e.sessionWithPolicy("worker", `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"},
	 {"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/class":"secret"}}}]}`))
	for key, allowed := range map[string]bool{"public": true, "plain": true, "secret": false, "missing": false} {
		out, err := reader.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: b, Key: aws.String(key)})
		switch {
		case key == "missing":
			requireCode(t, err, "NoSuchKey", http.StatusNotFound)
		case allowed && err != nil:
			t.Errorf("GET %s: %v", key, err)
		case !allowed:
			requireCode(t, err, "AccessDenied", http.StatusForbidden)
		}
		if err == nil {
			out.Body.Close()
		}
	}
	// GetObject by a caller who may not read tags carries no tag count.
	if head, err := reader.HeadObject(e.ctx, &s3sdk.HeadObjectInput{Bucket: b, Key: aws.String("public")}); err != nil || head.TagCount != nil {
		t.Errorf("HEAD without s3:GetObjectTagging: %v, tag count %v", err, head.TagCount)
	}

	writer := e.client(e.sessionWithPolicy("worker", `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"*",
	  "Condition":{"StringEquals":{"s3:RequestObjectTag/team":"storage"},
	   "ForAllValues:StringEquals":{"s3:RequestObjectTagKeys":["team","env"]}}}]}`))
	for _, tc := range []struct {
		tagging string
		allowed bool
	}{
		{"team=storage", true},
		{"team=storage&env=dev", true},
		{"team=web", false},
		{"team=storage&owner=me", false},
		{"", false},
	} {
		in := &s3sdk.PutObjectInput{Bucket: b, Key: aws.String("w"), Body: strings.NewReader("w")}
		if tc.tagging != "" {
			in.Tagging = aws.String(tc.tagging)
		}
		_, err := writer.PutObject(e.ctx, in)
		if tc.allowed && err != nil {
			t.Errorf("PutObject with %q: %v", tc.tagging, err)
		}
		if !tc.allowed {
			requireCode(t, err, "AccessDenied", http.StatusForbidden)
		}
	}
	_, err := writer.PutObjectTagging(e.ctx, &s3sdk.PutObjectTaggingInput{Bucket: b, Key: aws.String("w"), Tagging: &types.Tagging{TagSet: tagSet("team", "storage")}})
	if err != nil {
		t.Errorf("PutObjectTagging with team=storage: %v", err)
	}
	_, err = writer.PutObjectTagging(e.ctx, &s3sdk.PutObjectTaggingInput{Bucket: b, Key: aws.String("w"), Tagging: &types.Tagging{TagSet: tagSet("team", "web")}})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)

	// The audit record of a denial names the tag that decided.
	var reason string
	for _, r := range e.auditRecords() {
		if r.Outcome == "deny" && r.Action == "s3:GetObject" && strings.HasSuffix(r.Resource, "/secret") {
			reason = r.Reason
		}
	}
	if !strings.Contains(reason, "s3:ExistingObjectTag/class") {
		t.Errorf("the denial of the secret object says %q; want the tag named", reason)
	}
}

// TestPutObjectWithTagsNeedsPutObjectTagging pins that writing tags with an object needs
// s3:PutObjectTagging too.
func TestPutObjectWithTagsNeedsPutObjectTagging(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	e.role("putter", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	c := e.client(e.session("putter", 0))
	if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v"), Tagging: aws.String("a=b")})
	requireCode(t, err, "AccessDenied", http.StatusForbidden)
}

// TestAPostFormsTaggingFieldTagsTheObjectUnderTheSamePolicies pins the POST form's tagging
// field: a Tagging document, its tags the request's condition keys, and s3:PutObjectTagging
// needed besides s3:PutObject.
func TestAPostFormsTaggingFieldTagsTheObjectUnderTheSamePolicies(t *testing.T) {
	e := newEnv(t)
	e.bucket("uploads")
	tagging := `<Tagging><TagSet><Tag><Key>team</Key><Value>storage</Value></Tag></TagSet></Tagging>`
	newForm := func(key, doc string) *form {
		f := e.newForm(key, []byte("meow"))
		f.conditions = []any{map[string]string{"key": key}, map[string]string{"tagging": doc}}
		f.fields = append(f.fields, [2]string{"tagging", doc})
		return f
	}
	if resp := e.post(rootCredentials(), "uploads", newForm("a.txt", tagging)); resp.StatusCode != http.StatusNoContent {
		t.Fatalf("POST with tagging: %d", resp.StatusCode)
	}
	out, err := e.client(rootCredentials()).GetObjectTagging(e.ctx, &s3sdk.GetObjectTaggingInput{Bucket: aws.String("uploads"), Key: aws.String("a.txt")})
	if err != nil || !reflect.DeepEqual(tagMap(out.TagSet), map[string]string{"team": "storage"}) {
		t.Fatalf("tags of the posted object: %+v, %v", out, err)
	}
	requirePostError(t, e.post(rootCredentials(), "uploads", newForm("b.txt", `<Tagging><TagSet><Tag><Key>aws:x</Key><Value>v</Value></Tag></TagSet></Tagging>`)),
		http.StatusBadRequest, "InvalidTag", "Your TagKey cannot be prefixed with aws:")

	e.role("poster", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectTagging"],"Resource":"*",
	 "Condition":{"StringEquals":{"s3:RequestObjectTag/team":"storage"}}}]}`)
	poster := e.session("poster", 0)
	if resp := e.post(poster, "uploads", newForm("c.txt", tagging)); resp.StatusCode != http.StatusNoContent {
		t.Errorf("POST with the tag the policy asks for: %d", resp.StatusCode)
	}
	requirePostError(t, e.post(poster, "uploads", newForm("d.txt", `<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>`)),
		http.StatusForbidden, "AccessDenied", "is not authorized to perform")
	e.role("untagged", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`)
	requirePostError(t, e.post(e.session("untagged", 0), "uploads", newForm("e.txt", tagging)), http.StatusForbidden, "AccessDenied", "is not authorized to perform")
}

// countingHeads counts HeadObject calls of the backend it wraps.
type countingHeads struct {
	objstore.Backend
	heads atomic.Int64
}

func (c *countingHeads) HeadObject(ctx context.Context, bucket, key, versionID string) (objstore.ObjectInfo, error) {
	c.heads.Add(1)
	return c.Backend.HeadObject(ctx, bucket, key, versionID)
}

// TestObjectTagsAreReadForADecisionOnlyWhenAPolicyNamesThem pins that a GET costs no extra
// read of the object store unless a policy deciding it names s3:ExistingObjectTag/…,
// and that it does when one does.
func TestObjectTagsAreReadForADecisionOnlyWhenAPolicyNamesThem(t *testing.T) {
	counter := &countingHeads{}
	e := newEnv(t, envOptions{wrap: func(b objstore.Backend) objstore.Backend { counter.Backend = b; return counter }})
	e.bucket("data")
	root := e.client(rootCredentials())
	if _, err := root.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String("k"), Body: strings.NewReader("v")}); err != nil {
		t.Fatal(err)
	}
	e.role("plain", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	e.role("tagged", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
	 {"Effect":"Deny","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"s3:ExistingObjectTag/class":"secret"}}}]}`)
	for _, tc := range []struct {
		name  string
		creds aws.Credentials
		heads int64
	}{
		{"root", rootCredentials(), 0},
		{"a session whose policies do not name the key", e.session("plain", 0), 0},
		{"a session whose policy does", e.session("tagged", 0), 1},
	} {
		before := counter.heads.Load()
		out, err := e.client(tc.creds).GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("k")})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		out.Body.Close()
		if got := counter.heads.Load() - before; got != tc.heads {
			t.Errorf("%s: %d HeadObject calls, want %d", tc.name, got, tc.heads)
		}
	}
}

func TestCreateBucketWithTagsGivesTheBucketThem(t *testing.T) {
	e := newEnv(t)
	c := e.client(rootCredentials())
	if _, err := c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("data"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{Tags: tagSet("team", "storage")}}); err != nil {
		t.Fatal(err)
	}
	out, err := c.GetBucketTagging(e.ctx, &s3sdk.GetBucketTaggingInput{Bucket: aws.String("data")})
	if err != nil || !reflect.DeepEqual(tagMap(out.TagSet), map[string]string{"team": "storage"}) {
		t.Fatalf("GetBucketTagging = %+v, %v", out, err)
	}
	_, err = c.CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String("bad"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{Tags: tagSet("aws:x", "v")}})
	requireCode(t, err, "InvalidTag", http.StatusBadRequest)
	if _, err := c.HeadBucket(e.ctx, &s3sdk.HeadBucketInput{Bucket: aws.String("bad")}); err == nil {
		t.Error("a bucket refused for its tags exists")
	}
}
