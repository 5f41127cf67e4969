// Package iam is inkan's domain core: OIDC providers, roles, managed and inline policies,
// stateless sessions, the AssumeRole* decisions, caller authentication and the authorization
// of every later request. It compiles the configuration held in the store into memory and
// decides with the policy package's evaluator, returning typed errors that carry the decision
// trace. It must not know about wire formats: no net/http server types, no XML, no query
// parameters; the wire packages (sts, iamapi, s3) decode, call one method here, and render.
package iam
