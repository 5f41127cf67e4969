package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/reqid"
)

// Authority authenticates callers and decides their requests; *iam.Service is one.
type Authority interface {
	// Authenticate resolves an access key (and session token) to the caller and the secret
	// its signature must verify with. Errors are *iam.Error of KindInvalidClientTokenID or
	// KindExpiredSession.
	Authenticate(ctx context.Context, accessKeyID, securityToken string) (*iam.Principal, string, error)
	// Authorize returns nil when p may perform req, else an *iam.Error of KindAccessDenied
	// carrying the trace. Root may do anything but what a resource policy explicitly denies it.
	Authorize(ctx context.Context, p *iam.Principal, req *iam.AccessRequest) error
	// AuthorizeAnonymous decides an unsigned request: only the resource policy can allow it.
	AuthorizeAnonymous(ctx context.Context, req *iam.AccessRequest) error
	// PutBucketPolicy, GetBucketPolicy and DeleteBucketPolicy manage a bucket's policy
	// document (see iam.Service). GetBucketPolicy answers KindNoSuchEntity when none is set.
	PutBucketPolicy(ctx context.Context, bucket, document string) error
	GetBucketPolicy(ctx context.Context, bucket string) (string, error)
	DeleteBucketPolicy(ctx context.Context, bucket string) error
	// PutBucketSetting, BucketSetting and DeleteBucketSetting keep a bucket's other
	// settings (CORS) as documents the wire layer owns. BucketSetting reads the current
	// configuration snapshot, without a store round trip; ok is false when none is set.
	// Deleting a setting that is not set succeeds.
	PutBucketSetting(ctx context.Context, bucket, name, doc string) error
	BucketSetting(bucket, name string) (doc string, ok bool)
	DeleteBucketSetting(ctx context.Context, bucket, name string) error
	// Account is the account id that owns every bucket.
	Account() string
	// UsesConditionKey reports whether any policy deciding p's requests (nil p: anonymous)
	// under bucketPolicy names a condition key starting with prefix; true when it cannot
	// tell. It spares the object store a read for s3:ExistingObjectTag/<key>.
	UsesConditionKey(p *iam.Principal, bucketPolicy *policy.Policy, prefix string) bool
}

// BucketPolicies serves compiled bucket policies; *iam.BucketPolicyCache is one.
type BucketPolicies interface {
	// BucketPolicy returns the bucket's compiled policy, nil when it has none. An error
	// means the policy could not be read or no longer compiles: the request is refused.
	BucketPolicy(ctx context.Context, bucket string) (*policy.Policy, error)
}

// Options configure a Handler. Backend, Auth and Policies are required.
type Options struct {
	Backend  objstore.Backend
	Auth     Authority
	Policies BucketPolicies
	// Audit receives a record of every denial, and of the allowed requests AuditAllow
	// picks; nil = none.
	Audit Recorder
	// AuditAllow reports, once per allowed request, whether it is recorded too (all,
	// none, or a sample); nil records none. It runs on the request path: it must be quick.
	AuditAllow func() bool
	// Region, when set, is the only region requests may be signed for, and the region of
	// every bucket; "" accepts any region and reports us-east-1.
	Region string
	// Domain, when set, enables virtual-hosted addressing: a request to
	// <bucket>.<Domain> names the bucket in its host. Path-style addressing always works.
	Domain string
	// Explain appends inkan's reason to error messages (--dev).
	Explain bool
	// Now is the clock for signature skew and expiry; nil = time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Observer counts the failures operators act on; nil = none.
	Observer Observer
	// Keys makes and opens the data keys of objects encrypted at rest (sse.go); nil when
	// the backend keeps its own keys (upstream), where encryption requests are refused.
	Keys Keys
	// EncryptByDefault encrypts every new object with SSE-S3 unless SSE-C is asked for, as
	// AWS does since 2023; false encrypts only what a request or a bucket's encryption
	// configuration asks for (objects.encrypt_at_rest).
	EncryptByDefault bool
	// BackendName names the object backend in refusals ("upstream").
	BackendName string
}

// Observer counts failures beyond the request metrics; *server.Metrics is one. Its
// methods run on the request path and must be quick.
type Observer interface {
	// StorageFull counts one request of operation op refused because the object store
	// had no room left (objstore.ErrStorageFull).
	StorageFull(op string)
}

// StatusClientClosed is the status a request the client abandoned is answered and
// recorded with: nginx's 499 "client closed request". No S3 code fits a caller that is
// gone, and a 5xx would blame the server.
const StatusClientClosed = 499

// Handler is the S3 endpoint. Safe for concurrent use.
type Handler struct {
	o      Options
	region string // the region reported for buckets
	owner  owner
	cors   settingCache[[]corsRule]
	// lifecycles caches parsed lifecycle configurations (lifecycle.go).
	lifecycles settingCache[*lifecycle.Configuration]
	// encryptions caches each bucket's parsed default encryption (encryption.go).
	encryptions settingCache[bucketEncryptionState]
}

