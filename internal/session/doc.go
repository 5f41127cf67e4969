// Package session owns inkan's stateless temporary credentials: the access key id, the secret
// and the session token that seals, with an AEAD, everything needed to authenticate and
// authorize the session later. No session is ever stored: any node holding the sealing keys
// can open any token. It must not know about roles, policies or HTTP; it seals and opens.
//
// Token format (version 1): "IQ" + base64url(keyID(8) || nonce(12) || AES-256-GCM(JSON claims)),
// the additional data binding the version and key id. A token opened with the wrong key, a
// truncated or altered token, or one sealed by a retired-and-removed key fails with ErrInvalid.
package session
