package iamapi

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/session"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

const account = "123456789012"

// testNow is the fixed clock of every test: dates render as 2026-11-25T10:00:00.123Z.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 123456789, time.UTC)

// fixture is the IAM service on a real SQLite store, a fixed clock and seeded randomness,
// so that ids and dates, hence golden files, are reproducible.
type fixture struct {
	svc *iam.Service
	api awsquery.Service
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "inkan.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := iam.New(ctx, iam.Options{Store: st, Verifier: oidc.NewVerifier(oidc.Options{}), Account: account,
		Now: func() time.Time { return testNow }, Rand: rand.NewChaCha8([32]byte{42})})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{svc: svc, api: Service(svc)}
}

var root = &iam.Principal{Root: true, ARN: "arn:aws:iam::" + account + ":root", UserID: account, Account: account}

// sessionOf is a session of the role, as the dispatcher would have authenticated it.
func (f *fixture) sessionOf(t *testing.T, roleName string) *iam.Principal {
	t.Helper()
	r, err := f.svc.GetRole(context.Background(), roleName)
	if err != nil {
		t.Fatal(err)
	}
	c := &session.Claims{RoleARN: r.ARN, RoleID: r.ID, SessionName: "ci", Issued: testNow, Expires: testNow.Add(time.Hour)}
	return &iam.Principal{ARN: "arn:aws:sts::" + account + ":assumed-role/" + r.Name + "/ci", UserID: r.ID + ":ci", Account: account, Session: c}
}

// serve plays the dispatcher's part for one decoded request: find the operation, run it
// as caller, and render the result or the error as the query protocol does.
func (f *fixture) serve(w http.ResponseWriter, params url.Values, caller any, requestID string) {
	action := params.Get("Action")
	op, ok := f.api.Operations[action]
	if !ok { // the server's dispatcher answers InvalidAction; tests never get here
		http.Error(w, "no operation "+action, http.StatusNotImplemented)
		return
	}
	c := &awsquery.Call{Request: &awsquery.Request{Params: params}, Caller: caller, RequestID: requestID}
	res, err := op.Run(context.Background(), c)
	if err != nil {
		awsquery.WriteError(w, f.api.Namespace, f.api.Error(err), requestID)
		return
	}
	awsquery.WriteResult(w, f.api.Namespace, action, res, requestID)
}

// call runs one request given as a query string.
func (f *fixture) call(t *testing.T, caller any, query string) *httptest.ResponseRecorder {
	t.Helper()
	params, err := url.ParseQuery(query)
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	f.serve(rec, params, caller, "rid-"+params.Get("Action"))
	return rec
}

// server is an HTTP endpoint in front of the operations, for the real SDK client: it
// decodes the form and serves it as root (SigV4 is the dispatcher's and is not checked).
func (f *fixture) server(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !awsquery.IsQuery(r) {
			t.Errorf("not a query request: %s %s", r.Method, r.URL)
			http.Error(w, "not a query request", http.StatusBadRequest)
			return
		}
		req, err := awsquery.Decode(r)
		if err != nil {
			t.Errorf("decode: %v", err)
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		if v := req.Params.Get("Version"); v != Version {
			t.Errorf("the client sent Version %q", v)
		}
		f.serve(w, req.Params, root, "rid")
	}))
	t.Cleanup(srv.Close)
	return srv
}
