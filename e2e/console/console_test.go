package console

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/inkan-dev/inkan/internal/awsclient"
)

var requestIDHint = regexp.MustCompile(`request id ([A-Za-z0-9-]+)`)

// trustPolicy trusts the test identity provider of the server at url for the subjects.
func trustPolicy(url string, subjects ...string) string {
	host := strings.TrimPrefix(url, "http://") + "/idp"
	return `{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::000000000000:oidc-provider/` + host + `"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
      "StringEquals": {"` + host + `:aud": "sts.amazonaws.com"},
      "StringLike": {"` + host + `:sub": ["` + strings.Join(subjects, `", "`) + `"]}
    }
  }]
}`
}

// TestTheConsoleInARealBrowser is issue 14's acceptance, in one browser session against one
// server: sign-in, a refusal found by its request id, the simulator, trust-policy edits with
// the linter and the change preview, `inkan policy replay`, revocation, CSRF and the
// sign-in rate limit.
func TestTheConsoleInARealBrowser(t *testing.T) {
	need(t, chromiumPath, "chromium")
	need(t, awsPath, "awscli")
	url := serve(t)
	shots := screenshotDir(t)
	ctx := browser(t)
	c := root(url)
	bg := context.Background()
	role, err := c.CreateRole(bg, awsclient.CreateRoleInput{RoleName: "deploy", AssumeRolePolicyDocument: trustPolicy(url, "repo:acme/app:*")})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PutRolePolicy(bg, "deploy", "site", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`); err != nil {
		t.Fatal(err)
	}
	if err := c.CreateBucket(bg, "site"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(bg, "site", "docs/read me.txt", []byte("hello from the bucket\n"), "text/plain"); err != nil {
		t.Fatal(err)
	}

	t.Log("signed out, every page goes to sign-in")
	for _, p := range []string{"/console/", "/console/decisions", "/console/decisions/X", "/console/roles", "/console/roles/deploy", "/console/simulate", "/console/providers", "/console/buckets"} {
		run(t, ctx, "visiting "+p, chromedp.Navigate(url+p), chromedp.WaitVisible(chromedp.CSS("#access_key_id")))
		loc := get(t, ctx, "location", chromedp.Location())
		if !strings.HasPrefix(loc, url+"/console/signin?next=") {
			t.Fatalf("%s signed out landed on %s", p, loc)
		}
	}
	screenshot(t, ctx, shots, "signin")

	t.Log("a wrong secret is refused, the right one signs in")
	signIn(t, ctx, url, "not-the-secret")
	if s := text(t, ctx); !strings.Contains(s, "The access key or the secret is wrong.") {
		t.Fatalf("a wrong secret said:\n%s", s)
	}
	signIn(t, ctx, url, rootSecretKey)
	if s := text(t, ctx); !strings.Contains(s, "exchanges in the last hour") {
		t.Fatalf("signing in led to:\n%s", s)
	}

	t.Log("a job of acme/app is allowed; one of evil/app is refused through the AWS CLI")
	session, errOut := exchange(t, url, role.Arn, token(t, url, "acme/app", "refs/heads/main"))
	if session == nil {
		t.Fatalf("acme/app was refused: %s", errOut)
	}
	if _, errOut, err := aws(t, session, "s3api", "list-objects-v2", "--bucket", "site", "--endpoint-url", url); err != nil {
		t.Fatalf("the session could not list the bucket: %s", errOut)
	}
	refused, errOut := exchange(t, url, role.Arn, token(t, url, "evil/app", "refs/heads/main"))
	m := requestIDHint.FindStringSubmatch(errOut)
	if refused != nil || m == nil {
		t.Fatalf("evil/app was not refused with a request id: %s", errOut)
	}
	refusedID := m[1]
	allowedID := lastAllowed(t, c)

	t.Log("the refusal is found on Decisions by its request id and explained")
	run(t, ctx, "filtering decisions", chromedp.Navigate(url+"/console/decisions"),
		chromedp.SendKeys(chromedp.CSS(`input[name="request_id"]`), refusedID),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/console/decisions/`+refusedID+`"]`)))
	screenshot(t, ctx, shots, "decisions")
	run(t, ctx, "opening the decision", chromedp.Click(chromedp.CSS(`a[href="/console/decisions/`+refusedID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`section.failure`)))
	host := strings.TrimPrefix(url, "http://") + "/idp"
	s := text(t, ctx)
	for _, want := range []string{"Failing condition in Statement[0] of the trust policy", "StringLike on " + host + ":sub",
		`one of ["repo:acme/app:*"]`, `"repo:evil/app:ref:refs/heads/main"`, "Claims of the presented token", `"evil/app"`} {
		if !strings.Contains(s, want) {
			t.Errorf("the decision's page lacks %q:\n%s", want, s)
		}
	}
	screenshot(t, ctx, shots, "decision")

	t.Log("the simulator reproduces the refusal, then an allow")
	simulate(t, ctx, url, "evil/app")
	if s := text(t, ctx); !strings.Contains(s, `denied: `+host+`:sub "repo:evil/app:ref:refs/heads/main" matches none of ["repo:acme/app:*"]`) {
		t.Fatalf("the simulator said:\n%s", s)
	}
	run(t, ctx, "scrolling to the result", chromedp.ScrollIntoView(chromedp.CSS("section.result")))
	screenshot(t, ctx, shots, "simulate")
	simulate(t, ctx, url, "acme/app")
	if s := text(t, ctx); !strings.Contains(s, "allowed: allowed by Statement[0] (trust policy)") {
		t.Fatalf("the simulator said:\n%s", s)
	}

	t.Log("an edit the linter refuses is not saved")
	anyProvider := regexp.MustCompile(`"Federated": "[^"]*"`).ReplaceAllString(trustPolicy(url, "repo:acme/app:*"), `"Federated": "*"`)
	editTrust(t, ctx, url, anyProvider, "save")
	if s := text(t, ctx); !strings.Contains(s, "Not saved") || !strings.Contains(s, "trusts every identity provider") {
		t.Fatalf("the linter did not refuse the edit:\n%s", s)
	}

	t.Log("an edit that locks acme/app out shows its exchange flipping to deny before it is saved")
	lockout := trustPolicy(url, "repo:acme/other:*")
	editTrust(t, ctx, url, lockout, "preview")
	s = text(t, ctx)
	if !strings.Contains(s, "1 would flip") || !strings.Contains(s, "allow → deny "+allowedID) {
		t.Fatalf("the preview did not show the flip of %s:\n%s", allowedID, s)
	}
	run(t, ctx, "scrolling to the preview", chromedp.ScrollIntoView(chromedp.CSS("section.preview")))
	screenshot(t, ctx, shots, "role-preview")
	if got, _ := c.GetRole(bg, "deploy"); strings.Contains(got.AssumeRolePolicyDocument, "acme/other") {
		t.Fatal("the preview saved the edit")
	}

	t.Log("inkan policy replay reports the same flip and fails")
	file := filepath.Join(t.TempDir(), "trust.json")
	os.WriteFile(file, []byte(lockout), 0o600)
	code, out, errOut := inkan("policy", "replay", "--endpoint", url, "--role", "deploy", "--trust-policy", file, "--since", "1h")
	if code != 1 || !strings.Contains(out, "allow → deny  "+allowedID) || !strings.Contains(out, "1 would flip") {
		t.Fatalf("inkan policy replay exited %d:\n%s\n%s", code, out, errOut)
	}
	t.Logf("inkan policy replay:\n%s", out)

	t.Log("a valid edit is saved and decides the next exchange")
	editTrust(t, ctx, url, trustPolicy(url, "repo:acme/app:*", "repo:evil/app:*"), "save")
	if s := text(t, ctx); !strings.Contains(s, "Trust policy saved") {
		t.Fatalf("saving said:\n%s", s)
	}
	if sess, errOut := exchange(t, url, role.Arn, token(t, url, "evil/app", "refs/heads/main")); sess == nil {
		t.Fatalf("evil/app is still refused after the edit: %s", errOut)
	}

	t.Log("a POST without the CSRF token is refused")
	// The console's CSP allows no fetch; a form built in the page posts like a forged one.
	run(t, ctx, "posting without a token", chromedp.Navigate(url+"/console/roles/deploy"), stale(),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const f = document.createElement("form");
				f.method = "post"; f.action = "/console/roles/deploy/revoke";
				const c = document.createElement("input"); c.name = "confirm"; c.value = "yes"; f.appendChild(c);
				document.body.appendChild(f); f.submit(); return true; })()`))
			return err
		}), loaded())
	if s := text(t, ctx); !strings.Contains(s, "CSRF token is missing or wrong") {
		t.Fatalf("a POST without the CSRF token was not refused:\n%s", s)
	}

	t.Log("sessions revoked from the console are refused by S3")
	run(t, ctx, "revoking", chromedp.Navigate(url+"/console/roles/deploy"),
		chromedp.Click(chromedp.CSS(`input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS(`button.danger`)), chromedp.WaitVisible(chromedp.CSS(`p.banner.good`)))
	if _, errOut, err := aws(t, session, "s3api", "list-objects-v2", "--bucket", "site", "--endpoint-url", url); err == nil || !strings.Contains(errOut, "AccessDenied") {
		t.Fatalf("a revoked session listed the bucket: %v %s", err, errOut)
	}

	for _, p := range []struct{ path, name string }{{"/console/", "overview"}, {"/console/roles", "roles"}, {"/console/roles/deploy", "role"}, {"/console/providers", "providers"}, {"/console/buckets", "buckets"}} {
		run(t, ctx, "visiting "+p.path, chromedp.Navigate(url+p.path), chromedp.WaitVisible(chromedp.CSS("main")))
		screenshot(t, ctx, shots, p.name)
	}

	t.Log("an object is found by prefix and downloaded through a presigned URL")
	run(t, ctx, "browsing the bucket", chromedp.Navigate(url+"/console/buckets"), stale(),
		chromedp.Click(chromedp.CSS(`a[href="/console/buckets/site"]`)), loaded(), stale(),
		chromedp.Click(chromedp.CSS(`a[href="/console/buckets/site?prefix=docs%2f"]`)), loaded())
	screenshot(t, ctx, shots, "bucket")
	run(t, ctx, "opening the object", stale(), chromedp.Click(chromedp.CSS(`table.list a[href*="object?key="]`)), loaded())
	if s := text(t, ctx); !strings.Contains(s, "docs/read me.txt") || !strings.Contains(s, "22 bytes") {
		t.Fatalf("the object's page says:\n%s", s)
	}
	run(t, ctx, "downloading", stale(), chromedp.Click(chromedp.CSS(`a.button`)), chromedp.WaitNotPresent(chromedp.CSS("body[data-stale]")))
	loc := get(t, ctx, "location", chromedp.Location())
	if s := text(t, ctx); !strings.Contains(s, "hello from the bucket") || !strings.Contains(loc, "X-Amz-Signature=") {
		t.Fatalf("the download at %s says:\n%s", loc, s)
	}

	t.Log("signed out, repeated wrong secrets are rate-limited")
	run(t, ctx, "signing out", chromedp.Navigate(url+"/console/"), chromedp.Click(chromedp.CSS(`form.signout button`)), chromedp.WaitVisible(chromedp.CSS("#access_key_id")))
	limited := false
	for range 6 {
		signIn(t, ctx, url, "not-the-secret")
		if strings.Contains(text(t, ctx), "Too many sign-in attempts") {
			limited = true
			break
		}
	}
	if !limited {
		t.Fatal("wrong secrets were never rate-limited")
	}
}

