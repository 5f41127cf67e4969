// Package oidctest owns an in-process OIDC issuer for tests: discovery, JWKS,
// token signing with every algorithm inkan accepts (and HS*, none and
// arbitrary header and claim bytes, for hostile tokens), key rotation, an
// outage switch and request counters. It is built on net/http/httptest and
// must not know how tokens are verified: it does not import package oidc.
package oidctest
