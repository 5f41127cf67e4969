// Package oidc owns web identity token verification: OIDC discovery, the
// per-issuer JWKS cache and the JWT rules STS applies in
// AssumeRoleWithWebIdentity. It is an HTTP client only, and knows nothing of
// roles, policies, storage or servers: the caller chooses the Provider (with
// Issuer) and maps the typed errors to AWS's codes and messages.
//
// # Rules
//
// Tokens are compact JWS only, at most 20,000 bytes, with strict base64url
// and strict JSON (duplicate member names anywhere are refused). Accepted
// algorithms are RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA
// (Ed25519); none and HS* never. Keys come only from the issuer's JWKS, chosen
// by kid; a token without kid is accepted only when exactly one key fits its
// algorithm. Claims: iss byte-for-byte equal to the provider URL, sub, aud and
// azp (see checkAudience), integer exp (required), nbf and iat, with
// Options.Leeway (default 5 minutes) of skew. Signatures are checked with the
// standard library's crypto/rsa, crypto/ecdsa and crypto/ed25519 once the
// header has been strictly parsed; JWKS entries are decoded by go-jose.
//
// # Cache and outages
//
// See issuerCache: shared fetches, Cache-Control TTL clamped to [1 min, 24 h],
// a bounded refetch rate for unknown kids, last-known-good keys for up to
// Options.MaxStale through IdP outages, and a short negative TTL.
//
// # Fuzzing
//
// The parsers have fuzz targets (FuzzParseJSONObject, FuzzParseJWS,
// FuzzParseJWKS). CI runs each briefly; to run one longer:
//
//	go test -run '^$' -fuzz '^FuzzParseJWS$' -fuzztime 10m ./internal/oidc/
package oidc
