package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/devidp"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// demoCmd is `inkan demo`: the seed's whole workflow, offline, in a temporary directory,
// told as a short narrative. It starts inkan in-process with --dev, so nothing else needs
// to run, and doubles as the smoke test.
type demoCmd struct{}

// The seed's names.
const (
	demoRepo     = "acme/app"
	demoRef      = "refs/heads/deploy"
	demoEvilRepo = "evil/app"
	demoRole     = "deploy"
	demoBucket   = "acme-app-site"
	demoSession  = "GitHubActions"
)

// demoFiles is the small tree the job deploys; only src/ is synced.
func demoFiles() map[string]string {
	return map[string]string{
		"src/index.html":   "<!doctype html>\n<title>acme/app</title>\n<link rel=stylesheet href=css/site.css>\n<script src=app.js></script>\n",
		"src/app.js":       "document.title += ' — deployed by inkan demo';\n",
		"src/css/site.css": "body { font-family: sans-serif; }\n",
		"README.md":        "# acme/app\nNot deployed: only src/ is synced.\n",
	}
}

// Run plays the demo and returns nil only if every step did what it should.
func (demoCmd) Run(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("demo", env)
	keep := fs.Bool("keep", false, "keep the temporary directory (server data, workspace) and print its path")
	if err := parseIdpFlags(fs, args); err != nil {
		return err
	}
	start := time.Now()
	dir, err := os.MkdirTemp("", "inkan-demo-")
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "inkan demo: a GitHub Actions job of %s deploys src/ to S3 — offline, in %s\n", demoRepo, dir)
	srv, err := startDemoServer(ctx, filepath.Join(dir, "data"))
	if err != nil {
		os.RemoveAll(dir)
		return err
	}
	d := &demo{out: env.Stdout, srv: srv, dir: dir, http: &http.Client{Timeout: 30 * time.Second}}
	err = d.play(ctx)
	if stopErr := srv.stop(); err == nil && stopErr != nil {
		err = fmt.Errorf("stopping inkan: %w", stopErr)
	}
	if err != nil {
		fmt.Fprintf(env.Stderr, "\nThe demo failed. Server log:\n%s", srv.logs.String())
	}
	if *keep {
		fmt.Fprintf(env.Stdout, "\nKept %s (server data in data/, the job's checkout in workspace/).\n", dir)
	} else if rmErr := os.RemoveAll(dir); rmErr != nil && err == nil {
		err = rmErr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nDone in %.1f s: inkan stopped and %s removed. Every step ran offline, on this machine only.\n",
		time.Since(start).Seconds(), dir)
	return nil
}

// demoServer is inkan serving in-process.
type demoServer struct {
	url     string
	dataDir string
	logs    *syncBuffer
	stop    func() error
}

// startDemoServer runs `inkan serve --dev` on a free port with an empty environment and
// waits for the line announcing its URL.
func startDemoServer(ctx context.Context, dataDir string) (*demoServer, error) {
	ctx, cancel := context.WithCancel(ctx)
	pr, pw := io.Pipe()
	s := &demoServer{dataDir: dataDir, logs: &syncBuffer{}}
	done := make(chan error, 1)
	go func() {
		args := []string{"--dev", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn"}
		done <- (&serveCmd{}).Run(ctx, Env{Stdout: pw, Stderr: s.logs, Getenv: func(string) string { return "" }}, args)
		pw.Close()
	}()
	urls := make(chan string, 1)
	go scanListeningURL(pr, urls)
	s.stop = sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(40 * time.Second):
			return errors.New("inkan did not stop within 40 s")
		}
	})
	select {
	case s.url = <-urls:
		return s, nil
	case err := <-done:
		cancel()
		return nil, fmt.Errorf("inkan serve stopped at once: %v\n%s", err, s.logs.String())
	case <-time.After(30 * time.Second):
		s.stop()
		return nil, errors.New("inkan serve did not start within 30 s")
	}
}

