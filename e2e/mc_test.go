package e2e

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/testsupport/s3server"
)

// mc runs MinIO's client (built at a pinned version by .ci/s3-servers) against srv with the
// credentials in env (a session of inkan's STS: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN) under the alias "inkan", and returns its combined output. Without the
// binary the test skips, or fails with CI set.
func mc(t *testing.T, srv *testServer, env map[string]string, args ...string) (string, error) {
	t.Helper()
	bin, err := s3server.Binary("mc")
	if err != nil {
		s3server.Missing(t, err)
	}
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// MC_HOST_<alias> carries the session: scheme://key:secret:token@host, read by a
	// regular expression, not unescaped.
	host := u.Scheme + "://" + env["AWS_ACCESS_KEY_ID"] + ":" + env["AWS_SECRET_ACCESS_KEY"] + ":" + env["AWS_SESSION_TOKEN"] + "@" + u.Host
	cmd := exec.Command(bin, append([]string{"--config-dir", t.TempDir(), "--no-color", "--disable-pager"}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "MC_HOST_inkan=" + host}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// noServerFaults fails t when srv answered any S3 request with a 5xx (501 NotImplemented
// included), by its request metrics and its log.
func noServerFaults(t *testing.T, srv *testServer) {
	t.Helper()
	for _, line := range metricLines(t, srv, "inkan_http_requests_total{") {
		if strings.Contains(line, `service="s3"`) && strings.Contains(line, `code="5`) {
			t.Errorf("the server answered S3 requests with a 5xx: %s", line)
		}
	}
	if log := srv.stderr.String(); strings.Contains(log, "not implemented") || strings.Contains(log, "s3 request failed") {
		t.Errorf("the server logged a NotImplemented or a failure:\n%s", log)
	}
}

// TestMcStatCopyAndTagsMeetNo5xx is issue 13's mc acceptance: with temporary credentials
// from inkan's STS, mc stats a bucket (which reads its location, versioning, encryption,
// object lock, lifecycle, replication, policy, tags and notifications) and an object, copies
// up and down, and sets and lists an object's tags, without a single 5xx.
func TestMcStatCopyAndTagsMeetNo5xx(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		createBuckets(t, srv, "mc-demo")
		env := sessionEnv(t, srv, "mc-user", policyDoc(`{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::mc-demo","arn:aws:s3:::mc-demo/*"]}`,
			`{"Effect":"Allow","Action":["s3:ListAllMyBuckets","s3:GetBucketLocation"],"Resource":"*"}`))
		src := writeTemp(t, "h.txt", "hello mc\n")
		down := filepath.Join(t.TempDir(), "down.txt")
		run := func(args ...string) string {
			t.Helper()
			out, err := mc(t, srv, env, args...)
			if err != nil {
				t.Fatalf("mc %s: %v\n%s\nserver log:\n%s", strings.Join(args, " "), err, out, srv.stderr.String())
			}
			return out
		}
		run("cp", src, "inkan/mc-demo/h.txt")
		if out := run("stat", "inkan/mc-demo"); !strings.Contains(out, "mc-demo") {
			t.Errorf("mc stat of the bucket printed:\n%s", out)
		}
		if out := run("stat", "inkan/mc-demo/h.txt"); !strings.Contains(out, "h.txt") || !strings.Contains(out, "9 B") && !strings.Contains(out, "9B") {
			t.Errorf("mc stat of the object printed:\n%s", out)
		}
		run("tag", "set", "inkan/mc-demo/h.txt", "team=storage&stage=ci")
		out := run("--json", "tag", "list", "inkan/mc-demo/h.txt")
		var listed struct {
			Tagset map[string]string `json:"tagset"`
		}
		if err := json.Unmarshal(bytes.TrimSpace([]byte(out)), &listed); err != nil || listed.Tagset["team"] != "storage" || listed.Tagset["stage"] != "ci" {
			t.Errorf("mc tag list printed %s (%v)", out, err)
		}
		run("cp", "inkan/mc-demo/h.txt", down)
		if got, err := os.ReadFile(down); err != nil || string(got) != "hello mc\n" {
			t.Errorf("mc cp down: %q, %v", got, err)
		}
		run("tag", "remove", "inkan/mc-demo/h.txt")
		noServerFaults(t, srv)
	})
}
