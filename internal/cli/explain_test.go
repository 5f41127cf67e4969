package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/policy"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// deniedRecord is the audit record of the seed's trust policy refusing evil/app.
func deniedRecord(t *testing.T, id string) *audit.Record {
	t.Helper()
	trust, err := policy.Parse([]byte(seedTrust), policy.Trust)
	if err != nil {
		t.Fatal(err)
	}
	keys := policy.Keys{"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
		"token.actions.githubusercontent.com:sub": {"repo:evil/app:ref:refs/heads/main"}}
	_, tr := policy.Explain(&policy.Request{Principal: policy.Principal{Type: "Federated", IDs: []string{ghProviderARN}, Account: "123456789012"},
		Action: "sts:AssumeRoleWithWebIdentity", Resource: "arn:aws:iam::123456789012:role/deploy", Context: keys}, &policy.Set{Resource: trust})
	raw, err := json.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	return &audit.Record{Time: time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC), RequestID: id, Service: "sts",
		Action: "sts:AssumeRoleWithWebIdentity", Role: "arn:aws:iam::123456789012:role/deploy", Outcome: "deny", Code: "AccessDenied",
		Reason: tr.Reason(), Claims: map[string]any{"sub": "repo:evil/app:ref:refs/heads/main"}, Trace: raw}
}

const failingCondition = "failing condition in Statement[0] of the trust policy\n" +
	"  StringLike token.actions.githubusercontent.com:sub\n" +
	`  expected   one of ["repo:acme/app:*"]` + "\n" +
	`  presented  "repo:evil/app:ref:refs/heads/main"`

func TestExplainReadsTheAuditLogOfADataDirectory(t *testing.T) {
	dir := t.TempDir()
	log, err := audit.Open(filepath.Join(dir, "audit"), 1<<20, 2, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"req-1", "req-2"} {
		if err := log.Append(deniedRecord(t, id)); err != nil {
			t.Fatal(err)
		}
	}
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, nil, "", "explain", "--data-dir", dir, "req-2")
	if code != 0 || !strings.Contains(out, failingCondition) || !strings.Contains(out, "request    req-2 at 2026-09-01T12:00:00Z") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, _ = run(t, nil, "", "explain", "req-1", "--data-dir", dir, "--output", "json")
	var rec struct {
		Verdict   string `json:"verdict"`
		RequestID string `json:"request_id"`
	}
	if err := json.Unmarshal([]byte(out), &rec); err != nil || code != 0 || rec.RequestID != "req-1" || !strings.HasPrefix(rec.Verdict, "denied: ") {
		t.Fatalf("json: exit %d %v\n%s", code, err, out)
	}
	code, _, errOut = run(t, nil, "", "explain", "--data-dir", dir, "req-9")
	if code != 1 || !strings.Contains(errOut, `no decision with request id "req-9"`) {
		t.Fatalf("missing id: exit %d %s", code, errOut)
	}
}

// TestExplainFetchesTheRecordFromTheAdminAPISignedForInkan checks the request with the
// server's own SigV4 verifier.
func TestExplainFetchesTheRecordFromTheAdminAPISignedForInkan(t *testing.T) {
	const key, secret = "AKIAEXPLAINTEST00000", "explain-test-secret-key-000000000000000"
	var verified bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, err := sigv4.Parse(r)
		if err == nil && auth.AccessKeyID == key {
			_, err = sigv4.Verify(r, auth, secret, sigv4.Options{Service: "inkan", PayloadHash: sigv4.PayloadHash(nil)})
		}
		switch {
		case err != nil || auth.AccessKeyID != key:
			w.WriteHeader(http.StatusForbidden)
			json.NewEncoder(w).Encode(map[string]string{"code": "AccessDenied", "message": "bad signature"})
		case r.URL.Path == "/_inkan/v1/decisions/req-7":
			verified = true
			json.NewEncoder(w).Encode(deniedRecord(t, "req-7"))
		default:
			w.WriteHeader(http.StatusNotFound)
			json.NewEncoder(w).Encode(map[string]string{"code": "NotFound", "message": "no decision"})
		}
	}))
	defer srv.Close()
	env := map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": key, "INKAN_ROOT_SECRET_ACCESS_KEY": secret, "INKAN_ENDPOINT": srv.URL}
	code, out, errOut := run(t, env, "", "explain", "req-7")
	if code != 0 || !verified || !strings.Contains(out, failingCondition) {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = run(t, env, "", "explain", "req-8")
	if code != 1 || !strings.Contains(errOut, `recorded no decision with request id "req-8"`) {
		t.Fatalf("missing id: exit %d %s", code, errOut)
	}
	dataDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dataDir, rootCredentialsFile), []byte(`{"access_key_id":"`+key+`","secret_access_key":"`+secret+`"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut = run(t, map[string]string{}, "", "explain", "--endpoint", srv.URL, "--data-dir", dataDir, "req-7")
	if code != 0 || !strings.Contains(out, failingCondition) {
		t.Fatalf("credentials from the data directory: exit %d\n%s\n%s", code, out, errOut)
	}
	code, _, errOut = run(t, map[string]string{}, "", "explain", "--endpoint", srv.URL, "--data-dir", t.TempDir(), "req-7")
	if code != 1 || !strings.Contains(errOut, "no credentials") {
		t.Fatalf("no credentials: exit %d %s", code, errOut)
	}
}

func TestExplainRefusesBadInvocations(t *testing.T) {
	for _, args := range [][]string{{"explain"}, {"explain", "a", "b"}, {"explain", "--output", "yaml", "a"}} {
		if code, _, errOut := run(t, nil, "", args...); code != 2 || !strings.Contains(errOut, "usage") {
			t.Errorf("%v: exit %d %s", args, code, errOut)
		}
	}
}

func TestTheVerdictOfARecordIsTheTracesReason(t *testing.T) {
	rec := deniedRecord(t, "x")
	want := `denied: token.actions.githubusercontent.com:sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"] (StringLike, Statement[0])`
	if got := explain.RecordVerdict(rec); got != want {
		t.Fatalf("verdict %q", got)
	}
}
