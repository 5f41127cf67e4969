// Package iamapi owns inkan's IAM query API on the wire (reference §3): it decodes each
// action's parameters, authorizes the caller for the "iam:<Action>" on the entity's ARN,
// calls one method of the iam domain, and returns the result value that awsquery renders
// as IAM's XML (policy documents URL-encoded per RFC 3986, provider URLs without scheme,
// ISO-8601 dates with milliseconds, lists of <member>, IsTruncated/Marker paging). It also
// owns IAM's error catalogue: domain kinds to IAM codes and statuses. It must not know
// about HTTP serving, SigV4, auditing or storage: the dispatcher authenticates, renders and
// audits; the domain validates and persists.
//
// Every operation is signed. Callers are root (allowed everything) or role sessions, whose
// policies must allow the action. Condition keys set besides the principal's: aws:SourceIp,
// aws:SecureTransport, aws:RequestTag/<key> and aws:TagKeys on tagging and creating
// actions, iam:PolicyARN on Attach/DetachRolePolicy, iam:PermissionsBoundary on CreateRole
// and PutRolePermissionsBoundary.
//
// inkan extensions beyond AWS's actions: RevokeRoleSessions (RoleName) voids every session
// of the role issued before the call, authorized as iam:PutRolePolicy because that is the
// permission AWS's own "revoke active sessions" needs; its result carries
// SessionsValidAfter. Claim-to-tag mappings on providers are not on the wire: the
// declarative configuration sets them (iam.Service.SetOpenIDConnectProviderClaimTags).
//
// Tests: golden XML for every response and error shape lives in testdata/ (regenerate with
// go test ./internal/iamapi -update, then review the diff); the golden success bodies are
// parsed by aws-sdk-go-v2's IAM client, and a round trip drives every action through the
// real client against the operations. FuzzOperations sends arbitrary parameters to every
// action and fails on a panic or a ServiceFailure; run it longer with
// go test -run '^$' -fuzz FuzzOperations -fuzztime 10m ./internal/iamapi. Benchmarks of a
// read and of a write (which reloads the configuration):
// go test -run '^$' -bench . -benchmem ./internal/iamapi.
package iamapi
