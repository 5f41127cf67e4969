package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
)

const (
	sessionCookie = "inkan_console"
	// preCookie carries the CSRF token of the sign-in form before anyone has signed in.
	preCookie = "inkan_console_signin"
	// SessionLifetime is how long a sign-in lasts.
	SessionLifetime = 30 * time.Minute
)

// sealed is what a cookie holds, sealed: who signed in (empty before sign-in), until when,
// and the CSRF token the session's forms carry.
type sealed struct {
	Who     string    `json:"who,omitempty"`
	Expires time.Time `json:"exp"`
	CSRF    string    `json:"csrf"`
}

// sealer seals and opens cookie values with AES-GCM under a key of this process.
type sealer struct {
	aead cipher.AEAD
	rand io.Reader
}

func newSealer(rnd io.Reader) (*sealer, error) {
	key := make([]byte, 32)
	if _, err := io.ReadFull(rnd, key); err != nil {
		return nil, fmt.Errorf("console: session key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: aead, rand: rnd}, nil
}

// seal encrypts v for the cookie named name (the name is authenticated, so that one cookie's
// value does not open as the other's).
func (s *sealer) seal(name string, v sealed) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	if _, err := io.ReadFull(s.rand, nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, plain, []byte(name))), nil
}

var errBadCookie = errors.New("console: cookie does not open")

// open returns the sealed value of the cookie if it opens and has not expired.
func (s *sealer) open(r *http.Request, name string, now time.Time) (sealed, error) {
	var v sealed
	c, err := r.Cookie(name)
	if err != nil {
		return v, errBadCookie
	}
	raw, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return v, errBadCookie
	}
	plain, err := s.aead.Open(nil, raw[:s.aead.NonceSize()], raw[s.aead.NonceSize():], []byte(name))
	if err != nil || json.Unmarshal(plain, &v) != nil || !now.Before(v.Expires) {
		return sealed{}, errBadCookie
	}
	return v, nil
}

// token returns a fresh random token for CSRF.
func (s *sealer) token() (string, error) {
	b := make([]byte, 18)
	if _, err := io.ReadFull(s.rand, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// sameToken compares a posted CSRF token with the session's in constant time.
func sameToken(posted, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(posted), []byte(want)) == 1
}

// limiter counts sign-in attempts per client address in fixed windows.
type limiter struct {
	max    int
	window time.Duration
	mu     sync.Mutex
	seen   map[string]*attempts
}

type attempts struct {
	start time.Time
	n     int
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, seen: map[string]*attempts{}}
}

// allow counts an attempt from addr and reports whether it may proceed.
func (l *limiter) allow(addr string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := l.seen[addr]
	if a == nil || now.Sub(a.start) >= l.window {
		if len(l.seen) > 10000 {
			l.forget(now)
		}
		a = &attempts{start: now}
		l.seen[addr] = a
	}
	a.n++
	return a.n <= l.max
}

// forget drops the windows that have ended, so that the map stays bounded.
func (l *limiter) forget(now time.Time) {
	for k, a := range l.seen {
		if now.Sub(a.start) >= l.window {
			delete(l.seen, k)
		}
	}
}

// clientAddr is the request's address without its port.
func clientAddr(r *http.Request) string {
	addr := r.RemoteAddr
	if i := strings.LastIndexByte(addr, ':'); i > 0 {
		addr = addr[:i]
	}
	return strings.Trim(addr, "[]")
}

// rootKey checks an access key and secret against the root credentials: the secret in
// constant time.
func (c *Console) rootKey(r *http.Request, keyID, secret string) bool {
	p, want, err := c.o.Domain.Authenticate(r.Context(), keyID, "")
	if err != nil || p == nil || !p.Root {
		// Compare anyway, so that an unknown key costs the same as a wrong secret.
		subtle.ConstantTimeCompare([]byte(secret), []byte(secret))
		return false
	}
	return subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

func (c *Console) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/console/", MaxAge: maxAge,
		HttpOnly: true, Secure: c.o.Secure, SameSite: http.SameSiteStrictMode})
}

// session returns the signed-in session of the request, if any.
func (c *Console) session(r *http.Request) (sealed, bool) {
	s, err := c.seal.open(r, sessionCookie, c.o.Now())
	return s, err == nil && s.Who != ""
}

// signinForm renders the sign-in page with a fresh pre-session CSRF token.
func (c *Console) signinForm(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok, err := c.seal.token()
	if err == nil {
		var v string
		v, err = c.seal.seal(preCookie, sealed{Expires: c.o.Now().Add(10 * time.Minute), CSRF: tok})
		c.setCookie(w, preCookie, v, 600)
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, status, "signin", &page{Title: "Sign in", CSRF: tok, Error: msg,
		Data: map[string]string{"Next": safeNext(r.FormValue("next"))}})
}

// safeNext keeps a redirect inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console/"
	}
	return next
}

func (c *Console) signinPage(w http.ResponseWriter, r *http.Request) {
	if _, ok := c.session(r); ok {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
		return
	}
	c.signinForm(w, r, http.StatusOK, "")
}

// signin checks the form's CSRF token, the rate limit, then the root key; on success it
// sets the session cookie and goes where the browser was headed.
func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	pre, err := c.seal.open(r, preCookie, c.o.Now())
	if err != nil || !sameToken(r.PostFormValue("csrf"), pre.CSRF) {
		c.forbidden(w, r)
		return
	}
	if !c.limit.allow(clientAddr(r), c.o.Now()) {
		c.signinForm(w, r, http.StatusTooManyRequests, "Too many sign-in attempts from this address; wait a minute and try again.")
		return
	}
	keyID := strings.TrimSpace(r.PostFormValue("access_key_id"))
	if !c.rootKey(r, keyID, r.PostFormValue("secret_access_key")) {
		c.o.Logger.Warn("console sign-in refused", "remote", clientAddr(r))
		c.signinForm(w, r, http.StatusUnauthorized, "The access key or the secret is wrong.")
		return
	}
	tok, err := c.seal.token()
	var v string
	if err == nil {
		v, err = c.seal.seal(sessionCookie, sealed{Who: keyID, Expires: c.o.Now().Add(SessionLifetime), CSRF: tok})
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	c.setCookie(w, sessionCookie, v, int(SessionLifetime/time.Second))
	c.setCookie(w, preCookie, "", -1)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, _ sealed) {
	c.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

// authed wraps a page: a browser without a session goes to sign-in (and comes back after);
// a POST must carry the session's CSRF token.
func (c *Console) authed(h func(http.ResponseWriter, *http.Request, sealed)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.session(r)
		if !ok {
			if r.Method != http.MethodGet && r.Method != http.MethodHead {
				c.forbidden(w, r)
				return
			}
			http.Redirect(w, r, "/console/signin?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxForm)
			if !sameToken(r.PostFormValue("csrf"), s.CSRF) {
				c.forbidden(w, r)
				return
			}
		}
		h(w, r, s)
	}
}

// maxForm bounds a posted form (a policy document is at most a few KiB).
const maxForm = 256 << 10

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusForbidden, "error", &page{Title: "Refused",
		Error: "This form is stale or did not come from this console (its CSRF token is missing or wrong). Reload the page and try again."})
}