// TestConsoleOffServesNoConsole: with --console off, /console/ is not the console.
func TestConsoleOffServesNoConsole(t *testing.T) {
	url := serve(t, "--console", "off")
	resp, err := http.Get(url + "/console/signin")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || resp.Header.Get("Content-Security-Policy") != "" {
		t.Fatalf("--console off still served the console: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func signIn(t *testing.T, ctx context.Context, url, secret string) {
	t.Helper()
	run(t, ctx, "signing in", chromedp.Navigate(url+"/console/signin"), chromedp.WaitVisible(chromedp.CSS("#access_key_id")),
		chromedp.SendKeys(chromedp.CSS("#access_key_id"), rootAccessKeyID),
		chromedp.SendKeys(chromedp.CSS("#secret_access_key"), secret),
		stale(), chromedp.Submit(chromedp.CSS("#secret_access_key")), loaded())
}

func simulate(t *testing.T, ctx context.Context, url, repo string) {
	t.Helper()
	run(t, ctx, "simulating "+repo, chromedp.Navigate(url+"/console/simulate?role=deploy"),
		chromedp.SendKeys(chromedp.CSS(`input[name="repository"]`), repo),
		stale(), chromedp.Click(chromedp.CSS(`form.sim > button[type="submit"]`)), loaded())
}

func editTrust(t *testing.T, ctx context.Context, url, doc, action string) {
	t.Helper()
	run(t, ctx, action+" a trust policy", chromedp.Navigate(url+"/console/roles/deploy"),
		chromedp.SetValue(chromedp.CSS("#document"), doc),
		stale(), chromedp.Click(chromedp.CSS(`button[value="`+action+`"]`)), loaded())
}

// lastAllowed is the request id of the newest allowed STS decision.
func lastAllowed(t *testing.T, c *awsclient.Client) string {
	t.Helper()
	page, err := c.Decisions(context.Background(), map[string][]string{"outcome": {"allow"}, "service": {"sts"}, "limit": {"1"}})
	if err != nil || len(page.Decisions) != 1 {
		t.Fatalf("listing decisions: %v", err)
	}
	return page.Decisions[0].RequestID
}

// stale marks the page, so that loaded can tell when the next one has replaced it.
func stale() chromedp.Action[chromedp.Void] {
	return chromedp.SetAttributeValue(chromedp.CSS("body"), "data-stale", "1")
}

// loaded waits until the page marked by stale is replaced and the new one is shown.
func loaded() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.WaitNotPresent(chromedp.CSS("body[data-stale]")), chromedp.WaitVisible(chromedp.CSS("main")))
}
