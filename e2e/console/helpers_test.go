package console

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/cli"
	"github.com/inkan-dev/inkan/internal/sigv4"
	"github.com/inkan-dev/inkan/internal/testsupport/inkantest"
)

const (
	rootAccessKeyID = "AKIAINKANTESTROOT000"
	rootSecretKey   = "inkan-test-root-secret-key-0000000000000"
	chromiumPath    = "/usr/bin/chromium"
	awsPath         = "/usr/bin/aws"
)

// rootEnv is the environment of the inkan CLI and server signed as root.
var rootEnv = map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY": rootSecretKey}

// need skips the test when the program is missing, or fails it when CI is set.
func need(t *testing.T, path, pkg string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is required in CI (apt-get install %s): %v", path, pkg, err)
		}
		t.Skipf("%s is not installed (apt-get install %s)", path, pkg)
	}
}

// serve runs `inkan serve --dev` in-process on a loopback port with a fresh data directory
// and returns its URL; it stops when the test ends.
func serve(t *testing.T, args ...string) string {
	t.Helper()
	return inkantest.Start(t, rootEnv, args...).URL
}

// inkan runs the CLI in-process as root and returns its exit status and output.
func inkan(args ...string) (int, string, string) {
	var out, errb inkantest.Buffer
	code := cli.Main(context.Background(), args, cli.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv: func(k string) string { return rootEnv[k] }})
	return code, out.String(), errb.String()
}

// root is an inkan API client signed as root.
func root(url string) *awsclient.Client {
	return &awsclient.Client{Endpoint: url, Region: "ap-northeast-1",
		Creds: sigv4.Credentials{AccessKeyID: rootAccessKeyID, SecretAccessKey: rootSecretKey}}
}

// token mints a test identity provider token for a job of repo on ref.
func token(t *testing.T, url, repo, ref string) string {
	t.Helper()
	code, out, errOut := inkan("idp", "token", "--endpoint", url, "--repo", repo, "--ref", ref)
	if code != 0 {
		t.Fatalf("inkan idp token: %s", errOut)
	}
	return strings.TrimSpace(out)
}

// aws runs Debian's AWS CLI with a clean environment holding only env.
func aws(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(awsPath, args...)
	cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + t.TempDir(), "AWS_PAGER=", "AWS_DEFAULT_OUTPUT=json",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_DEFAULT_REGION=ap-northeast-1"}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// exchange runs AssumeRoleWithWebIdentity through the AWS CLI and returns the session's
// environment, or the CLI's error output.
func exchange(t *testing.T, url, roleARN, tok string) (map[string]string, string) {
	t.Helper()
	out, errOut, err := aws(t, nil, "sts", "assume-role-with-web-identity", "--endpoint-url", url,
		"--role-arn", roleARN, "--role-session-name", "gha", "--web-identity-token", tok)
	if err != nil {
		return nil, errOut
	}
	var res struct {
		Credentials struct{ AccessKeyId, SecretAccessKey, SessionToken string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("the AWS CLI printed %q: %v", out, err)
	}
	c := res.Credentials
	return map[string]string{"AWS_ACCESS_KEY_ID": c.AccessKeyId, "AWS_SECRET_ACCESS_KEY": c.SecretAccessKey, "AWS_SESSION_TOKEN": c.SessionToken}, ""
}

// browser starts headless chromium at 1280×900 and returns its context.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.WindowSize(1280, 900), chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// run runs browser actions and fails the test on an error, showing where the browser is.
func run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		body, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		t.Fatalf("%s: %v\nat %s:\n%s", what, err, loc, body)
	}
}

// get runs one browser action that returns a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text returns the page's visible text.
func text(t *testing.T, ctx context.Context) string {
	t.Helper()
	return get(t, ctx, "reading the page", chromedp.Text(chromedp.CSS("body")))
}

// screenshot saves the visible page (1280×900) as name.png in the screenshot directory.
func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png := get(t, ctx, "screenshot "+name, chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// screenshotDir is INKAN_CONSOLE_SCREENSHOTS, or a temporary directory.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("INKAN_CONSOLE_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}
