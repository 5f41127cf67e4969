package console

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSignInSetsAStrictHttpOnlySessionCookieAndNeverEchoesTheSecret(t *testing.T) {
	f := newFixture(t)
	w := f.signIn(t, testSecret)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/" {
		t.Fatalf("sign-in answered %d to %q", w.Code, w.Header().Get("Location"))
	}
	c := f.cookie
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/console/" || c.Secure {
		t.Fatalf("session cookie %+v", c)
	}
	if c.MaxAge != int(SessionLifetime/time.Second) || strings.Contains(c.Value, testSecret) {
		t.Fatalf("session cookie max age %d or value holds the secret", c.MaxAge)
	}
	for _, p := range []string{"/console/", "/console/decisions", "/console/roles", "/console/simulate", "/console/providers"} {
		r := f.do(http.MethodGet, p, nil)
		if r.Code != http.StatusOK || strings.Contains(r.Body.String(), testSecret) {
			t.Errorf("%s: %d, or the page holds the secret", p, r.Code)
		}
		if csp := r.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: CSP %q", p, csp)
		}
		if body := r.Body.String(); strings.Contains(body, "<script") || strings.Contains(body, " onclick=") || strings.Contains(body, "javascript:") {
			t.Errorf("%s: the page carries inline script", p)
		}
	}
}

func TestAWrongSecretIsRefusedAndRepeatedAttemptsAreRateLimited(t *testing.T) {
	f := newFixture(t)
	w := f.signIn(t, "wrong-secret")
	if w.Code != http.StatusUnauthorized || f.cookie != nil || strings.Contains(w.Body.String(), "wrong-secret") {
		t.Fatalf("a wrong secret answered %d (cookie %v)", w.Code, f.cookie)
	}
	for range signinAttempts - 1 {
		f.signIn(t, "wrong-secret")
	}
	if w := f.signIn(t, testSecret); w.Code != http.StatusTooManyRequests || f.cookie != nil {
		t.Fatalf("attempt %d answered %d", signinAttempts+1, w.Code)
	}
}

func TestASignedOutBrowserIsSentToSignInAndItsPostsAreRefused(t *testing.T) {
	f := newFixture(t)
	w := f.do(http.MethodGet, "/console/decisions?outcome=deny", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/signin?next="+url.QueryEscape("/console/decisions?outcome=deny") {
		t.Fatalf("signed out: %d to %q", w.Code, w.Header().Get("Location"))
	}
	if w := f.do(http.MethodPost, "/console/roles/x/revoke", url.Values{"confirm": {"yes"}}); w.Code != http.StatusForbidden {
		t.Fatalf("a signed-out POST answered %d", w.Code)
	}
}

func TestAPostWithoutTheSessionsCSRFTokenIsRefused(t *testing.T) {
	f := newFixture(t)
	f.signIn(t, testSecret)
	for _, tok := range []string{"", "forged", f.csrf + "x"} {
		if w := f.do(http.MethodPost, "/console/signout", url.Values{"csrf": {tok}}); w.Code != http.StatusForbidden {
			t.Errorf("csrf %q answered %d", tok, w.Code)
		}
	}
	if w := f.do(http.MethodPost, "/console/signout", url.Values{"csrf": {f.csrf}}); w.Code != http.StatusSeeOther {
		t.Errorf("the session's token answered %d", w.Code)
	}
}

func TestATamperedOrExpiredSessionCookieSignsNobodyIn(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	f.c.o.Now = func() time.Time { return now }
	f.signIn(t, testSecret)
	good := *f.cookie
	b := []byte(good.Value)
	b[len(b)/2] ^= 1
	f.cookie.Value = string(b)
	if w := f.do(http.MethodGet, "/console/roles", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("a tampered cookie answered %d", w.Code)
	}
	f.cookie = &good
	now = now.Add(SessionLifetime)
	if w := f.do(http.MethodGet, "/console/roles", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("an expired cookie answered %d", w.Code)
	}
}

func TestSignInReturnsOnlyToConsolePages(t *testing.T) {
	for next, want := range map[string]string{"/console/roles/x": "/console/roles/x", "https://evil.example/": "/console/",
		"//evil.example/console/": "/console/", "/console/\r\nx": "/console/", "": "/console/"} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}
