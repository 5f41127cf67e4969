package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"embed"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/reqid"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
)

//go:embed all:templates static
var files embed.FS

// Domain is what the console asks of inkan's domain; *iam.Service is one. The console
// changes roles only through these calls, the ones the IAM API makes.
type Domain interface {
	// Authenticate resolves an access key as the query and S3 APIs do.
	Authenticate(ctx context.Context, accessKeyID, securityToken string) (*iam.Principal, string, error)
	Account() string
	ListRoles(ctx context.Context, pathPrefix string) ([]store.Role, error)
	GetRole(ctx context.Context, name string) (store.Role, error)
	ListRolePolicies(ctx context.Context, roleName string) ([]string, error)
	GetRolePolicy(ctx context.Context, roleName, policyName string) (store.RolePolicy, error)
	ListAttachedRolePolicies(ctx context.Context, roleName, pathPrefix string) ([]store.ManagedPolicy, error)
	GetPolicy(ctx context.Context, arn string) (store.ManagedPolicy, error)
	// TrustLintOptions are the linter's options for trust policies, as the domain lints them.
	TrustLintOptions() policy.LintOptions
	UpdateAssumeRolePolicy(ctx context.Context, name, doc string) error
	RevokeRoleSessions(ctx context.Context, name string) (time.Time, error)
	ListOpenIDConnectProviders(ctx context.Context) ([]store.Provider, error)
	// SealingKeyCreated is when the active session-sealing key was made.
	SealingKeyCreated(ctx context.Context) (time.Time, error)
	// ProviderKeys is what the token verifier knows of an issuer's keys.
	ProviderKeys(url string) (oidc.IssuerStatus, bool)
	// GetBucketPolicy returns the bucket's policy; KindNoSuchEntity when it has none.
	GetBucketPolicy(ctx context.Context, bucket string) (string, error)
	// BucketSetting returns the bucket's setting name (its lifecycle configuration); ok is
	// false when none is set.
	BucketSetting(bucket, name string) (doc string, ok bool)
}

// Decisions is the decision log as the console reads it; *decisionlog.Trail is one.
type Decisions interface {
	// Find returns the newest record with the request id; an error wrapping
	// audit.ErrNotFound when none is recorded.
	Find(ctx context.Context, requestID string) (*audit.Record, error)
	// List returns the records f selects, newest first.
	List(ctx context.Context, f store.DecisionFilter) ([]decisionlog.Listed, error)
}

// Recorder receives the decision records of the console's changes, as the IAM API's are
// recorded; *decisionlog.Trail is one.
type Recorder interface {
	Append(rec *audit.Record) error
}

// Options are what the console is built from.
type Options struct {
	Domain    Domain
	Decisions Decisions
	Audit     Recorder
	// Objects is the object backend the Buckets page lists; nil hides the page.
	Objects Objects
	// Counts is this node's tally of the last hour's decisions (the overview's figures);
	// nil counts them from the decision log instead.
	Counts Counts
	// PublicURL is how browsers reach this server (downloads are presigned for it), and
	// Region the region they are signed for ("" means us-east-1).
	PublicURL, Region string
	// Secure marks the session cookie Secure (the server speaks TLS); it is also
	// aws:SecureTransport in simulations and replays.
	Secure bool
	// DevIssuer is the test identity provider's issuer URL (--dev), offered first by the
	// simulator's job form; "" when it does not run.
	DevIssuer string
	Logger    *slog.Logger
	Now       func() time.Time
	Rand      io.Reader
}

// Counts tallies the decisions this node made in the last hour (*server.Metrics).
type Counts interface {
	DecisionsLastHour() (exchanges, denials, errors int)
}

// Console is the console's HTTP handler, mounted at /console/.
type Console struct {
	o     Options
	mux   *http.ServeMux
	pages map[string]*template.Template
	seal  *sealer
	limit *limiter
}

// signinAttempts is how many sign-in attempts one address may make a minute.
const signinAttempts = 5

