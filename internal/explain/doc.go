// Package explain owns how inkan explains its decisions to people: it renders decision traces
// (live from internal/policy, or recorded in the audit log) as text and JSON, renders the
// trust-policy linter's findings as text, JSON and SARIF 2.1.0, simulates
// AssumeRoleWithWebIdentity and permission requests on the production evaluator of
// internal/policy, and tells in plain words who can assume a role. It must not know about
// HTTP, storage or the command line: the CLI fetches roles, tokens and audit records and
// passes them in. It never evaluates a policy itself: every decision is policy.Explain's.
//
// # Simulation
//
// SimulateWebIdentity builds the request AssumeRoleWithWebIdentity builds in internal/iam —
// the principal is the provider's ARN, every string, number, boolean or string-list claim
// becomes the condition key "<issuer without scheme, lower-cased>:<claim>", the aud key holds
// the client ID that matched, and aws:CurrentTime, aws:EpochTime, aws:SecureTransport,
// aws:SourceIp and sts:RoleSessionName are set — and evaluates the role's trust policy.
// SimulatePermissions builds the request of a role session (Authorize in internal/iam) for
// an action on a resource, with the role's permission policies, session policies and
// permissions boundary. Both mirror internal/iam; a test runs the same cases through
// iam.Service and compares the reasons, so a divergence fails the build.
//
// # Benchmarks
//
//	go test ./internal/explain -run '^$' -bench . -benchmem
//
// # Fuzzing
//
// The parsers have fuzz targets, run on their seed corpora by go test. To fuzz longer:
//
//	go test ./internal/explain -run '^$' -fuzz '^FuzzDecodeToken$' -fuzztime 60s
//	go test ./internal/explain -run '^$' -fuzz '^FuzzLocate$' -fuzztime 60s
//	go test ./internal/explain -run '^$' -fuzz '^FuzzDescribeSubject$' -fuzztime 60s
package explain