// scanListeningURL reads serve's standard output, sends the URL of its "inkan listening on
// <url> (data in …)" line, and drains the rest (which holds the generated root secret: it
// is never shown).
func scanListeningURL(r io.Reader, urls chan<- string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "inkan listening on "); ok {
			u, _, _ := strings.Cut(rest, " ")
			select {
			case urls <- u:
			default:
			}
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// demo holds the state passed from step to step.
type demo struct {
	out  io.Writer
	srv  *demoServer
	dir  string
	http *http.Client
	step int

	root        *awsclient.Client
	providerURL string // without scheme, as IAM returns it: the condition-key prefix
	providerARN string
	roleARN     string
	session     *awsclient.Client
	uploaded    []string
}

func (d *demo) section(title string) {
	d.step++
	fmt.Fprintf(d.out, "\n%d. %s\n", d.step, title)
}

func (d *demo) say(format string, a ...any) {
	for _, line := range strings.Split(fmt.Sprintf(format, a...), "\n") {
		fmt.Fprintf(d.out, "   %s\n", line)
	}
}

// play runs the steps in order; the first failure ends the demo.
func (d *demo) play(ctx context.Context) error {
	steps := []func(context.Context) error{d.started, d.createRole, d.createBucket, d.assumeAndCheck, d.sync, d.list, d.refuseEvil}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (d *demo) started(ctx context.Context) error {
	d.section("Start inkan with its test identity provider")
	d.say("inkan serve --dev --addr 127.0.0.1:0 --data-dir %s", d.srv.dataDir)
	d.say("← listening on %s; GitHub-shaped issuer %s/idp", d.srv.url, d.srv.url)
	root, err := readRootCredentials(d.srv.dataDir)
	if err != nil {
		return fmt.Errorf("reading the root credentials: %w", err)
	}
	d.root = &awsclient.Client{Endpoint: d.srv.url, HTTPClient: d.http,
		Creds: sigv4.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: root.SecretAccessKey}}
	arns, err := d.root.ListOpenIDConnectProviders(ctx)
	if err != nil {
		return err
	}
	for _, arn := range arns {
		p, err := d.root.GetOpenIDConnectProvider(ctx, arn)
		if err != nil {
			return err
		}
		if "http://"+p.URL == d.srv.url+"/idp" {
			d.providerURL, d.providerARN = p.URL, arn
			d.say("IAM ListOpenIDConnectProviders (signed by root %s): --dev registered the issuer as", maskKeyID(root.AccessKeyID))
			d.say("  %s, client id (audience) %s", arn, strings.Join(p.ClientIDs, ", "))
			return nil
		}
	}
	return errors.New("the test identity provider is not registered as an OIDC provider")
}

func (d *demo) createRole(ctx context.Context) error {
	d.section(fmt.Sprintf("Create the role %q (IAM CreateRole, PutRolePolicy)", demoRole))
	trust := demoTrustPolicy(d.providerARN, d.providerURL)
	role, err := d.root.CreateRole(ctx, awsclient.CreateRoleInput{RoleName: demoRole, AssumeRolePolicyDocument: trust,
		Description: "the seed's deploy role"})
	if err != nil {
		return err
	}
	d.roleARN = role.Arn
	d.say("%s trusts tokens whose aud is sts.amazonaws.com and whose sub is any ref of %s:\n%s", role.Arn, demoRepo, indentJSON(trust))
	perms := demoPermissionPolicy()
	if err := d.root.PutRolePolicy(ctx, demoRole, "deploy-site", perms); err != nil {
		return err
	}
	d.say("and may list %s and read and write its objects (inline policy deploy-site):\n%s", demoBucket, indentJSON(perms))
	return nil
}

func demoTrustPolicy(providerARN, prefix string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},` +
		`"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + prefix + `:aud":"sts.amazonaws.com"},` +
		`"StringLike":{"` + prefix + `:sub":"repo:` + demoRepo + `:*"}}}]}`
}

func demoPermissionPolicy() string {
	return `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + demoBucket + `"},` +
		`{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::` + demoBucket + `/*"}]}`
}

