package arn

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestParseAcceptsTheARNsAWSDocuments(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want ARN
	}{
		{"an IAM role with a path keeps the path in the resource",
			"arn:aws:iam::123456789012:role/ci/deploy",
			ARN{"aws", "iam", "", "123456789012", "role/ci/deploy"}},
		{"an assumed-role session ARN",
			"arn:aws:sts::123456789012:assumed-role/deploy/GitHubActions",
			ARN{"aws", "sts", "", "123456789012", "assumed-role/deploy/GitHubActions"}},
		{"an OIDC provider ARN keeps the issuer path",
			"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com/acme",
			ARN{"aws", "iam", "", "123456789012", "oidc-provider/token.actions.githubusercontent.com/acme"}},
		{"an S3 object ARN has no region and no account",
			"arn:aws:s3:::bucket/key",
			ARN{"aws", "s3", "", "", "bucket/key"}},
		{"colons after the fifth belong to the resource",
			"arn:aws:s3:::bucket/a:b:c",
			ARN{"aws", "s3", "", "", "bucket/a:b:c"}},
		{"a regional ARN in another partition",
			"arn:aws-cn:sns:cn-north-1:123456789012:topic",
			ARN{"aws-cn", "sns", "cn-north-1", "123456789012", "topic"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Parse(c.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			if got != c.want {
				t.Fatalf("Parse(%q) = %+v, want %+v", c.in, got, c.want)
			}
			if got.String() != c.in {
				t.Fatalf("String() = %q, want %q", got.String(), c.in)
			}
		})
	}
}

func TestParseRejectsWhatIsNotAnARN(t *testing.T) {
	cases := []struct{ name, in, reason string }{
		{"an empty string", "", "want arn:"},
		{"a bare account id", "123456789012", "want arn:"},
		{"too few colons", "arn:aws:iam::123456789012", "want arn:"},
		{"another prefix", "urn:aws:iam::1:role/x", `must start with "arn:"`},
		{"an upper-case prefix", "ARN:aws:iam::1:role/x", `must start with "arn:"`},
		{"an empty partition", "arn::iam::1:role/x", "empty partition"},
		{"an empty service", "arn:aws:::1:role/x", "empty service"},
		{"an empty resource", "arn:aws:iam::1:", "empty resource"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.in)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("Parse(%q) error = %v, want ErrInvalid", c.in, err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(pe.Reason, c.reason) {
				t.Fatalf("Parse(%q) error = %v, want a reason containing %q", c.in, err, c.reason)
			}
			if !strings.Contains(err.Error(), strconv.Quote(c.in)) {
				t.Fatalf("error %q does not name the input", err)
			}
		})
	}
}

func TestSplitCutsAtTheFirstFiveColonsOnly(t *testing.T) {
	parts, ok := Split("a:b:c:d:e:f:g")
	if !ok || parts != [6]string{"a", "b", "c", "d", "e", "f:g"} {
		t.Fatalf("Split = %q, %v", parts, ok)
	}
	if _, ok := Split("a:b:c:d"); ok {
		t.Fatal("Split accepted four parts")
	}
	if n := testing.AllocsPerRun(100, func() { Split("arn:aws:s3:::bucket/key") }); n != 0 {
		t.Fatalf("Split allocates %v times", n)
	}
}
