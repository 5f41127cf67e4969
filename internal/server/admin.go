package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/sigv4"
	"github.com/inkan-dev/inkan/internal/store"
)

// AdminService is the signing name of inkan's own API under /_inkan/.
const AdminService = "inkan"

// adminAuth is what the admin API needs of the domain; *iam.Service is one.
type adminAuth interface {
	Authenticator
	Authorize(ctx context.Context, p *iam.Principal, req *iam.AccessRequest) error
	RotateSealingKeys(ctx context.Context) error
}

// Admin serves inkan's own API: GET /_inkan/v1/decisions/{request-id} returns the audit
// record of a decision (its reason and trace) as JSON. Requests are SigV4-signed for the
// service "inkan"; the caller must be root or allowed sts:DecodeAuthorizationMessage.
type Admin struct {
	auth      adminAuth
	decisions Finder
	region    string
	mux       *http.ServeMux
}

// NewAdmin returns the admin API handler; decisions answers the decisions endpoints (the
// listing only when it is a Lister too).
func NewAdmin(auth adminAuth, decisions Finder, region string) *Admin {
	a := &Admin{auth: auth, decisions: decisions, region: region, mux: http.NewServeMux()}
	a.mux.HandleFunc("GET /_inkan/v1/decisions/{id}", a.decision)
	if l, ok := decisions.(Lister); ok {
		a.mux.HandleFunc("GET /_inkan/v1/decisions", a.list(l))
	}
	a.mux.HandleFunc("POST /_inkan/v1/sealing-keys/rotate", a.rotate)
	return a
}

func (a *Admin) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

type adminError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// caller authenticates a signed admin request and authorizes action for it (root only when
// action is ""); on failure it has answered and returns false.
func (a *Admin) caller(w http.ResponseWriter, r *http.Request, action string) bool {
	auth, err := sigv4.Parse(r)
	if err != nil {
		writeAdminJSON(w, http.StatusForbidden, adminError{"AccessDenied", "sign the request with SigV4 for service " + AdminService})
		return false
	}
	p, secret, err := a.auth.Authenticate(r.Context(), auth.AccessKeyID, auth.SecurityToken)
	if err == nil {
		_, err = sigv4.Verify(r, auth, secret, sigv4.Options{Region: a.region, Service: AdminService, PayloadHash: sigv4.PayloadHash(nil)})
	}
	if err == nil && action == "" && !p.Root {
		err = errors.New("only root may do this")
	}
	if err == nil && action != "" {
		err = a.auth.Authorize(r.Context(), p, &iam.AccessRequest{Action: action, Resource: "*"})
	}
	var ie *iam.Error
	switch {
	case err == nil:
		return true
	case errors.As(err, &ie) && (ie.Kind == iam.KindUnavailable || ie.Kind == iam.KindServiceFailure):
		// The credentials could not be checked (the store is down): the caller's retry may
		// succeed, and the failure's text is the server's own, never the caller's to read.
		writeAdminJSON(w, http.StatusServiceUnavailable, adminError{"ServiceUnavailable", "the credentials could not be checked now; retry"})
	default:
		writeAdminJSON(w, http.StatusForbidden, adminError{"AccessDenied", err.Error()})
	}
	return false
}

func (a *Admin) decision(w http.ResponseWriter, r *http.Request) {
	if !a.caller(w, r, "sts:DecodeAuthorizationMessage") {
		return
	}
	rec, err := a.decisions.Find(r.Context(), r.PathValue("id"))
	if errors.Is(err, audit.ErrNotFound) {
		writeAdminJSON(w, http.StatusNotFound, adminError{"NotFound", "no decision was recorded with request id " + r.PathValue("id")})
		return
	}
	if err != nil {
		readFailed(w, err)
		return
	}
	writeAdminJSON(w, http.StatusOK, rec)
}

func readFailed(w http.ResponseWriter, err error) {
	status, code := http.StatusInternalServerError, "InternalError"
	if errors.Is(err, store.ErrUnavailable) {
		status, code = http.StatusServiceUnavailable, "ServiceUnavailable"
	}
	writeAdminJSON(w, status, adminError{code, "reading the decision log failed; retry"})
}

// DecisionPage is what GET /_inkan/v1/decisions answers: the records newest first, and
// the before= value of the next page (0 on the last).
type DecisionPage struct {
	Decisions []audit.Record `json:"decisions"`
	Next      int64          `json:"next,omitempty"`
}

// list answers GET /_inkan/v1/decisions?service=&outcome=&role=&subject=&source_ip=
// &request_id=&since=RFC3339&until=RFC3339&before=N&limit=N (role a name or ARN): a page of
// the decision log, for the same callers as a single decision.
func (a *Admin) list(l Lister) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !a.caller(w, r, "sts:DecodeAuthorizationMessage") {
			return
		}
		f, err := decisionFilter(r.URL.Query())
		if err != nil {
			writeAdminJSON(w, http.StatusBadRequest, adminError{"InvalidParameter", err.Error()})
			return
		}
		got, err := l.List(r.Context(), f)
		if err != nil {
			readFailed(w, err)
			return
		}
		page := DecisionPage{Decisions: make([]audit.Record, len(got))}
		for i := range got {
			page.Decisions[i] = got[i].Record
		}
		if len(got) > 0 && len(got) == max(f.Limit, 1) {
			page.Next = got[len(got)-1].Seq
		}
		writeAdminJSON(w, http.StatusOK, page)
	}
}

func decisionFilter(q url.Values) (store.DecisionFilter, error) {
	f := store.DecisionFilter{Service: q.Get("service"), Outcome: q.Get("outcome"), Role: store.RoleName(q.Get("role")), Subject: q.Get("subject"),
		SourceIP: q.Get("source_ip"), RequestID: q.Get("request_id")}
	var err error
	for _, t := range [...]struct {
		name string
		dst  *time.Time
	}{{"since", &f.Since}, {"until", &f.Until}} {
		if v := q.Get(t.name); v != "" {
			if *t.dst, err = time.Parse(time.RFC3339Nano, v); err != nil {
				return f, fmt.Errorf("%s=%q is not an RFC 3339 time", t.name, v)
			}
		}
	}
	if v := q.Get("before"); v != "" {
		if f.Before, err = strconv.ParseInt(v, 10, 64); err != nil {
			return f, fmt.Errorf("before=%q is not a number", v)
		}
	}
	f.Limit = store.MaxDecisionPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > store.MaxDecisionPage {
			return f, fmt.Errorf("limit=%q: want 1..%d", v, store.MaxDecisionPage)
		}
		f.Limit = n
	}
	return f, nil
}

// rotate retires the active sealing key and makes a new one; sessions sealed before stay
// valid for their whole life. Root only: no policy grants it.
func (a *Admin) rotate(w http.ResponseWriter, r *http.Request) {
	if !a.caller(w, r, "") {
		return
	}
	if err := a.auth.RotateSealingKeys(r.Context()); err != nil {
		if iam.KindOf(err) == iam.KindUnavailable {
			writeAdminJSON(w, http.StatusServiceUnavailable, adminError{"ServiceUnavailable", "the store is unreachable; try again"})
			return
		}
		writeAdminJSON(w, http.StatusInternalServerError, adminError{"InternalError", "rotating the sealing keys failed"})
		return
	}
	writeAdminJSON(w, http.StatusOK, map[string]string{"status": "rotated"})
}
