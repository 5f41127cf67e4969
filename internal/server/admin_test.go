package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/server"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// downAuth fails every check as the domain does when its store is down, with the store's
// own text in the error.
type downAuth struct{}

const storeText = "store: dial tcp 10.1.2.3:5432: password authentication failed for user inkan"

func (downAuth) Authenticate(context.Context, string, string) (*iam.Principal, string, error) {
	return nil, "", &iam.Error{Kind: iam.KindUnavailable, Message: storeText}
}
func (downAuth) Authorize(context.Context, *iam.Principal, *iam.AccessRequest) error { return nil }
func (downAuth) RotateSealingKeys(context.Context) error                             { return nil }

type noDecisions struct{}

func (noDecisions) Find(context.Context, string) (*audit.Record, error) {
	return nil, audit.ErrNotFound
}

// An admin request whose credentials cannot be checked is a retryable 503 that says nothing
// of the server's failure, not a 403 quoting it.
func TestAnAdminCallerIsNeverShownTheServersOwnFailure(t *testing.T) {
	h := server.NewAdmin(downAuth{}, noDecisions{}, "us-east-1")
	r := httptest.NewRequest(http.MethodGet, "http://inkan.test/_inkan/v1/decisions/X", nil)
	if err := sigv4.Sign(r, sigv4.Credentials{AccessKeyID: "AKIAEXAMPLE000000000", SecretAccessKey: "s"},
		"us-east-1", server.AdminService, sigv4.EmptyPayloadHash, time.Now()); err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	body, _ := io.ReadAll(w.Result().Body)
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(string(body), "ServiceUnavailable") {
		t.Fatalf("a store outage answers %d: %s", w.Code, body)
	}
	for _, leak := range []string{"10.1.2.3", "password", "store:"} {
		if strings.Contains(string(body), leak) {
			t.Fatalf("the answer quotes the server's failure (%q): %s", leak, body)
		}
	}
}
