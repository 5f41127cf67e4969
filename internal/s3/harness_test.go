package s3_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/localfs"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/reqid"
	"github.com/inkan-dev/inkan/internal/s3"
	"github.com/inkan-dev/inkan/internal/sse"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

const (
	account    = "123456789012"
	rootKey    = "AKIAINKANTESTROOT01"
	rootSecret = "inkan-test-root-secret-0123456789abcdef"
	region     = "us-east-1"
)

// clock is the test's time: real time plus an offset the test moves.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// env is an S3 endpoint over real parts: the local-disk backend on a temporary
// directory, the iam domain on a temporary SQLite store, an audit log, and an httptest
// server (plain HTTP, or TLS where a test needs what SDKs send over HTTPS).
type env struct {
	t        testing.TB
	ctx      context.Context
	clock    *clock
	store    *sqlstore.Store
	svc      *iam.Service
	backend  *localfs.Backend
	dir      string // the temporary directory holding the store and the objects
	auditDir string
	audit    *audit.Log
	server   *httptest.Server
	handler  *s3.Handler

	mu   sync.Mutex
	seen []string // "PUT x-amz-content-sha256-value" of every request, for tests of what clients sent
}

// payloadModes returns the x-amz-content-sha256 values of the requests so far.
func (e *env) payloadModes() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.seen...)
}

type envOptions struct {
	tls    bool
	domain string
	// anyRegion leaves the region unpinned (Options.Region "").
	anyRegion bool
	// auditAllow is Options.AuditAllow.
	auditAllow func() bool
	// shared sends the records to the decision log in the store too, as inkan serve does.
	shared bool
	// wrap, when set, wraps the backend the handler uses (fault injection).
	wrap func(objstore.Backend) objstore.Backend
	// explain, logger and observer are the handler's Options.
	explain  bool
	logger   *slog.Logger
	observer s3.Observer
	// plaintext turns the operator's default encryption off (objects.encrypt_at_rest
	// false); the keyring stays, as in inkan serve.
	plaintext bool
}

func newEnv(t testing.TB, opts ...envOptions) *env {
	t.Helper()
	var o envOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	ctx := context.Background()
	dir := t.TempDir()
	e := &env{t: t, ctx: ctx, clock: &clock{}, dir: dir}
	var err error
	if e.store, err = sqlstore.Open(ctx, filepath.Join(dir, "inkan.db")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.store.Close() })
	if e.backend, err = localfs.Open(ctx, filepath.Join(dir, "objects"), localfs.Options{Now: e.clock.Now, SweepInterval: -1}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.backend.Close() })
	e.svc, err = iam.New(ctx, iam.Options{Store: e.store, Verifier: oidc.NewVerifier(oidc.Options{}), Account: account,
		RootAccessKeyID: rootKey, RootSecretAccessKey: rootSecret, Now: e.clock.Now, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	e.auditDir = filepath.Join(dir, "audit")
	if e.audit, err = audit.Open(e.auditDir, 1<<20, 2, e.clock.Now); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.audit.Close() })
	pinned := region
	if o.anyRegion {
		pinned = ""
	}
	var recorder s3.Recorder = e.audit
	if o.shared {
		w := decisionlog.NewWriter(e.store, decisionlog.Options{})
		t.Cleanup(func() { w.Close() })
		recorder = decisionlog.NewTrail(e.audit, w)
	}
	keys, err := sse.Open(ctx, sse.Options{Blobs: e.store})
	if err != nil {
		t.Fatal(err)
	}
	var backend objstore.Backend = e.backend
	if o.wrap != nil {
		backend = o.wrap(backend)
	}
	e.handler = s3.New(s3.Options{Backend: backend, Auth: e.svc, Policies: iam.NewBucketPolicyCache(e.svc), Audit: recorder,
		AuditAllow: o.auditAllow, Region: pinned, Domain: o.domain, Now: e.clock.Now,
		Explain: o.explain, Logger: o.logger, Observer: o.observer, Keys: keys, EncryptByDefault: !o.plaintext, BackendName: "local"})
	withID := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.seen = append(e.seen, r.Method+" "+r.Header.Get("X-Amz-Content-Sha256"))
		e.mu.Unlock()
		e.handler.ServeHTTP(w, r.WithContext(reqid.With(r.Context(), reqid.New())))
	})
	if o.tls {
		e.server = httptest.NewTLSServer(withID)
	} else {
		e.server = httptest.NewServer(withID)
	}
	t.Cleanup(e.server.Close)
	return e
}

