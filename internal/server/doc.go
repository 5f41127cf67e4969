// Package server owns inkan's one HTTP endpoint: the list of routes, request ids, access logs,
// Prometheus metrics, panic recovery, and the query-protocol dispatcher that authenticates
// STS and IAM calls with SigV4, runs one operation, renders its XML and audits the decision.
// It holds no domain rule: operations come from the wire packages (sts, iamapi), S3 requests
// go to the s3 package's handler, and decisions are the iam package's.
package server
