package s3

import (
	"net/netip"
	"strings"
)

// bucketNameProblem returns why name is not a valid S3 general-purpose bucket name, or ""
// when it is. The rules are those S3 applies to new buckets
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html): 3 to 63
// characters of lower-case letters, digits, dots and hyphens; a letter or digit first and
// last; no two adjacent dots; not an IPv4 address; none of the prefixes and suffixes S3
// reserves for its own features. inkan applies them to every request, not only to
// CreateBucket: a name that breaks them can never exist, so it is answered with
// InvalidBucketName rather than NoSuchBucket.
func bucketNameProblem(name string) string {
	if n := len(name); n < 3 || n > 63 {
		return "bucket names must be between 3 and 63 characters long"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return "bucket names may hold only lower-case letters, digits, dots and hyphens"
		}
	}
	if !isAlnum(name[0]) || !isAlnum(name[len(name)-1]) {
		return "bucket names must begin and end with a letter or a digit"
	}
	if strings.Contains(name, "..") {
		return "bucket names must not contain two adjacent dots"
	}
	if a, err := netip.ParseAddr(name); err == nil && a.Is4() {
		return "bucket names must not be formatted as an IP address"
	}
	for _, r := range inkanReserved {
		if name == r {
			return "the bucket name " + r + " is reserved: inkan serves /" + r + " on the same endpoint"
		}
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return "bucket names must not start with " + p
		}
	}
	for _, s := range reservedSuffixes {
		if strings.HasSuffix(name, s) {
			return "bucket names must not end with " + s
		}
	}
	return ""
}

// The prefixes and suffixes S3 reserves (access point aliases, Object Lambda, Multi-Region
// Access Points, directory and table buckets).
var (
	reservedPrefixes = [...]string{"xn--", "sthree-", "amzn-s3-demo-"}
	reservedSuffixes = [...]string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"}
)

// inkanReserved are the names of inkan's own routes on the shared endpoint (health,
// readiness, metrics and the test identity provider): a bucket of that name could never be
// reached path-style.
var inkanReserved = [...]string{"healthz", "readyz", "metrics", "idp"}

func isAlnum(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
