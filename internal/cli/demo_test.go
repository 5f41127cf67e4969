package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// testServer is inkan serving --dev in-process for one test, with a root client.
type testServer struct {
	*demoServer
	root *awsclient.Client
}

// startTestServer starts inkan --dev on a free port (the demo's own starter) and stops
// it when the test ends.
func startTestServer(t *testing.T) *testServer {
	t.Helper()
	srv, err := startDemoServer(context.Background(), filepath.Join(t.TempDir(), "data"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.stop(); err != nil {
			t.Errorf("stopping inkan: %v", err)
		}
	})
	root, err := readRootCredentials(srv.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{demoServer: srv, root: &awsclient.Client{Endpoint: srv.url,
		Creds: sigv4.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: root.SecretAccessKey}}}
}

// createSeedRole creates the seed's role and bucket and returns the role ARN.
func (s *testServer) createSeedRole(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	prefix := strings.TrimPrefix(s.url, "http://") + "/idp"
	trust := demoTrustPolicy("arn:aws:iam::000000000000:oidc-provider/"+prefix, prefix)
	role, err := s.root.CreateRole(ctx, awsclient.CreateRoleInput{RoleName: demoRole, AssumeRolePolicyDocument: trust})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.root.PutRolePolicy(ctx, demoRole, "deploy-site", demoPermissionPolicy()); err != nil {
		t.Fatal(err)
	}
	if err := s.root.CreateBucket(ctx, demoBucket); err != nil {
		t.Fatal(err)
	}
	return role.Arn
}

// run runs inkan in-process and returns its exit status, standard output and error.
func run(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Main(context.Background(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &stdout, Stderr: &stderr,
		Getenv: func(k string) string { return env[k] }})
	return code, stdout.String(), stderr.String()
}

// leakPatterns match what must never be printed by the demo: a JWT, and a whole
// temporary or long-term access key id.
func leakPatterns() []*regexp.Regexp {
	return []*regexp.Regexp{regexp.MustCompile(`eyJ[\w-]+\.[\w-]+\.`), regexp.MustCompile(`\b(ASIA|AKIA)[A-Z0-9]{8,}`)}
}

func TestTheDemoRunsTheWholeWorkflowMasksSecretsAndCleansUp(t *testing.T) {
	code, out, errOut := run(t, nil, "", "demo")
	if code != 0 {
		t.Fatalf("demo exited %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"client id (audience) sts.amazonaws.com",
		`"repo:acme/app:*"`,
		"sub          repo:acme/app:ref:refs/heads/deploy",
		"AssumedRoleUser arn:aws:sts::000000000000:assumed-role/deploy/GitHubActions",
		"Arn arn:aws:sts::000000000000:assumed-role/deploy/GitHubActions",
		"skip README.md (outside src/)",
		"src/css/site.css      34 bytes",
		"exactly the src/ files, nothing else",
		"sub          repo:evil/app:ref:refs/heads/main",
		"← AccessDenied (HTTP 403)",
		`reason: 127.0.0.1:`,
		`sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"]`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the narrative lacks %q", want)
		}
	}
	for _, p := range leakPatterns() {
		if m := p.FindString(out + errOut); m != "" {
			t.Errorf("the demo printed a secret: %q", m)
		}
	}
	dir := regexp.MustCompile(`offline, in (\S+)\n`).FindStringSubmatch(out)
	if dir == nil {
		t.Fatalf("no temporary directory named in\n%s", out)
	}
	if _, err := os.Stat(dir[1]); !os.IsNotExist(err) {
		t.Fatalf("%s was not removed: %v", dir[1], err)
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

func TestTheDemoKeepsItsDirectoryWhenAsked(t *testing.T) {
	code, out, errOut := run(t, nil, "", "demo", "--keep")
	if code != 0 {
		t.Fatalf("demo exited %d\n%s", code, errOut)
	}
	dir := regexp.MustCompile(`Kept (\S+) `).FindStringSubmatch(out)
	if dir == nil {
		t.Fatalf("no kept directory in\n%s", out)
	}
	defer os.RemoveAll(dir[1])
	data, err := os.ReadFile(filepath.Join(dir[1], "workspace", "src", "app.js"))
	if err != nil || !strings.Contains(string(data), "deployed by inkan demo") {
		t.Fatalf("workspace: %q, %v", data, err)
	}
}

func TestTheDemoRefusesArguments(t *testing.T) {
	if code, _, _ := run(t, nil, "", "demo", "extra"); code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
}
