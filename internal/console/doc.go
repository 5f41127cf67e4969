// Package console owns inkan's operator console under /console/: server-rendered pages
// (html/template, files embedded in the binary, no script needed to read) over the decision
// log, roles, providers and the simulator, with a sign-in by the root access key. It is a
// wire package like s3 and iamapi: it calls the domain (internal/iam), renders with
// internal/explain and reads the decision log through a small interface; it never opens the
// store itself.
//
// # Security
//
// Sign-in compares the root secret in constant time and is rate-limited per client address.
// A signed-in browser holds one cookie, HttpOnly and SameSite=Strict (Secure under TLS),
// whose value is a short-lived session sealed with AES-GCM under a key that lives only in
// this process (a restart signs everyone out). Every form carries a CSRF token bound to the
// session; every response carries a Content-Security-Policy that allows no inline script.
// No page renders a secret or a token: a pasted token is decoded, never echoed back.
package console