// New builds the console.
func New(o Options) (*Console, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Rand == nil {
		o.Rand = rand.Reader
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	s, err := newSealer(o.Rand)
	if err != nil {
		return nil, err
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	c := &Console{o: o, mux: http.NewServeMux(), pages: pages, seal: s, limit: newLimiter(signinAttempts, time.Minute)}
	c.routes()
	return c, nil
}

// routes lists every page of the console.
func (c *Console) routes() {
	static, _ := fs.Sub(files, "static")
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	c.mux.HandleFunc("GET /console/signin", c.signinPage)
	c.mux.HandleFunc("POST /console/signin", c.signin)
	c.mux.HandleFunc("POST /console/signout", c.authed(c.signout))
	c.mux.HandleFunc("GET /console/{$}", c.authed(c.overview))
	c.mux.HandleFunc("GET /console/decisions", c.authed(c.decisions))
	c.mux.HandleFunc("GET /console/decisions/{id}", c.authed(c.decision))
	c.mux.HandleFunc("GET /console/roles", c.authed(c.roles))
	c.mux.HandleFunc("GET /console/roles/{name}", c.authed(c.role))
	c.mux.HandleFunc("POST /console/roles/{name}/trust", c.authed(c.editTrust))
	c.mux.HandleFunc("POST /console/roles/{name}/revoke", c.authed(c.revoke))
	c.mux.HandleFunc("GET /console/simulate", c.authed(c.simulatePage))
	c.mux.HandleFunc("POST /console/simulate", c.authed(c.simulate))
	c.mux.HandleFunc("GET /console/providers", c.authed(c.providers))
	if c.o.Objects != nil {
		c.mux.HandleFunc("GET /console/buckets", c.authed(c.buckets))
		c.mux.HandleFunc("GET /console/buckets/{bucket}", c.authed(c.bucket))
		c.mux.HandleFunc("GET /console/buckets/{bucket}/object", c.authed(c.object))
		c.mux.HandleFunc("GET /console/buckets/{bucket}/download", c.authed(c.download))
	}
	c.mux.HandleFunc("/console/", c.authed(c.notFound))
}

// ServeHTTP sets the headers every answer carries, then routes.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "+
		"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cache-Control", "no-store")
	if r.URL.Path == "/console" {
		http.Redirect(w, r, "/console/", http.StatusMovedPermanently)
		return
	}
	c.mux.ServeHTTP(w, r)
}

// page is what every template receives.
type page struct {
	Title string
	Nav   string
	CSRF  string
	Error string
	// Notice is a message about the last action (saved, revoked).
	Notice string
	Data   any
}

func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := n[len("templates/") : len(n)-len(".html")]
		if base == "layout" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, err
		}
		pages[base] = t
	}
	return pages, nil
}

// render writes a page, buffered so that a template error becomes a clean 500.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	if s, ok := c.session(r); ok && p.CSRF == "" {
		p.CSRF = s.CSRF
	}
	var buf bytes.Buffer
	if err := c.pages[name].Execute(&buf, p); err != nil {
		c.o.Logger.Error("console template", "page", name, "request_id", reqid.From(r.Context()), "err", err)
		http.Error(w, "internal error; request id "+reqid.From(r.Context()), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail answers an unexpected error: logged with the request id, which the page shows.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	id := reqid.From(r.Context())
	c.o.Logger.Error("console", "request_id", id, "path", r.URL.Path, "err", err)
	status := http.StatusInternalServerError
	msg := "Something failed on the server; its log has the details under request id " + id + "."
	if iam.KindOf(err) == iam.KindUnavailable || isUnavailable(err) {
		status, msg = http.StatusServiceUnavailable, "The store is unreachable right now; try again shortly (request id "+id+")."
	}
	c.render(w, r, status, "error", &page{Title: "Error", Error: msg})
}

func (c *Console) notFound(w http.ResponseWriter, r *http.Request, _ sealed) {
	c.render(w, r, http.StatusNotFound, "error", &page{Title: "Not found", Error: "There is no such page in the console."})
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
