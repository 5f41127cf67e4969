package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/reqid"
)

// Authenticator resolves the credentials of a signed request; *iam.Service is one.
type Authenticator interface {
	// Authenticate returns the caller and the secret its signature must verify with.
	Authenticate(ctx context.Context, accessKeyID, securityToken string) (*iam.Principal, string, error)
}

// Options are the parts the server routes to.
type Options struct {
	// Query holds the query-protocol services (STS, IAM).
	Query []awsquery.Service
	Auth  Authenticator
	// S3 serves every request that is not a query-protocol request or one of inkan's own.
	S3 http.Handler
	// IDP is the test identity provider mounted at /idp (--dev only); nil = none.
	IDP http.Handler
	// Admin serves inkan's own API under /_inkan/ (explain); nil = none.
	Admin http.Handler
	// Console serves the operator console under /console/; nil = none (--console off).
	Console http.Handler
	// Audit receives the record of every query-protocol decision; nil = none.
	Audit   Recorder
	Metrics *Metrics
	Logger  *slog.Logger
	// Region, when set, is the only region callers may sign for.
	Region string
	Now    func() time.Time
	// ReasonToCaller puts the domain's one-sentence reason in every query error message
	// (--dev); otherwise denials end with the request id and how an operator reads the reason.
	ReasonToCaller bool
	// Limits bound slow bodies and each client's requests in flight; zero = none.
	Limits Limits
}

// Server is inkan's HTTP handler.
type Server struct {
	o      Options
	limit  *inflight
	mux    *http.ServeMux
	query  map[string]*awsquery.Service // by action name
	byName map[string]*awsquery.Service
}

// New builds the handler with every route.
func New(o Options) *Server {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{o: o, limit: newInflight(o.Limits.MaxRequestsPerClient), mux: http.NewServeMux(),
		query: map[string]*awsquery.Service{}, byName: map[string]*awsquery.Service{}}
	for i := range o.Query {
		svc := &o.Query[i]
		s.byName[svc.Name] = svc
		for action := range svc.Operations {
			if prev, dup := s.query[action]; dup {
				panic(fmt.Sprintf("server: action %s served by both %s and %s", action, prev.Name, svc.Name))
			}
			s.query[action] = svc
		}
	}
	s.routes()
	return s
}

// routes lists inkan's own routes. Bucket names cannot contain "_", so inkan's API lives
// under /_inkan/; healthz, readyz, metrics and idp are reserved bucket names. Everything else is AWS's
// and goes to route without passing through a ServeMux, which would clean S3 keys holding
// "//" or "..".
func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", healthz)
	s.mux.HandleFunc("GET /readyz", readyz)
	if s.o.Metrics != nil {
		s.mux.Handle("GET /metrics", s.o.Metrics.Handler())
	}
	if s.o.IDP != nil {
		s.mux.Handle("/idp/", http.StripPrefix("/idp", s.o.IDP))
	}
	if s.o.Admin != nil {
		s.mux.Handle("/_inkan/", s.o.Admin)
	}
	if s.o.Console != nil {
		s.mux.Handle("/console/", s.o.Console)
		s.mux.Handle("/console", s.o.Console)
	}
}

// isOwn reports whether the request is for one of inkan's own routes.
func (s *Server) isOwn(r *http.Request) bool {
	p := r.URL.Path
	switch {
	case p == "/healthz", p == "/readyz", p == "/metrics":
		return r.Method == http.MethodGet && r.URL.RawQuery == ""
	case strings.HasPrefix(p, "/idp/"):
		return s.o.IDP != nil
	case strings.HasPrefix(p, "/_inkan/"):
		return s.o.Admin != nil
	case p == "/console", strings.HasPrefix(p, "/console/"):
		// With the console on, "console" is a reserved bucket name for path-style requests.
		return s.o.Console != nil
	}
	return false
}

// ServeHTTP gives the request its id, then logs, measures and recovers around the route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.o.Now()
	id := reqid.New()
	r = r.WithContext(reqid.With(r.Context(), id))
	rw := &statusWriter{ResponseWriter: w}
	// S3 clients read x-amz-request-id, the query-protocol SDKs x-amzn-RequestId.
	rw.Header().Set("x-amz-request-id", id)
	rw.Header().Set("x-amzn-RequestId", id)
	// The route is decided once; the metrics and the log name it.
	service := s.classify(r)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.o.Logger.Error("panic serving request", "request_id", id, "panic", fmt.Sprint(v))
			if !rw.wrote {
				http.Error(rw, "internal error; request id "+id, http.StatusInternalServerError)
			}
		}
		elapsed := s.o.Now().Sub(start)
		if s.o.Metrics != nil {
			s.o.Metrics.observeRequest(service, codeLabel(r, rw.status), elapsed)
		}
		// Never log the query string: presigned URLs carry signatures and session tokens.
		s.o.Logger.Info("request", "request_id", id, "method", r.Method, "path", r.URL.Path,
			"status", rw.status, "bytes", rw.bytes, "duration_ms", strconv.FormatFloat(float64(elapsed.Microseconds())/1000, 'f', 3, 64),
			"service", service, "remote", r.RemoteAddr)
	}()
	body := r.Body
	if service != "internal" { // health, readiness and metrics always answer
		release, ok := s.limit.acquire(remoteIP(r))
		if !ok {
			s.throttle(rw, r, service)
			lingerOnUnreadBody(rw, r, body)
			return
		}
		defer release()
	}
	s.limitBody(rw, r)
	s.route(rw, r, service)
	lingerOnUnreadBody(rw, r, body)
}

// route hands the request to the part of inkan that serves it.
func (s *Server) route(rw http.ResponseWriter, r *http.Request, service string) {
	switch service {
	case "internal", "idp", "admin", "console":
		s.mux.ServeHTTP(rw, r)
	case "query":
		s.serveQuery(rw, r)
	case "s3":
		if s.o.S3 == nil {
			http.NotFound(rw, r)
			return
		}
		s.o.S3.ServeHTTP(rw, r)
	}
}

// codeLabel is the status a request is counted under: "canceled" for one the client
// abandoned before it was answered (the handlers answer those 499, nginx's "client closed
// request"), so that a client going away is never counted as a server failure.
func codeLabel(r *http.Request, status int) string {
	if status == 0 {
		status = http.StatusOK
	}
	if status == clientClosed || status >= 500 && r.Context().Err() != nil {
		return "canceled"
	}
	return strconv.Itoa(status)
}

// clientClosed is s3.StatusClientClosed, the status of an abandoned request.
const clientClosed = 499

// classify names the route of a request, which is also its metrics label: one of inkan's own
// (internal, idp, admin, console), a query-protocol call (query) or S3 (s3).
func (s *Server) classify(r *http.Request) string {
	switch {
	case !s.isOwn(r):
		if awsquery.IsQuery(r) {
			return "query"
		}
		return "s3"
	case strings.HasPrefix(r.URL.Path, "/idp/"):
		return "idp"
	case strings.HasPrefix(r.URL.Path, "/_inkan/"):
		return "admin"
	case strings.HasPrefix(r.URL.Path, "/console"):
		return "console"
	}
	return "internal"
}

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (w *statusWriter) WriteHeader(code int) {
	// An interim 1xx (100 Continue for an empty body) is not the response's status.
	if !w.wrote && code >= 200 {
		w.status, w.wrote = code, true
	}
	w.ResponseWriter.WriteHeader(code)
}

// ReadFrom keeps sendfile for object bodies: it hands the copy to the connection's writer.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	n, err := io.Copy(w.ResponseWriter, r)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.status, w.wrote = http.StatusOK, true
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushes, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
