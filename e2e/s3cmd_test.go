package e2e

import (
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// s3cmd runs Debian's s3cmd against srv with the session in env (AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN; root when env is nil) and returns its combined
// output. A test that needs it fails when CI is set, and is skipped otherwise.
func s3cmd(t *testing.T, srv *testServer, env map[string]string, args ...string) (string, error) {
	t.Helper()
	const path = "/usr/bin/s3cmd"
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI (apt-get install s3cmd): %v", path, err)
		}
		t.Skipf("%s is not installed (apt-get install s3cmd)", path)
	}
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "s3cfg")
	key, secret, token := rootAccessKeyID, rootSecretKey, ""
	if env != nil {
		key, secret, token = env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"]
	}
	conf := "[default]\naccess_key = " + key + "\nsecret_key = " + secret + "\naccess_token = " + token + "\nhost_base = " + u.Host +
		"\nhost_bucket = " + u.Host + "\nuse_https = False\nsignature_v2 = False\nbucket_location = us-east-1\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, append([]string{"-c", cfg}, args...)...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// TestS3cmdInfoAndCopyMeetNo501 runs what s3cmd users run on every backend, with temporary
// credentials from inkan's STS: info of a bucket and of an object (which read the bucket's
// location, payer, lifecycle, policy, CORS and ACL), a copy (which puts the source's ACL on
// the copy) and a download, with no 5xx (501 NotImplemented included) in the server's
// metrics or log.
func TestS3cmdInfoAndCopyMeetNo501(t *testing.T) {
	eachBackend(t, func(t *testing.T, b objectBackend) {
		srv := b.start(t)
		src := writeTemp(t, "h.txt", "hello s3cmd\n")
		if _, err := s3cmd(t, srv, nil, "mb", "s3://s3cmd-demo"); err != nil {
			t.Fatalf("s3cmd mb: %v", err)
		}
		env := sessionEnv(t, srv, "s3cmd-user", policyDoc(`{"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::s3cmd-demo","arn:aws:s3:::s3cmd-demo/*"]}`))
		down := filepath.Join(t.TempDir(), "down.txt")
		for _, args := range [][]string{
			{"put", src, "s3://s3cmd-demo/h.txt"},
			{"info", "s3://s3cmd-demo"},
			{"info", "s3://s3cmd-demo/h.txt"},
			{"cp", "s3://s3cmd-demo/h.txt", "s3://s3cmd-demo/copy.txt"},
			{"get", "s3://s3cmd-demo/copy.txt", down},
			{"ls", "s3://s3cmd-demo"},
		} {
			out, err := s3cmd(t, srv, env, args...)
			if err != nil {
				t.Fatalf("s3cmd %s: %v\n%s\nserver log:\n%s", strings.Join(args, " "), err, out, srv.stderr.String())
			}
			if args[0] == "info" && !strings.Contains(out, "FULL_CONTROL") {
				t.Errorf("s3cmd info %s printed no ACL:\n%s", args[1], out)
			}
			if args[0] == "ls" && !strings.Contains(out, "s3://s3cmd-demo/copy.txt") {
				t.Errorf("s3cmd ls printed:\n%s", out)
			}
		}
		if got, err := os.ReadFile(down); err != nil || string(got) != "hello s3cmd\n" {
			t.Errorf("s3cmd get: %q, %v", got, err)
		}
		noServerFaults(t, srv)
	})
}
