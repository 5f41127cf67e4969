package e2e

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/testsupport/inkantest"
)

// Root credentials every test server runs with.
const (
	rootAccessKeyID = "AKIAINKANTESTROOT000"
	rootSecretKey   = "inkan-test-root-secret-key-0000000000000"
	testAccount     = "000000000000"
)

// testServer is an inkan server started in-process through `inkan serve`.
type testServer struct {
	URL     string
	DataDir string
	// Stderr collects the server's logs.
	stderr *lockedBuffer
	stop   func()
}

// Stop stops the server and waits for it; the test's cleanup does it otherwise.
func (s *testServer) Stop() { s.stop() }

// lockedBuffer collects output written concurrently.
type lockedBuffer = inkantest.Buffer

// startServer runs `inkan serve --dev --addr 127.0.0.1:0` with extra arguments on a fresh data
// directory (or the one given with --data-dir in args) and stops it when the test ends.
func startServer(t testing.TB, args ...string) *testServer {
	t.Helper()
	return startServerEnv(t, nil, args...)
}

// startServerEnv is startServer with extra environment variables for the server.
func startServerEnv(t testing.TB, extraEnv map[string]string, args ...string) *testServer {
	t.Helper()
	env := map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY": rootSecretKey}
	maps.Copy(env, extraEnv)
	s := inkantest.Start(t, env, args...)
	return &testServer{URL: s.URL, DataDir: s.DataDir, stderr: s.Logs, stop: s.Stop}
}

// awsCLI returns the path of Debian's AWS CLI v2. A test that needs it fails when CI is set
// and the binary is missing, and skips otherwise.
func awsCLI(t testing.TB) string {
	t.Helper()
	const path = "/usr/bin/aws"
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI (apt-get install awscli): %v", path, err)
		}
		t.Skipf("%s is not installed (apt-get install awscli)", path)
	}
	return path
}

// runAWS runs the AWS CLI with a clean environment holding only env, and returns its
// standard output and standard error.
func runAWS(t testing.TB, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	cmd := awsCommand(context.Background(), t, env, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// awsCommand is the AWS CLI with args and a clean environment holding only env (no
// configuration files, no instance metadata), killed when ctx ends.
func awsCommand(ctx context.Context, t testing.TB, env map[string]string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.CommandContext(ctx, awsCLI(t), args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_PAGER=", "AWS_DEFAULT_OUTPUT=json",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd
}

// rootEnv is the AWS CLI environment of the root administrator.
func rootEnv() map[string]string {
	return map[string]string{"AWS_ACCESS_KEY_ID": rootAccessKeyID, "AWS_SECRET_ACCESS_KEY": rootSecretKey, "AWS_DEFAULT_REGION": "ap-northeast-1"}
}
