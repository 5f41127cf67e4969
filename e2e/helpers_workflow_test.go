package e2e

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/cli"
)

// The seed's names.
const (
	seedRepo   = "acme/app"
	seedRef    = "refs/heads/deploy"
	seedBucket = "acme-app-site"
)

// seedPermissions lets a session list the seed's bucket and write its objects.
func seedPermissions() map[string]string {
	return map[string]string{"deploy-site": `{"Version":"2012-10-17","Statement":[
  {"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + seedBucket + `"},
  {"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::` + seedBucket + `/*"}]}`}
}

// inkanRun runs the inkan CLI in-process with exactly env as its environment and returns
// its exit status, standard output and standard error.
func inkanRun(t *testing.T, env map[string]string, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb lockedBuffer
	code := cli.Main(context.Background(), args, cli.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errb.String()
}

// mustInkan is inkanRun for a command that must succeed.
func mustInkan(t *testing.T, env map[string]string, args ...string) string {
	t.Helper()
	code, out, errOut := inkanRun(t, env, "", args...)
	if code != 0 {
		t.Fatalf("inkan %s exited %d:\n%s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// readFileCommands reads a $GITHUB_ENV or $GITHUB_OUTPUT file the way the runner does:
// NAME<<DELIMITER blocks (actions/toolkit's form) and NAME=value lines.
func readFileCommands(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		name, delimiter, heredoc := strings.Cut(lines[i], "<<")
		if !heredoc {
			if k, v, ok := strings.Cut(lines[i], "="); ok {
				vars[k] = v
			}
			continue
		}
		var value []string
		for i++; i < len(lines) && lines[i] != delimiter; i++ {
			value = append(value, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("%s: %s has no closing delimiter", path, name)
		}
		vars[name] = strings.Join(value, "\n")
	}
	return vars
}

// checkout writes a job's checkout: a src/ tree to deploy and files that must stay local.
// It returns the directory and the src/ keys, sorted.
func checkout(t *testing.T) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"src/index.html":               "<!doctype html><title>acme/app</title>\n",
		"src/js/app.js":                "console.log('deployed');\n",
		"src/assets/logo one.svg":      "<svg xmlns='http://www.w3.org/2000/svg'/>\n",
		"src/assets/data+plus.json":    "{\"a\": 1}\n",
		"README.md":                    "# acme/app\n",
		".github/workflows/deploy.yml": "on: push\n",
		"srcfile.txt":                  "not under src/\n",
	}
	var keys []string
	for name, body := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(name, "src/") {
			keys = append(keys, name)
		}
	}
	sort.Strings(keys)
	return dir, keys
}

// bucketKeys lists every key of the seed's bucket as root, through aws-sdk-go-v2.
func bucketKeys(t *testing.T, srv *testServer) []string {
	t.Helper()
	return slices.Sorted(maps.Keys(listObjects(t, rootS3(srv), seedBucket, "")))
}

// createSeedBucket creates the seed's bucket as root.
func createSeedBucket(t *testing.T, srv *testServer) { createBuckets(t, srv, seedBucket) }