func indentJSON(doc string) string {
	var b bytes.Buffer
	if err := json.Indent(&b, []byte(doc), "  ", "  "); err != nil {
		return doc
	}
	return "  " + b.String()
}

func (d *demo) createBucket(ctx context.Context) error {
	d.section(fmt.Sprintf("Create the bucket %q (S3 CreateBucket, signed by root)", demoBucket))
	if err := d.root.CreateBucket(ctx, demoBucket); err != nil {
		return err
	}
	d.say("← 200 OK: s3://%s exists and is empty", demoBucket)
	return nil
}

// jobToken asks the runner endpoint for a token, as a job's configure-aws-credentials step
// does, narrating both requests.
func (d *demo) jobToken(ctx context.Context, job devidp.JobContext) (string, error) {
	var re devidp.RunnerEnv
	if err := postIDP(ctx, d.srv.url, "/runner-env", job, &re); err != nil {
		return "", err
	}
	d.say("→ POST /idp/runner-env {repository: %s, ref: %s}   (what `inkan idp runner-env` does)", job.Repository, job.Ref)
	d.say("← ACTIONS_ID_TOKEN_REQUEST_URL=%s", re.RequestURL)
	d.say("  ACTIONS_ID_TOKEN_REQUEST_TOKEN=%s", maskSecret(re.RequestToken))
	token, err := fetchRunnerToken(ctx, d.http, re.RequestURL, re.RequestToken, devidp.AudienceSTS)
	if err != nil {
		return "", err
	}
	d.say("→ GET $ACTIONS_ID_TOKEN_REQUEST_URL&audience=sts.amazonaws.com   (Authorization: Bearer ****)")
	d.say("← {\"value\": %s}, whose claims are:", maskSecret(token))
	claims, err := decodeClaims(token)
	if err != nil {
		return "", err
	}
	for _, name := range []string{"iss", "aud", "sub", "repository", "ref", "event_name", "exp"} {
		d.say("    %-12s %s", name, claimText(name, claims[name]))
	}
	return token, nil
}

func (d *demo) assumeAndCheck(ctx context.Context) error {
	d.section(fmt.Sprintf("A job of %s on branch deploy gets its ID token", demoRepo))
	token, err := d.jobToken(ctx, devidp.JobContext{Job: devidp.Job{Repository: demoRepo, Ref: demoRef}})
	if err != nil {
		return err
	}
	d.section("It assumes the role (STS AssumeRoleWithWebIdentity, unsigned, as every SDK sends it)")
	d.say("→ RoleArn=%s RoleSessionName=%s DurationSeconds=3600 WebIdentityToken=%s", d.roleARN, demoSession, maskSecret(token))
	client := &awsclient.Client{Endpoint: d.srv.url, HTTPClient: d.http}
	res, err := assumeWithToken(ctx, client, assumeConfig{assumeFlags: assumeFlags{roleARN: d.roleARN, sessionName: demoSession, duration: 3600}}, token)
	if err != nil {
		return err
	}
	d.say("  inkan checked the RS256 signature against %s/idp/.well-known/jwks, that iss is a registered provider,", d.srv.url)
	d.say("  that aud is one of its client ids, exp and nbf, and the trust policy: aud StringEquals sts.amazonaws.com,")
	d.say("  sub %q StringLike \"repo:%s:*\"", res.assumed.SubjectFromWebIdentityToken, demoRepo)
	d.say("← AccessKeyId=%s SecretAccessKey=%s SessionToken=%s", maskKeyID(res.creds.AccessKeyID), maskSecret(res.creds.SecretAccessKey), maskSecret(res.creds.SessionToken))
	d.say("  expiring %s; AssumedRoleUser %s", res.creds.Expiration.UTC().Format(time.RFC3339), res.assumed.AssumedRoleUser.Arn)
	d.section("It checks who it is (STS GetCallerIdentity, signed with the session)")
	d.say("← Account %s, Arn %s, UserId %s", res.identity.Account, res.identity.Arn, res.identity.UserID)
	d.session = &awsclient.Client{Endpoint: d.srv.url, HTTPClient: d.http, Creds: res.creds.Signing()}
	return nil
}

