package s3_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// listingFixture is a bucket of keys chosen to exercise prefixes, delimiters, pagination
// across common prefixes, and names that need URL encoding.
var listingFixture = []string{
	"a.txt", "dir/1", "dir/2", "dir/sub/3", "dir2/x", "plus+sign", "space name", "z/last",
}

func putKeys(t *testing.T, e *env, c *s3sdk.Client, bucket string, keys []string) {
	t.Helper()
	for _, k := range keys {
		if _, err := c.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatalf("put %q: %v", k, err)
		}
	}
}

func TestListObjectsV2PagesThroughKeysAndCommonPrefixes(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	putKeys(t, e, c, "data", listingFixture)

	var keys []string
	p := s3sdk.NewListObjectsV2Paginator(c, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), MaxKeys: aws.Int32(3)})
	pages := 0
	for p.HasMorePages() {
		out, err := p.NextPage(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		if n := len(out.Contents); int32(n) != aws.ToInt32(out.KeyCount) || n > 3 {
			t.Errorf("page of %d keys with KeyCount %d", n, aws.ToInt32(out.KeyCount))
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	if !slices.Equal(keys, listingFixture) || pages != 3 {
		t.Errorf("paged listing %v in %d pages, want %v in 3", keys, pages, listingFixture)
	}

	out, err := c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), Delimiter: aws.String("/")})
	if err != nil {
		t.Fatal(err)
	}
	if got := prefixes(out.CommonPrefixes); !slices.Equal(got, []string{"dir/", "dir2/", "z/"}) {
		t.Errorf("common prefixes %v", got)
	}
	if got := objectKeys(out.Contents); !slices.Equal(got, []string{"a.txt", "plus+sign", "space name"}) {
		t.Errorf("keys beside the prefixes %v", got)
	}

	// Pagination across common prefixes: one entry per page.
	var entries []string
	in := &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), Delimiter: aws.String("/"), Prefix: aws.String("dir"), MaxKeys: aws.Int32(1)}
	for {
		out, err := c.ListObjectsV2(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, append(objectKeys(out.Contents), prefixes(out.CommonPrefixes)...)...)
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.ContinuationToken = out.NextContinuationToken
	}
	if !slices.Equal(entries, []string{"dir/", "dir2/"}) {
		t.Errorf("one-per-page listing of dir* with delimiter: %v", entries)
	}

	out, err = c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), StartAfter: aws.String("dir2/x")})
	if err != nil {
		t.Fatal(err)
	}
	if got := objectKeys(out.Contents); !slices.Equal(got, []string{"plus+sign", "space name", "z/last"}) {
		t.Errorf("start-after dir2/x: %v", got)
	}
	_, err = c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), ContinuationToken: aws.String("!!not-a-token")})
	requireCode(t, err, "InvalidArgument", 400)
	_, err = c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("nobucket")})
	requireCode(t, err, "NoSuchBucket", 404)
}

func TestURLEncodedListingsEncodeKeysPrefixesAndPlus(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	putKeys(t, e, c, "data", listingFixture)
	out, err := c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), EncodingType: types.EncodingTypeUrl,
		Prefix: aws.String("p"), FetchOwner: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if got := objectKeys(out.Contents); !slices.Equal(got, []string{"plus%2Bsign"}) {
		t.Errorf("encoded keys %v, want [plus%%2Bsign]", got)
	}
	if out.EncodingType != types.EncodingTypeUrl || out.Contents[0].Owner == nil {
		t.Errorf("EncodingType %q, owner %v", out.EncodingType, out.Contents[0].Owner)
	}
	out, err = c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), EncodingType: types.EncodingTypeUrl, Prefix: aws.String("space")})
	if err != nil {
		t.Fatal(err)
	}
	got := objectKeys(out.Contents)
	if len(got) != 1 {
		t.Fatalf("listing of space*: %v", got)
	}
	if dec, err := url.QueryUnescape(got[0]); err != nil || dec != "space name" || strings.Contains(got[0], " ") {
		t.Errorf("encoded key %q decodes to %q (%v)", got[0], dec, err)
	}
}

