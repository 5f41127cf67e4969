// Package devidp owns the built-in test identity provider — a GitHub-Actions-shaped OIDC
// issuer (with a GitLab-CI-shaped second profile), its persisted signing keys, the runner
// token endpoint and a dev mint endpoint — and must not know about roles, trust policies,
// STS, or the server and CLI that mount it.
//
// # The issuer
//
// `inkan serve --dev` mounts Issuer.Handler under /idp, so with the default listener the
// issuer is exactly
//
//	http://127.0.0.1:8750/idp                 iss of GitHub-shaped tokens
//	http://127.0.0.1:8750/idp/gitlab          iss of GitLab-shaped tokens
//
// and AWS-style clients register it as an OIDC provider with that URL and the client id
// (audience) sts.amazonaws.com; trust-policy condition keys then read
// 127.0.0.1:8750/idp:sub and 127.0.0.1:8750/idp:aud. The issuer URL is given to New; the
// handler never guesses it from requests. Handler lists the endpoints.
//
// # Tokens
//
// Mint issues what GitHub issues (aws-federation.md §7): header typ JWT, alg RS256, kid,
// x5t; every GitHub claim with numeric ids as strings; sub by GitHub's rules
// (environment > pull_request > ref, ':' in values written %3A), optionally the immutable
// repo:OWNER@ID/NAME@ID form or a custom include_claim_keys template; exp = iat + 300 s,
// nbf = iat − 600 s, a random UUID jti. Job.Complete derives every claim a caller leaves
// out from the repository and ref, deterministically (ids are hashes of names).
//
// # Runner environment
//
// Issuer.RunnerEnv gives what a GitHub runner gives a job with `id-token: write`:
// ACTIONS_ID_TOKEN_REQUEST_URL (<issuer>/actions/idtoken?api-version=2.0) and
// ACTIONS_ID_TOKEN_REQUEST_TOKEN, an opaque request token binding the job context,
// signed with HMAC-SHA256 under a secret in the key directory and valid 6 h. Then
// actions/toolkit's getIDToken, configure-aws-credentials and plain curl all work:
//
//	curl -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" \
//	     "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com"   # → {"count":…,"value":"<jwt>"}
//
// # Keys
//
// OpenKeySet keeps everything in one directory (by convention <data-dir>/devidp): the file
// keys.json (0600, directory 0700) with RSA-2048 keys, their self-signed certificates and
// the request-token secret, written atomically; keys.lock exists only while a process
// writes. KeySet.Rotate adds a new active key and keeps the replaced one in the JWKS for a
// grace period (24 h by default). Every read checks whether keys.json was replaced, so a
// running server signs with a key rotated by `inkan idp rotate-keys` at once.
//
// # Safety
//
// This is a development and test issuer: POST /mint and POST /runner-env mint for any
// repository to anyone who can reach them. Never register it with a real AWS account and
// never expose a --dev server beyond the machine or CI job that runs it.
//
// # Fuzzing
//
// The parsers have fuzz targets (fuzz_test.go). CI runs their seed corpora as tests;
// to fuzz one for longer:
//
//	go test ./internal/devidp -run '^$' -fuzz '^FuzzRequestToken$' -fuzztime 10m
//	go test ./internal/devidp -run '^$' -fuzz '^FuzzSubject$' -fuzztime 10m
//	go test ./internal/devidp -run '^$' -fuzz '^FuzzMintBody$' -fuzztime 10m
package devidp
