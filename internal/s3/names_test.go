package s3

import (
	"strings"
	"testing"
)

func TestBucketNamesAreValidatedAsS3ValidatesThem(t *testing.T) {
	cases := []struct {
		name  string
		valid bool
	}{
		// Examples of valid names from the S3 user guide's naming rules.
		{"docexamplebucket1", true},
		{"log-delivery-march-2020", true},
		{"my-hosted-content", true},
		{"docexamplewebsite.com", true},
		{"www.docexamplewebsite.com", true},
		{"my.example.s3.bucket", true},
		{"abc", true},
		{strings.Repeat("a", 63), true},
		// Examples of invalid names from the same page.
		{"doc_example_bucket", false},
		{"DocExampleBucket", false},
		{"doc-example-bucket-", false},
		// The other rules.
		{"ab", false},
		{strings.Repeat("a", 64), false},
		{"-startswithhyphen", false},
		{".startswithdot", false},
		{"endswithdot.", false},
		{"two..dots", false},
		{"192.168.5.4", false},
		{"xn--bucket", false},
		{"sthree-bucket", false},
		{"amzn-s3-demo-bucket", false},
		{"bucket-s3alias", false},
		{"bucket--ol-s3", false},
		{"bucket.mrap", false},
		{"bucket--x-s3", false},
		{"bucket--table-s3", false},
		{"has space", false},
		{"_inkan", false},
		{"1.2.3", true},
	}
	for _, c := range cases {
		if got := bucketNameProblem(c.name) == ""; got != c.valid {
			t.Errorf("bucketNameProblem(%q): valid = %v, want %v (%s)", c.name, got, c.valid, bucketNameProblem(c.name))
		}
	}
}

func TestTheNamesOfInkansOwnRoutesAreNotBucketNames(t *testing.T) {
	for _, name := range []string{"healthz", "readyz", "metrics", "idp"} {
		if bucketNameProblem(name) == "" {
			t.Errorf("%q was accepted as a bucket name", name)
		}
	}
	if p := bucketNameProblem("idp-artifacts"); p != "" {
		t.Errorf("idp-artifacts refused: %s", p)
	}
}
