package console

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

const (
	testKeyID  = "AKIAINKANCONSOLE0000"
	testSecret = "console-test-secret-0000000000000000"
)

// fixture is a console over a real domain and decision log on a temporary SQLite store.
type fixture struct {
	c   *Console
	st  store.Store
	log *decisionlog.Writer
	// cookie and csrf are a signed-in session's.
	cookie *http.Cookie
	csrf   string
}

func newFixture(tb testing.TB) *fixture {
	tb.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(tb.TempDir(), "inkan.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	svc, err := iam.New(ctx, iam.Options{Store: st, Verifier: oidc.NewVerifier(oidc.Options{}), Account: "000000000000",
		RootAccessKeyID: testKeyID, RootSecretAccessKey: testSecret, Rand: rand.Reader})
	if err != nil {
		tb.Fatal(err)
	}
	w := decisionlog.NewWriter(st, decisionlog.Options{})
	tb.Cleanup(func() { w.Close() })
	c, err := New(Options{Domain: svc, Decisions: w})
	if err != nil {
		tb.Fatal(err)
	}
	return &fixture{c: c, st: st, log: w}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// do serves one request with the fixture's session cookie, if any.
func (f *fixture) do(method, target string, form url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if f.cookie != nil {
		r.AddCookie(f.cookie)
	}
	for _, c := range cookies {
		r.AddCookie(c)
	}
	w := httptest.NewRecorder()
	f.c.ServeHTTP(w, r)
	return w
}

// signIn signs in with the secret and keeps the session; it returns the answer.
func (f *fixture) signIn(tb testing.TB, secret string) *httptest.ResponseRecorder {
	tb.Helper()
	page := f.do(http.MethodGet, "/console/signin", nil)
	m := csrfField.FindStringSubmatch(page.Body.String())
	if m == nil {
		tb.Fatalf("the sign-in page has no CSRF token:\n%s", page.Body)
	}
	pre := cookieNamed(page, preCookie)
	w := f.do(http.MethodPost, "/console/signin", url.Values{"csrf": {m[1]}, "access_key_id": {testKeyID}, "secret_access_key": {secret}}, pre)
	if c := cookieNamed(w, sessionCookie); c != nil && c.MaxAge > 0 {
		f.cookie = c
		home := f.do(http.MethodGet, "/console/roles", nil)
		f.csrf = csrfField.FindStringSubmatch(home.Body.String())[1]
	}
	return w
}

func cookieNamed(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// fill appends n decision records spread over the last week: 20 roles, 500 subjects, 50
// source addresses, one in four denied with a reason and claims.
func fill(tb testing.TB, st store.Store, n int, now time.Time) {
	tb.Helper()
	batch := make([]store.Decision, 0, 1000)
	for i := range n {
		rec := audit.Record{Time: now.Add(-time.Duration(n-i) * 6 * time.Second).UTC(), RequestID: fmt.Sprintf("REQ-%07d", i),
			Service: "sts", Action: "sts:AssumeRoleWithWebIdentity", Role: fmt.Sprintf("arn:aws:iam::000000000000:role/role-%d", i%20),
			Subject: fmt.Sprintf("repo:acme/app-%d:ref:refs/heads/main", i%500), SourceIP: fmt.Sprintf("10.0.0.%d", i%50),
			Outcome: "allow", Provider: "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com",
			Claims: map[string]any{"repository": fmt.Sprintf("acme/app-%d", i%500), "ref": "refs/heads/main", "event_name": "push",
				"workflow": "CI", "actor": "octocat", "run_id": fmt.Sprint(i), "aud": "sts.amazonaws.com"}}
		if i%4 == 0 {
			rec.Outcome, rec.Code = "deny", "AccessDenied"
			rec.Reason = `token.actions.githubusercontent.com:sub "` + rec.Subject + `" matches none of ["repo:acme/other:*"] (StringLike, Statement[0])`
		}
		if i%10 == 5 {
			rec.Service, rec.Action, rec.Resource = "s3", "s3:GetObject", "arn:aws:s3:::site/index.html"
		}
		body, err := json.Marshal(&rec)
		if err != nil {
			tb.Fatal(err)
		}
		batch = append(batch, store.Decision{RequestID: rec.RequestID, Time: rec.Time, Service: rec.Service, Action: rec.Action,
			Outcome: rec.Outcome, Role: store.RoleName(rec.Role), Subject: rec.Subject, SourceIP: rec.SourceIP, Body: body})
		if len(batch) == cap(batch) || i == n-1 {
			if err := st.AppendDecisions(context.Background(), batch); err != nil {
				tb.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}