func TestListObjectsV1PagesByMarker(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	putKeys(t, e, c, "data", listingFixture)
	var keys []string
	in := &s3sdk.ListObjectsInput{Bucket: aws.String("data"), MaxKeys: aws.Int32(5)}
	for {
		out, err := c.ListObjects(e.ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
			if o.Owner == nil {
				t.Errorf("ListObjects entry without Owner")
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.Marker = out.NextMarker
	}
	if !slices.Equal(keys, listingFixture) {
		t.Errorf("marker-paged listing %v", keys)
	}
}

func TestListBucketsListsEveryBucketWithItsCreationDate(t *testing.T) {
	e := newEnv(t)
	for _, b := range []string{"beta", "alpha", "gamma"} {
		e.bucket(b)
	}
	out, err := e.client(rootCredentials()).ListBuckets(e.ctx, &s3sdk.ListBucketsInput{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, b := range out.Buckets {
		names = append(names, aws.ToString(b.Name))
		if b.CreationDate == nil || b.CreationDate.IsZero() {
			t.Errorf("bucket %s without creation date", aws.ToString(b.Name))
		}
	}
	if !slices.Equal(names, []string{"alpha", "beta", "gamma"}) || out.Owner == nil {
		t.Errorf("ListBuckets %v owner %v", names, out.Owner)
	}
	page, err := e.client(rootCredentials()).ListBuckets(e.ctx, &s3sdk.ListBucketsInput{MaxBuckets: aws.Int32(2)})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Buckets) != 2 || page.ContinuationToken == nil {
		t.Fatalf("first page of 2: %d buckets, token %v", len(page.Buckets), page.ContinuationToken)
	}
	rest, err := e.client(rootCredentials()).ListBuckets(e.ctx, &s3sdk.ListBucketsInput{MaxBuckets: aws.Int32(2), ContinuationToken: page.ContinuationToken})
	if err != nil {
		t.Fatal(err)
	}
	if len(rest.Buckets) != 1 || aws.ToString(rest.Buckets[0].Name) != "gamma" || rest.ContinuationToken != nil {
		t.Errorf("second page: %+v", rest.Buckets)
	}
}

func objectKeys(objs []types.Object) []string {
	var out []string
	for _, o := range objs {
		out = append(out, aws.ToString(o.Key))
	}
	return out
}

func prefixes(cps []types.CommonPrefix) []string {
	var out []string
	for _, p := range cps {
		out = append(out, aws.ToString(p.Prefix))
	}
	return out
}

// TestListObjectsV1AnswersPrefixAsSentUnderURLEncoding pins the decision in listObjects:
// under encoding-type=url, ListObjects (v1) encodes keys, markers, the delimiter and common
// prefixes, but answers Prefix as sent, which is what botocore expects (it decodes the
// others only); ListObjectsV2 encodes its Prefix.
func TestListObjectsV1AnswersPrefixAsSentUnderURLEncoding(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	c := e.client(rootCredentials())
	putKeys(t, e, c, "data", []string{"new\nline/a b"})
	v1, err := c.ListObjects(e.ctx, &s3sdk.ListObjectsInput{Bucket: aws.String("data"), EncodingType: types.EncodingTypeUrl,
		Prefix: aws.String("new\n"), Marker: aws.String("a b")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v1.Prefix) != "new\n" || aws.ToString(v1.Marker) != "a+b" || len(v1.Contents) != 1 ||
		aws.ToString(v1.Contents[0].Key) != "new%0Aline/a+b" {
		t.Errorf("ListObjects: Prefix %q, Marker %q, contents %v", aws.ToString(v1.Prefix), aws.ToString(v1.Marker), objectKeys(v1.Contents))
	}
	v2, err := c.ListObjectsV2(e.ctx, &s3sdk.ListObjectsV2Input{Bucket: aws.String("data"), EncodingType: types.EncodingTypeUrl, Prefix: aws.String("new\n")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v2.Prefix) != "new%0A" {
		t.Errorf("ListObjectsV2 Prefix %q, want new%%0A", aws.ToString(v2.Prefix))
	}
}
