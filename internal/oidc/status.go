package oidc

import "time"

// IssuerStatus is what the verifier knows of an issuer's keys, for operators (the console's
// Providers page). It holds no key material.
type IssuerStatus struct {
	// Keys are the kid and alg of the last good key set, in JWKS order.
	Keys []KeyInfo
	// Fetched is when the last good set was fetched; zero if none ever was.
	Fetched time.Time
	// LastAttempt is when the latest fetch started; LastError its failure ("" when it
	// succeeded or none finished yet).
	LastAttempt time.Time
	LastError   string
	// Stale is set while the latest fetch failed and last-known-good keys are served.
	Stale bool
}

// KeyInfo names one key of an issuer.
type KeyInfo struct{ Kid, Alg string }

// Status returns what the verifier knows of the issuer at providerURL; false when no token
// of it has been verified since the verifier started (its keys are fetched on first use).
func (v *Verifier) Status(providerURL string) (IssuerStatus, bool) {
	v.mu.RLock()
	c := v.issuers[providerURL]
	v.mu.RUnlock()
	if c == nil {
		return IssuerStatus{}, false
	}
	var st IssuerStatus
	if ck := c.keys.Load(); ck != nil {
		st.Fetched = ck.fetched
		for _, k := range ck.set.all {
			st.Keys = append(st.Keys, KeyInfo{Kid: k.kid, Alg: k.alg})
		}
	}
	c.mu.Lock()
	st.LastAttempt = c.lastAttempt
	if c.lastErr != nil {
		st.LastError = c.lastErr.Error()
		st.Stale = !st.Fetched.IsZero()
	}
	c.mu.Unlock()
	return st, true
}