// sync writes the job's checkout and uploads src/, as
// `aws s3 sync . s3://bucket/ --exclude "*" --include "src/*"` does on an empty bucket.
func (d *demo) sync(ctx context.Context) error {
	d.section(fmt.Sprintf("It syncs src/ to s3://%s/ (S3 PutObject, signed with the session)", demoBucket))
	workspace := filepath.Join(d.dir, "workspace")
	files := demoFiles()
	names := make([]string, 0, len(files))
	for name, content := range files {
		path := filepath.Join(workspace, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return err
		}
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !strings.HasPrefix(name, "src/") {
			d.say("skip %s (outside src/)", name)
			continue
		}
		body, err := os.ReadFile(filepath.Join(workspace, filepath.FromSlash(name)))
		if err != nil {
			return err
		}
		out, err := d.session.PutObject(ctx, demoBucket, name, body, mime.TypeByExtension(filepath.Ext(name)))
		if err != nil {
			return err
		}
		d.uploaded = append(d.uploaded, name)
		d.say("PUT %-18s %3d bytes ← ETag %s", name, len(body), out.ETag)
	}
	return nil
}

func (d *demo) list(ctx context.Context) error {
	d.section(fmt.Sprintf("It lists s3://%s/ (S3 ListObjectsV2)", demoBucket))
	out, err := d.session.ListObjectsV2(ctx, awsclient.ListObjectsV2Input{Bucket: demoBucket})
	if err != nil {
		return err
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, o.Key)
		d.say("%-20s %3d bytes  %s", o.Key, o.Size, o.LastModified.UTC().Format(time.RFC3339))
	}
	if strings.Join(keys, ",") != strings.Join(d.uploaded, ",") {
		return fmt.Errorf("the bucket holds %v, want exactly %v", keys, d.uploaded)
	}
	d.say("exactly the src/ files, nothing else")
	return nil
}

func (d *demo) refuseEvil(ctx context.Context) error {
	d.section(fmt.Sprintf("A job of %s tries the same role", demoEvilRepo))
	token, err := d.jobToken(ctx, devidp.JobContext{Job: devidp.Job{Repository: demoEvilRepo, Ref: "refs/heads/main"}})
	if err != nil {
		return err
	}
	client := &awsclient.Client{Endpoint: d.srv.url, HTTPClient: d.http}
	_, err = client.AssumeRoleWithWebIdentity(ctx, awsclient.AssumeRoleWithWebIdentityInput{
		RoleArn: d.roleARN, RoleSessionName: demoSession, WebIdentityToken: token})
	var e *awsclient.Error
	if !errors.As(err, &e) || e.Code != "AccessDenied" {
		return fmt.Errorf("a token of %s was not refused with AccessDenied: %v", demoEvilRepo, err)
	}
	d.say("→ AssumeRoleWithWebIdentity RoleArn=%s WebIdentityToken=%s", d.roleARN, maskSecret(token))
	d.say("← %s (HTTP %d): %s", e.Code, e.Status, e.Message)
	rec, err := d.root.Decision(ctx, e.RequestID)
	if err != nil {
		return fmt.Errorf("fetching the explanation: %w", err)
	}
	d.say("`inkan explain %s` (the audit record, read through the admin API as root):", e.RequestID)
	d.say("  outcome %s for role %s, token sub %s, aud %s", rec.Outcome, rec.Role, claimText("sub", rec.Claims["sub"]), claimText("aud", rec.Claims["aud"]))
	d.say("  reason: %s", rec.Reason)
	return nil
}

// maskSecret shows that a secret was there, never any of it.
func maskSecret(s string) string { return fmt.Sprintf("**** (%d chars, masked)", len(s)) }

// maskKeyID keeps an access key id's type prefix (AKIA, ASIA) only.
func maskKeyID(s string) string {
	if len(s) < 4 {
		return "****"
	}
	return s[:4] + "****"
}
