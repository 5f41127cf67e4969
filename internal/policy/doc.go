// Package policy owns the IAM policy language: parsing documents strictly, compiling them
// once, evaluating requests purely (with an explainable trace on demand) and linting trust
// policies; it must not know about HTTP, storage, tokens or where policies come from.
//
// Parse turns a document of a Kind (Identity, Resource, Session, Trust) into a *Policy;
// Evaluate decides a Request against a Set of policies without allocating in the common
// case; Explain decides the same way and returns a Trace whose Reason names the decisive
// element; Lint reports the trust-policy mistakes that let in unintended tokens, knowing
// the shared CI issuers listed by SharedIssuers. Semantics follow the IAM User Guide
// (policy grammar, evaluation logic, condition operators, policy variables); condition
// operators and wildcard matching live in package condition.
//
// Decisions where AWS documents nothing (tested in this package):
//   - NotPrincipal exempts a caller only when all its names (session ARN, role ARN) and, for
//     an AWS caller, its account are listed; an Allow matched through NotPrincipal counts
//     as an account-level grant that needs the identity policies too;
//   - {"AWS": "*"} matches every caller, federated ones included (documented as equal to
//     "*"); another type's "*" matches every caller of that type;
//   - a resource policy statement naming the session ARN is not limited by the boundary or
//     session policies; naming the role ARN, a provider ARN, a service or "*" it is;
//   - a trust policy (Kind Trust) must allow by itself: an identity policy never suffices;
//   - a Sid holds only ASCII letters and digits except in Resource policies, and Sids are
//     unique within a policy;
//   - an action's service prefix holds no wildcard; a resource is "*" or a six-part ARN
//     without wildcards in its service, with variables only after the fifth colon;
//   - a policy's Size is the length in characters of its JSON without insignificant
//     whitespace.
//
// Fuzz targets, each clean for 60 s with
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 60s ./internal/policy
//
// and those of package condition (see its documentation). Benchmarks:
//
//	go test -run '^$' -bench . -benchmem ./internal/policy/...
package policy
