// Package arn owns the Amazon Resource Name: parsing one into its six parts and formatting
// it back; it must not know about policies, wildcards or which services exist.
//
// An ARN is arn:partition:service:region:account:resource. Everything after the fifth colon
// is the resource, colons included (S3 object keys and IAM paths may contain them), as in
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html.
//
// The package imports only the standard library. Its fuzz target runs longer with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./internal/arn
package arn