// New returns the S3 endpoint's handler. Backend, Auth and Policies are required: New
// panics without them, a mistake of the composition root rather than of a request.
func New(o Options) *Handler {
	if o.Backend == nil || o.Auth == nil || o.Policies == nil {
		panic("s3: Options.Backend, Auth and Policies are required")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	region := o.Region
	if region == "" {
		region = "us-east-1"
	}
	sum := sha256.Sum256([]byte("inkan-canonical-user:" + o.Auth.Account()))
	return &Handler{o: o, region: region, owner: owner{ID: hex.EncodeToString(sum[:]), DisplayName: o.Auth.Account()}}
}

// ServeHTTP serves one S3 request: authenticate, route, authorize, run, render. Every
// failure is answered with S3's error document and every denial is audited.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c := h.newCall(w, r)
	continueEmptyBody(w, r)
	if err := h.serve(c); err != nil {
		h.fail(c, err)
	}
}

func (h *Handler) serve(c *call) error {
	if c.r.Method == http.MethodOptions {
		return h.preflight(c)
	}
	h.corsActual(c)
	// Routing first tells the audit record of a refused caller what was attempted; a routing
	// error is still answered only to an authenticated (or anonymous) caller.
	op, routeErr := route(c)
	c.op = op
	if err := h.authenticate(c); err != nil {
		return err
	}
	if routeErr != nil {
		return routeErr
	}
	if err := c.checkBucketName(); err != nil {
		return err
	}
	if err := c.checkNames(); err != nil {
		return err
	}
	if op.action != "" {
		keys, err := h.conditionKeys(c, op)
		if err != nil {
			return err
		}
		action, keys := c.versioned(op.action, keys)
		if err := h.authorize(c, action, c.bucket, c.key, keys); err != nil {
			return err
		}
		h.sampleAllow(c, action)
	}
	return op.run(h, c)
}

// newCall addresses the request: request id, bucket and key, from the host
// (virtual-hosted) or the path.
func (h *Handler) newCall(w http.ResponseWriter, r *http.Request) *call {
	id := reqid.From(r.Context())
	if id == "" {
		id = reqid.New()
	}
	c := &call{w: w, r: r, ctx: r.Context(), requestID: id, hostID: hostIDOf(id), query: r.URL.Query()}
	c.uploadEncryption = func() objstore.Encryption { return h.uploadEncryption(c) }
	hdr := w.Header()
	hdr.Set("x-amz-request-id", id)
	hdr.Set("x-amz-id-2", c.hostID)
	path := strings.TrimPrefix(r.URL.Path, "/")
	if b, ok := h.virtualBucket(r.Host); ok {
		c.bucket, c.key = b, path
		return c
	}
	c.bucket, c.key, _ = strings.Cut(path, "/")
	return c
}

// virtualBucket returns the bucket a virtual-hosted request names in its host.
func (h *Handler) virtualBucket(host string) (string, bool) {
	if h.o.Domain == "" {
		return "", false
	}
	if i := strings.LastIndexByte(host, ':'); i >= 0 && !strings.Contains(host[i:], "]") {
		host = host[:i]
	}
	b, ok := strings.CutSuffix(strings.ToLower(host), "."+strings.ToLower(h.o.Domain))
	return b, ok && b != ""
}

// continueEmptyBody answers "Expect: 100-continue" on a request without a body with an
// interim 100 Continue. Go's server sends one only when a handler reads a non-empty body;
// botocore, which sends empty files with the expectation, then reads the final response
// as the answer to its wait and poisons the pooled connection, stalling the next upload for
// 60 s (boto/botocore#3755, golang/go#16799).
func continueEmptyBody(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength == 0 && r.ProtoMajor == 1 && r.ProtoMinor >= 1 &&
		strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		w.WriteHeader(http.StatusContinue)
	}
}

// fail renders err and audits it when it is a denial.
func (h *Handler) fail(c *call, err error) {
	e := s3Error(err)
	switch {
	case e.Status == http.StatusNotImplemented:
		// A client asking for a feature inkan lacks is not a server fault.
		h.o.Logger.Info("s3 feature not implemented", "request_id", c.requestID, "method", c.r.Method, "path", c.r.URL.Path, "reason", e.Reason)
	case iam.KindOf(err) == iam.KindUnavailable:
		// The store is unreachable: the refresh loop logs that once a minute, not per request.
	case c.r.Context().Err() != nil && (errors.Is(err, context.Canceled) || e.Status >= 500):
		// The client went away (a closed or half-closed connection, a load tool's
		// deadline) and the operation stopped with it: no server fault. Whatever it
		// committed is committed whole; a bare 499 tells a half-closed client it was not
		// answered, and the request metrics count it as canceled (server.Metrics).
		h.o.Logger.Debug("s3 request abandoned by the client", "request_id", c.requestID, "op", c.opName(), "err", err)
		c.w.WriteHeader(StatusClientClosed)
		return
	case errors.Is(err, objstore.ErrStorageFull):
		h.o.Logger.Error("s3 request refused: the object store is full", "request_id", c.requestID, "op", c.opName(), "err", err)
		if h.o.Observer != nil {
			h.o.Observer.StorageFull(c.opName())
		}
	case e.Status >= 500:
		h.o.Logger.Error("s3 request failed", "request_id", c.requestID, "op", c.opName(), "err", err)
	}
	if isDenial(e) {
		h.audit(c, e)
		copied := *e
		copied.Message += reqid.DenialHint(c.requestID, h.o.Explain)
		e = &copied
	}
	writeError(c.w, c.r, e, c.requestID, c.hostID, h.o.Explain)
}