// role creates a role that root may assume, with the given inline identity policies.
func (e *env) role(name string, policies ...string) {
	e.t.Helper()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account +
		`:root"},"Action":"sts:AssumeRole"}]}`
	r := store.Role{ID: "AROA" + strings.ToUpper(strings.Repeat(name, 16))[:16], Name: name, Path: "/",
		ARN: "arn:aws:iam::" + account + ":role/" + name, TrustPolicy: trust, MaxSessionDuration: 3600, CreateDate: e.clock.Now()}
	if err := e.store.CreateRole(e.ctx, r); err != nil {
		e.t.Fatal(err)
	}
	for i, doc := range policies {
		p := store.RolePolicy{RoleName: name, Name: "p" + string(rune('0'+i)), Document: doc}
		if err := e.store.PutRolePolicy(e.ctx, p, nil); err != nil {
			e.t.Fatal(err)
		}
	}
	if err := e.svc.Reload(e.ctx); err != nil {
		e.t.Fatal(err)
	}
}

// session assumes the role as root: real temporary credentials, as STS would issue them.
func (e *env) session(roleName string, duration time.Duration) aws.Credentials {
	e.t.Helper()
	return e.assume(roleName, duration, "")
}

// sessionWithPolicy is a session of roleName narrowed by the session policy doc.
func (e *env) sessionWithPolicy(roleName, doc string) aws.Credentials {
	e.t.Helper()
	return e.assume(roleName, 0, doc)
}

func (e *env) assume(roleName string, duration time.Duration, policy string) aws.Credentials {
	e.t.Helper()
	root, _, err := e.svc.Authenticate(e.ctx, rootKey, "")
	if err != nil {
		e.t.Fatal(err)
	}
	out, err := e.svc.AssumeRole(e.ctx, root, &iam.AssumeRoleInput{SessionInput: iam.SessionInput{
		RoleARN: "arn:aws:iam::" + account + ":role/" + roleName, SessionName: "test-session", Duration: duration, Policy: policy}})
	if err != nil {
		e.t.Fatal(err)
	}
	c := out.Credentials
	return aws.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
}

func rootCredentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSecret}
}

// client is the real aws-sdk-go-v2 S3 client against the endpoint, path-style.
func (e *env) client(creds aws.Credentials, opts ...func(*s3sdk.Options)) *s3sdk.Client {
	return s3sdk.New(s3sdk.Options{
		BaseEndpoint:     aws.String(e.server.URL),
		UsePathStyle:     true,
		Region:           region,
		Credentials:      credentials.StaticCredentialsProvider{Value: creds},
		HTTPClient:       e.server.Client(),
		RetryMaxAttempts: 1,
	}, opts...)
}

func staticCredentials(c aws.Credentials) aws.CredentialsProvider {
	return credentials.StaticCredentialsProvider{Value: c}
}

// bucket creates a bucket as root.
func (e *env) bucket(name string) {
	e.t.Helper()
	if _, err := e.client(rootCredentials()).CreateBucket(e.ctx, &s3sdk.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		e.t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

// body wraps data the way the SDK streams it: over TLS an unseekable reader, which the SDK
// sends as aws-chunked with a trailing checksum; over plain HTTP a seekable one, which it
// hashes and sends whole (it cannot stream without TLS).
func (e *env) body(data []byte) io.Reader {
	if e.server.TLS != nil {
		return io.NopCloser(bytes.NewReader(data))
	}
	return bytes.NewReader(data)
}

// auditRecords returns every audit record written so far.
func (e *env) auditRecords() []audit.Record {
	e.t.Helper()
	if err := e.audit.Flush(); err != nil {
		e.t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(e.auditDir, "audit.log"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer f.Close()
	var out []audit.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r audit.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// requireCode fails unless err is an S3 error with this code and HTTP status.
func requireCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("succeeded; want %s (%d)", code, status)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v carries no S3 error code; want %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code %s (%v), want %s", ae.ErrorCode(), err, code)
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) && re.HTTPStatusCode() != status {
		t.Fatalf("status %d, want %d for %s", re.HTTPStatusCode(), status, code)
	}
}

// requireStatus fails unless err is an HTTP response error with this status (HEAD
// responses carry no error document, so only the status is known).
func requireStatus(t *testing.T, err error, status int) {
	t.Helper()
	var re *awshttp.ResponseError
	if !errors.As(err, &re) {
		t.Fatalf("error %v is not an HTTP response error; want status %d", err, status)
	}
	if re.HTTPStatusCode() != status {
		t.Fatalf("status %d, want %d (%v)", re.HTTPStatusCode(), status, err)
	}
}
