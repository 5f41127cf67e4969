package arn

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalid is wrapped by every error Parse returns.
var ErrInvalid = errors.New("invalid ARN")

// ARN is a parsed Amazon Resource Name. The zero value is not a valid ARN.
type ARN struct {
	Partition string // "aws", "aws-cn", …; never empty in a parsed ARN
	Service   string // "iam", "sts", "s3", …; never empty in a parsed ARN
	Region    string // empty for global services such as IAM and S3
	Account   string // 12-digit account id, empty for S3 buckets
	Resource  string // everything after the fifth colon; never empty in a parsed ARN
}

// ParseError describes why a string is not an ARN. It wraps ErrInvalid.
type ParseError struct {
	Input  string // the rejected text (ARNs are not secret)
	Reason string
}

// Error says which input was refused and why.
func (e *ParseError) Error() string { return fmt.Sprintf("arn %q: %s", e.Input, e.Reason) }

// Unwrap lets errors.Is(err, ErrInvalid) hold.
func (e *ParseError) Unwrap() error { return ErrInvalid }

// Parse splits s into its six colon-separated parts. It requires the literal prefix "arn",
// at least five colons, and non-empty partition, service and resource; region and account
// may be empty. It does not check that the service or account exists. The error is a
// *ParseError.
func Parse(s string) (ARN, error) {
	parts, ok := Split(s)
	if !ok {
		return ARN{}, &ParseError{Input: s, Reason: "want arn:partition:service:region:account:resource"}
	}
	if parts[0] != "arn" {
		return ARN{}, &ParseError{Input: s, Reason: `must start with "arn:"`}
	}
	a := ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}
	switch {
	case a.Partition == "":
		return ARN{}, &ParseError{Input: s, Reason: "empty partition"}
	case a.Service == "":
		return ARN{}, &ParseError{Input: s, Reason: "empty service"}
	case a.Resource == "":
		return ARN{}, &ParseError{Input: s, Reason: "empty resource"}
	}
	return a, nil
}

// Split cuts s at its first five colons into six parts without allocating. ok is false when
// s has fewer than five colons; the sixth part keeps any further colons.
func Split(s string) (parts [6]string, ok bool) {
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return parts, false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[5] = s
	return parts, true
}

// String formats a as arn:partition:service:region:account:resource. For every ARN a that
// Parse returned, Parse(a.String()) returns a again.
func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}
