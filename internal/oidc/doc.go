// Package oidc owns web identity token verification (OIDC discovery, the
// per-issuer JWKS cache and the JWT rules STS applies in
// AssumeRoleWithWebIdentity) and must not know about roles, policies,
// storage or servers: it is an HTTP client only. The caller chooses the
// Provider (with Issuer, or through VerifyWith) and maps the typed errors to
// AWS's codes and messages (see Kind).
//
// # Rules
//
// Tokens are compact JWS only, at most 20,000 bytes, with strict base64url
// and strict JSON (duplicate member names anywhere are refused). Accepted
// algorithms are RS256/384/512, PS256/384/512, ES256/384/512 and EdDSA
// (Ed25519); none and HS* never. Keys come only from the issuer's JWKS, chosen
// by kid; a token without kid is accepted only when exactly one key fits its
// algorithm; jwk, jku, x5u, x5c and x5t headers are ignored. Claims: iss byte
// for byte equal to the provider URL (no trailing-slash or case
// normalisation), sub, aud and azp (see checkAudience), integer exp
// (required), nbf and iat, with Options.Leeway (default 5 minutes) of skew.
// Signatures are checked with the standard library's crypto/rsa,
// crypto/ecdsa and crypto/ed25519 once the header has been strictly parsed;
// JWKS entries are decoded by go-jose.
//
// # Decisions on points the reference leaves UNCONFIRMED
//
//   - azp, when present, decides the audience (checkAudience).
//   - An array aud is accepted when any element is a client ID.
//   - nbf and iat may lie up to the leeway in the future; there is no "too
//     old" limit on iat (checkTimes).
//   - An unknown kid refetches the JWKS at most once per RefreshInterval
//     (default 10 s) per issuer, then fails as ErrSignature; while the latest
//     fetch failed (the refetch itself, or one within the interval) it fails as
//     ErrKeysUnavailable, since the key may be in the JWKS that could not be read.
//   - Thumbprints may pin any certificate the server presents, provided the
//     leaf chains to it with a matching host name (tlsConfig).
//   - Provider URLs may carry a port (IAM forbids one).
//
// # Cache and outages
//
// See issuerCache: shared fetches, Cache-Control TTL clamped to [1 min, 24 h],
// a bounded refetch rate for unknown kids, last-known-good keys for up to
// Options.MaxStale through IdP outages, and a short negative TTL. Parsed
// headers are cached too (headerCache): every token from one key has the same
// header.
//
// # Fuzzing
//
// The parsers have fuzz targets: FuzzParseJSONObject (differential against
// encoding/json), FuzzParseJWS and FuzzParseJWKS. Plain go test runs their
// seeds; to fuzz one for longer:
//
//	go test -run '^$' -fuzz '^FuzzParseJWS$' -fuzztime 10m ./internal/oidc/
package oidc
