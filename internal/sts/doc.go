// Package sts is the wire package of AWS STS (query protocol, version 2011-06-15): it decodes
// AssumeRoleWithWebIdentity, AssumeRole, GetCallerIdentity and DecodeAuthorizationMessage,
// calls one iam.Service method each, and renders AWS's XML and error codes. It holds no
// domain rule and knows nothing of HTTP serving: the server's dispatcher authenticates,
// renders and audits. Reference: ../shared/reference/aws-federation.md §1.
package sts
