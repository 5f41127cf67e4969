package server_test

import (
	"context"
	"crypto/rand"
	"errors"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/iamapi"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/server"
	"github.com/inkan-dev/inkan/internal/sigv4"
	"github.com/inkan-dev/inkan/internal/store/decisionlog"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
	"github.com/inkan-dev/inkan/internal/sts"
)

const (
	rootKey    = "AKIASHAREDROOT000000"
	rootSecret = "shared-root-secret-00000000000000000000"
)

// node is one inkan server as inkan serve assembles its query services and admin API: its
// own store handle on the shared database file, its own audit directory, the trail.
type node struct {
	iam      *iam.Service
	auditDir string
	server   *httptest.Server
}

func startNode(t *testing.T, dbPath string) *node {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dbPath)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := iam.New(ctx, iam.Options{Store: st, Verifier: oidc.NewVerifier(oidc.Options{}), Account: "000000000000",
		RootAccessKeyID: rootKey, RootSecretAccessKey: rootSecret, Rand: rand.Reader})
	if err != nil {
		t.Fatal(err)
	}
	n := &node{iam: svc, auditDir: filepath.Join(t.TempDir(), "audit")}
	file, err := audit.Open(n.auditDir, 1<<20, 2, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { file.Close() })
	writer := decisionlog.NewWriter(st, decisionlog.Options{})
	t.Cleanup(func() { writer.Close() }) // before the store closes: cleanups run last first
	trail := decisionlog.NewTrail(file, writer)
	n.server = httptest.NewServer(server.New(server.Options{
		Query: []awsquery.Service{sts.Service(svc, sts.Options{Audit: trail}), iamapi.Service(svc)},
		Auth:  svc, Admin: server.NewAdmin(svc, trail, ""), Audit: trail,
	}))
	t.Cleanup(n.server.Close)
	return n
}

func (n *node) client() *awsclient.Client {
	return &awsclient.Client{Endpoint: n.server.URL, Region: "us-east-1", Creds: sigv4.Credentials{AccessKeyID: rootKey, SecretAccessKey: rootSecret}}
}

func TestADecisionMadeOnOneNodeIsExplainedThroughAnother(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "inkan.db")
	a, b := startNode(t, db), startNode(t, db)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:role/other"},"Action":"sts:AssumeRole"}]}`
	if _, err := a.iam.CreateRole(ctx, &iam.CreateRoleInput{Name: "deploy", TrustPolicy: trust}); err != nil {
		t.Fatal(err)
	}
	_, err := a.client().AssumeRole(ctx, awsclient.AssumeRoleInput{RoleArn: "arn:aws:iam::000000000000:role/deploy", RoleSessionName: "s"})
	var refused *awsclient.Error
	if !errors.As(err, &refused) || refused.RequestID == "" {
		t.Fatalf("AssumeRole through node A: %v, want a refusal with a request id", err)
	}
	id := refused.RequestID
	if _, err := a.client().Decision(ctx, id); err != nil {
		t.Fatalf("node A does not find the decision it just made: %v", err)
	}

	// Through B's admin API (inkan explain) once A's writer has written its batch, within
	// its 200 ms delay: B's own audit file never saw the decision.
	var rec *awsclient.Decision
	for deadline := time.Now().Add(2 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if rec, err = b.client().Decision(ctx, id); err == nil || time.Now().After(deadline) {
			break
		}
	}
	if err != nil {
		t.Fatalf("explaining %s through node B: %v", id, err)
	}
	if rec.RequestID != id || rec.Action != "sts:AssumeRole" || rec.Outcome == "allow" || rec.Reason == "" {
		t.Fatalf("node B's record: %+v", rec)
	}
	if _, err := audit.FindIn(b.auditDir, id); !errors.Is(err, audit.ErrNotFound) {
		t.Fatalf("node B's audit file: %v; the record should come from the store", err)
	}

	// And through B's STS DecodeAuthorizationMessage.
	var out struct{ DecodedMessage string }
	if _, err := b.client().Query(ctx, "sts", "DecodeAuthorizationMessage", url.Values{"EncodedMessage": {id}}, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.DecodedMessage, `"request_id":"`+id+`"`) || !strings.Contains(out.DecodedMessage, rec.Reason) {
		t.Fatalf("decoded message %s", out.DecodedMessage)
	}

	// A request id nobody recorded is still a clean 404.
	_, err = b.client().Decision(ctx, "00000000-0000-0000-0000-000000000000")
	if !errors.As(err, &refused) || refused.Status != 404 {
		t.Fatalf("an unknown id: %v", err)
	}
}
