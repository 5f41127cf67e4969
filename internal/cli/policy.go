package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/arn"
	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/inkan-dev/inkan/internal/policy"
)

// policyCmd is `inkan policy simulate|lint|who-can-assume|replay`.
type policyCmd struct{}

const policyUsage = `usage: inkan policy <command> [flags]

commands:
  simulate        decide a token's AssumeRoleWithWebIdentity (or a session's request) and say why
  lint            check policy files; text, JSON or SARIF findings; exit status by severity
  who-can-assume  say who can assume a role, in plain words, with the linter's findings
                  (exit 2 when a finding is an error, as lint)
  replay          replay a role's recorded exchanges against an edited trust policy and list
                  the decisions that would flip (exit 1 when any does)

Run 'inkan policy <command> -h' for the flags of one command.
`

// Run dispatches to the subcommand.
func (policyCmd) Run(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(env.Stderr, policyUsage)
		return usageErrorf("missing command")
	}
	switch args[0] {
	case "simulate":
		return policySimulate(ctx, env, args[1:])
	case "lint":
		return policyLint(env, args[1:])
	case "who-can-assume":
		return policyWhoCanAssume(ctx, env, args[1:])
	case "replay":
		return policyReplay(ctx, env, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(env.Stdout, policyUsage)
		return nil
	}
	fmt.Fprint(env.Stderr, policyUsage)
	return usageErrorf("unknown command %q", args[0])
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// pairs reads NAME=VALUE flags; a name given twice gets both values.
func (l listFlag) pairs(flagName string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, p := range l {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usageErrorf("--%s %q: want NAME=VALUE", flagName, p)
		}
		out[k] = append(out[k], v)
	}
	return out, nil
}

// readPolicyFile parses a policy document of kind from a file. Traces name identity and
// session policies after their file; a trust policy stays unnamed, as the server leaves it.
func readPolicyFile(path string, kind policy.Kind) (*policy.Policy, error) {
	doc, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse(doc, kind)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if kind == policy.Trust {
		return p, nil
	}
	return p.Named(filepath.Base(path)), nil
}

// simRole is the role a simulation runs against: fetched from a running inkan, or given
// by files.
type simRole struct {
	arn, id, account string
	trust            *policy.Policy
	boundaryARN      string
	client           *awsclient.Client // nil offline
}

// fetchRole reads a role of a running inkan by name or ARN.
func fetchRole(ctx context.Context, c *awsclient.Client, nameOrARN string) (*simRole, error) {
	name := nameOrARN[strings.LastIndexByte(nameOrARN, '/')+1:]
	r, err := c.GetRole(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("role %s: %w", name, err)
	}
	trust, err := policy.Parse([]byte(r.AssumeRolePolicyDocument), policy.Trust)
	if err != nil {
		return nil, fmt.Errorf("role %s: its trust policy: %w", name, err)
	}
	a, err := arn.Parse(r.Arn)
	if err != nil {
		return nil, err
	}
	return &simRole{arn: r.Arn, id: r.RoleID, account: a.Account, trust: trust, boundaryARN: r.PermissionsBoundaryArn, client: c}, nil
}

// identityPolicies returns the role's inline policies (named by name) and managed policies
// (named by ARN).
func (r *simRole) identityPolicies(ctx context.Context) ([]*policy.Policy, error) {
	name := r.arn[strings.LastIndexByte(r.arn, '/')+1:]
	names, err := r.client.ListRolePolicies(ctx, name)
	if err != nil {
		return nil, err
	}
	var out []*policy.Policy
	for _, n := range names {
		rp, err := r.client.GetRolePolicy(ctx, name, n)
		if err != nil {
			return nil, err
		}
		p, err := policy.Parse([]byte(rp.PolicyDocument), policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("inline policy %s: %w", n, err)
		}
		out = append(out, p.Named(n))
	}
	attached, err := r.client.ListAttachedRolePolicies(ctx, name)
	if err != nil {
		return nil, err
	}
	for _, a := range attached {
		p, err := r.managedPolicy(ctx, a.PolicyArn)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// managedPolicy fetches the default version of a managed policy, named by its ARN.
func (r *simRole) managedPolicy(ctx context.Context, policyARN string) (*policy.Policy, error) {
	m, err := r.client.GetPolicy(ctx, policyARN)
	if err != nil {
		return nil, err
	}
	v, err := r.client.GetPolicyVersion(ctx, policyARN, m.DefaultVersionID)
	if err != nil {
		return nil, err
	}
	p, err := policy.Parse([]byte(v.Document), policy.Identity)
	if err != nil {
		return nil, fmt.Errorf("managed policy %s: %w", policyARN, err)
	}
	return p.Named(policyARN), nil
}

// simulateFlags are the flags of `inkan policy simulate`.
type simulateFlags struct {
	job                                                    jobFlags // --endpoint and the test-IdP job
	admin                                                  adminFlags
	role, trustPolicy, providerURL, accountID, roleARN     string
	token, tokenFile, claimsFile, audience                 string
	sessionName, sourceIP, action, resource, sessionPolicy string
	boundary, output                                       string
	decodeOnly                                             bool
	clientIDs, policies, contexts, tags                    listFlag
}

func (f *simulateFlags) register(fs *flag.FlagSet, env Env) {
	f.job.register(fs)
	f.admin.register(fs, env, false)
	fs.StringVar(&f.role, "role", "", "role of the running inkan at --endpoint (name or ARN)")
	fs.StringVar(&f.trustPolicy, "trust-policy", "", "trust policy FILE, instead of --role")
	fs.StringVar(&f.providerURL, "provider-url", "", "issuer URL (default: the token's iss, else the trust policy's first OIDC provider)")
	fs.Var(&f.clientIDs, "client-id", "a client ID of the provider (repeatable; default: the registered ones, else sts.amazonaws.com)")
	fs.StringVar(&f.accountID, "account-id", "", "account of the role, with --trust-policy (default: the trust policy's provider's, else 000000000000)")
	fs.StringVar(&f.roleARN, "role-arn", "", "ARN of the role, with --trust-policy (default arn:aws:iam::<account>:role/simulated)")
	fs.StringVar(&f.token, "token", "", "web identity token (JWT), or - for standard input; verified with the provider's keys")
	fs.StringVar(&f.tokenFile, "token-file", "", "file holding the web identity token")
	fs.BoolVar(&f.decodeOnly, "decode-only", false, "read the token's claims without verifying it (expired tokens, offline)")
	fs.StringVar(&f.claimsFile, "claims", "", "JSON FILE of token claims, instead of a token")
	fs.StringVar(&f.audience, "audience", "sts.amazonaws.com", "aud of the test identity provider's claims (with --repo)")
	fs.StringVar(&f.sessionName, "session-name", "GitHubActions", "RoleSessionName (sts:RoleSessionName)")
	fs.StringVar(&f.sourceIP, "source-ip", "", "caller's address (aws:SourceIp)")
	fs.StringVar(&f.action, "action", "", "simulate a session's request for this action (e.g. s3:PutObject) instead of the exchange")
	fs.StringVar(&f.resource, "resource", "", "resource ARN of --action (e.g. arn:aws:s3:::bucket/key)")
	fs.Var(&f.policies, "policy", "identity policy FILE of the role (repeatable), with --trust-policy")
	fs.StringVar(&f.sessionPolicy, "session-policy", "", "session policy FILE the session was created with")
	fs.StringVar(&f.boundary, "boundary", "", "permissions boundary: a FILE, or a managed policy ARN of the running inkan")
	fs.Var(&f.contexts, "context", "KEY=VALUE condition key of the request, e.g. s3:prefix=app/ (repeatable)")
	fs.Var(&f.tags, "tag", "KEY=VALUE principal tag of the session (repeatable)")
	fs.StringVar(&f.output, "output", "text", "output format: text or json")
}

const simulateUsage = `usage: inkan policy simulate [flags]

Decides, on the production evaluator, whether a web identity token may assume a role —
the role of a running inkan (--role) or a trust policy file — or, with --action and
--resource, whether the role's session may make a request; prints the decision, the
failing condition, every statement and condition evaluated, and a one-sentence verdict.
The token is a JWT (verified with its issuer's keys unless --decode-only), a claims file,
or a job of the test identity provider (--repo, --ref, --environment …). Exit status 0
when allowed, 1 when denied or on an error, 2 on a bad command line.

flags:
`

func policySimulate(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("policy simulate", env)
	fs.Usage = func() { fmt.Fprint(env.Stderr, simulateUsage); fs.PrintDefaults() }
	var f simulateFlags
	f.register(fs, env)
	if err := parseIdpFlags(fs, args); err != nil {
		return err
	}
	if err := checkOutput(f.output, "text", "json"); err != nil {
		return err
	}
	f.admin.endpoint = f.job.endpoint
	role, err := f.loadRole(ctx, env)
	if err != nil {
		return err
	}
	var res *explain.Result
	if f.action != "" {
		res, err = f.simulatePermissions(ctx, env, role)
	} else {
		res, err = f.simulateExchange(ctx, env, role)
	}
	if err != nil {
		return err
	}
	if err := writeAs(env.Stdout, f.output, res, explain.WriteResult); err != nil {
		return err
	}
	if !res.Allowed {
		return &exitError{code: 1, err: errors.New("the simulated request is denied")}
	}
	return nil
}

// loadRole fetches --role from the running inkan, or builds the role of --trust-policy.
func (f *simulateFlags) loadRole(ctx context.Context, env Env) (*simRole, error) {
	switch {
	case f.role != "" && f.trustPolicy != "":
		return nil, usageErrorf("--role and --trust-policy exclude each other")
	case f.role != "":
		c, err := f.admin.client(env)
		if err != nil {
			return nil, err
		}
		return fetchRole(ctx, c, f.role)
	case f.trustPolicy == "" && f.action == "":
		return nil, usageErrorf("name the role: --role NAME (of a running inkan) or --trust-policy FILE")
	}
	r := &simRole{account: f.accountID, arn: f.roleARN, id: "AROASIMULATED"}
	if f.trustPolicy != "" {
		var err error
		if r.trust, err = readPolicyFile(f.trustPolicy, policy.Trust); err != nil {
			return nil, err
		}
		if a, err := arn.Parse(explain.FirstProvider(r.trust)); err == nil && r.account == "" {
			r.account = a.Account
		}
	}
	if r.account == "" {
		r.account = "000000000000"
	}
	if r.arn == "" {
		r.arn = "arn:aws:iam::" + r.account + ":role/simulated"
	} else if a, err := arn.Parse(r.arn); err == nil {
		r.account = a.Account
	} else {
		return nil, usageErrorf("--role-arn: %v", err)
	}
	return r, nil
}

// simulateExchange decides AssumeRoleWithWebIdentity of the token for the role.
func (f *simulateFlags) simulateExchange(ctx context.Context, env Env, role *simRole) (*explain.Result, error) {
	claims, prov, err := f.claims(ctx, env, role)
	if err != nil {
		return nil, err
	}
	if claims == nil {
		return nil, usageErrorf("give a token: --token JWT, --token-file FILE, --claims FILE, or --repo OWNER/NAME for the test identity provider")
	}
	return explain.SimulateWebIdentity(&explain.WebIdentity{Account: role.account, RoleARN: role.arn, Trust: role.trust,
		Provider: prov, Claims: claims, SessionName: f.sessionName, SourceIP: f.sourceIP, Secure: f.secure(role), Now: time.Now()})
}

// secure is aws:SecureTransport: whether the running inkan is reached over TLS, or true for
// a role given by files (AWS is).
func (f *simulateFlags) secure(role *simRole) bool {
	return role.client == nil || strings.HasPrefix(f.job.endpoint, "https://")
}

// claims returns the token's claims, from the first source given, and its provider; nil
// claims when no source was given.
func (f *simulateFlags) claims(ctx context.Context, env Env, role *simRole) (map[string]any, explain.Provider, error) {
	switch {
	case f.token != "" || f.tokenFile != "":
		return f.tokenClaims(ctx, env, role)
	case f.claimsFile != "":
		doc, err := os.ReadFile(f.claimsFile)
		if err != nil {
			return nil, explain.Provider{}, err
		}
		claims, err := explain.ParseClaims(doc)
		if err != nil {
			return nil, explain.Provider{}, fmt.Errorf("%s: %w", f.claimsFile, err)
		}
		iss, _ := claims["iss"].(string)
		prov, err := f.provider(ctx, role, iss)
		return claims, prov, err
	case f.job.repo != "":
		prov, err := f.provider(ctx, role, "")
		if err != nil {
			return nil, prov, err
		}
		job, err := f.job.jobContext()
		if err != nil {
			return nil, prov, err
		}
		claims, err := explain.JobClaims(job, prov.URL, f.audience)
		return claims, prov, err
	}
	return nil, explain.Provider{}, nil
}

// tokenClaims reads the token and returns its claims: verified against the provider's keys
// unless --decode-only. A token refused only for its audience is still simulated (its
// signature verified), so that the verdict says which audience it carries.
func (f *simulateFlags) tokenClaims(ctx context.Context, env Env, role *simRole) (map[string]any, explain.Provider, error) {
	raw := f.token
	var err error
	switch {
	case f.token == "-":
		raw, err = readToken(env.Stdin, "standard input")
	case f.tokenFile != "":
		raw, err = readTokenFile(f.tokenFile)
	}
	if err != nil {
		return nil, explain.Provider{}, err
	}
	claims, err := explain.DecodeToken(raw)
	if err != nil {
		return nil, explain.Provider{}, err
	}
	iss, _ := claims["iss"].(string)
	prov, err := f.provider(ctx, role, iss)
	if err != nil || f.decodeOnly {
		return claims, prov, err
	}
	v := oidc.NewVerifier(oidc.Options{InsecureAllowHTTPLoopback: true})
	_, err = v.Verify(ctx, raw, &oidc.Provider{URL: prov.URL, ClientIDs: prov.ClientIDs})
	if err != nil && !errors.Is(err, oidc.ErrAudience) {
		return nil, prov, fmt.Errorf("the token does not verify against %s (STS would refuse it): %w; "+
			"pass --decode-only to evaluate the trust policy on its claims anyway", prov.URL, err)
	}
	return claims, prov, nil
}

// provider resolves the provider a token comes from: --provider-url, else the token's iss,
// else the trust policy's first OIDC provider; its client IDs from --client-id, else the
// running inkan's registration, else sts.amazonaws.com.
func (f *simulateFlags) provider(ctx context.Context, role *simRole, iss string) (explain.Provider, error) {
	url := firstNonEmpty(f.providerURL, iss)
	if url == "" && role.trust != nil {
		_, url, _ = strings.Cut(explain.FirstProvider(role.trust), ":oidc-provider/")
	}
	if url == "" {
		return explain.Provider{}, usageErrorf("--provider-url is required: the trust policy names no OIDC provider")
	}
	url = explain.IssuerURL(url)
	p := explain.Provider{URL: url, ARN: explain.ProviderARN(role.account, url), ClientIDs: f.clientIDs}
	if len(p.ClientIDs) == 0 && role.client != nil {
		reg, err := role.client.GetOpenIDConnectProvider(ctx, p.ARN)
		if err != nil {
			return p, fmt.Errorf("provider %s (STS refuses tokens of an unregistered issuer): %w", p.ARN, err)
		}
		p.ClientIDs = reg.ClientIDs
	}
	if len(p.ClientIDs) == 0 {
		p.ClientIDs = []string{"sts.amazonaws.com"}
	}
	return p, nil
}

// simulatePermissions decides a session's request with the role's permission policies.
func (f *simulateFlags) simulatePermissions(ctx context.Context, env Env, role *simRole) (*explain.Result, error) {
	if f.resource == "" {
		return nil, usageErrorf("--action needs --resource ARN")
	}
	in := &explain.Permissions{Session: explain.Session{Account: role.account, RoleARN: role.arn, RoleID: role.id,
		SessionName: f.sessionName, Issued: time.Now()}, Action: f.action, Resource: f.resource, Secure: f.secure(role), Now: time.Now()}
	var err error
	if in.Context, err = f.contexts.pairs("context"); err != nil {
		return nil, err
	}
	tags, err := f.tags.pairs("tag")
	if err != nil {
		return nil, err
	}
	in.Session.Tags = map[string]string{}
	for k, v := range tags {
		in.Session.Tags[k] = v[len(v)-1]
	}
	if err := f.permissionPolicies(ctx, role, in); err != nil {
		return nil, err
	}
	claims, prov, err := f.claims(ctx, env, role)
	if err != nil {
		return nil, err
	}
	if claims != nil {
		in.Session.Provider, in.Session.Federated = prov.ARN, explain.SessionClaimKeys(prov.URL, claims, prov.ClientIDs)
	}
	return explain.SimulatePermissions(in)
}

// permissionPolicies loads the role's identity policies and boundary (running inkan, or
// --policy files), the --boundary override and the --session-policy.
func (f *simulateFlags) permissionPolicies(ctx context.Context, role *simRole, in *explain.Permissions) error {
	var err error
	if role.client != nil {
		if in.Identity, err = role.identityPolicies(ctx); err != nil {
			return err
		}
	}
	for _, path := range f.policies {
		p, err := readPolicyFile(path, policy.Identity)
		if err != nil {
			return err
		}
		in.Identity = append(in.Identity, p)
	}
	boundary := firstNonEmpty(f.boundary, role.boundaryARN)
	switch {
	case strings.HasPrefix(boundary, "arn:") && role.client == nil:
		return usageErrorf("--boundary %s: a managed policy ARN needs --role of a running inkan; pass a FILE", boundary)
	case strings.HasPrefix(boundary, "arn:"):
		in.Boundary, err = role.managedPolicy(ctx, boundary)
	case boundary != "":
		in.Boundary, err = readPolicyFile(boundary, policy.Identity)
	}
	if err != nil {
		return err
	}
	if f.sessionPolicy != "" {
		p, err := readPolicyFile(f.sessionPolicy, policy.Session)
		if err != nil {
			return err
		}
		in.SessionPolicies = []*policy.Policy{p}
	}
	return nil
}

// notRun gives an error of a lint that could not run its exit status.
func notRun(err error) error {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return &exitError{code: explain.StatusNotRun, err: err}
}

var severities = map[string]policy.Severity{"error": policy.Error, "warning": policy.Warning, "info": policy.Info}

var kinds = map[string]policy.Kind{"trust": policy.Trust, "identity": policy.Identity, "resource": policy.Resource, "session": policy.Session}

// policyLint is `inkan policy lint FILE|DIR…`. Exit status: 0 when no finding reaches
// --fail-on, 1 when warnings (or infos) reach it, 2 on any error finding (a file that does
// not parse is one), 3 when the lint could not run.
const lintUsage = `usage: inkan policy lint [flags] FILE|DIR...

Checks policy documents (every *.json file below a directory) with the trust-policy linter
and prints its findings as text (file:line:column: severity: …), JSON, or SARIF 2.1.0 for
code-scanning annotations. Exit status: 0 when no finding reaches --fail-on; 1 when
warnings (or infos) reach it; 2 when any finding is an error (a document that does not
parse is one); 3 when the lint could not run (bad flags, unreadable file).

flags:
`

func policyLint(env Env, args []string) error {
	fs := newFlagSet("policy lint", env)
	fs.Usage = func() { fmt.Fprint(env.Stderr, lintUsage); fs.PrintDefaults() }
	output := outputFlag(fs, "text", "json", "sarif")
	failOn := fs.String("fail-on", "error", "lowest severity that fails the run: error, warning or info (errors always exit 2)")
	kind := fs.String("kind", "trust", "kind of document: trust, identity, resource or session")
	var ids listFlag
	fs.Var(&ids, "client-id", "PROVIDER=CLIENT_ID: a client ID of an OIDC provider, to check aud conditions (repeatable)")
	paths, err := parseInterspersed(fs, args)
	if err != nil {
		return notRun(err)
	}
	sev, okSev := severities[*failOn]
	k, okKind := kinds[*kind]
	switch {
	case len(paths) == 0:
		return notRun(usageErrorf("name the policy files (or directories of *.json files) to lint"))
	case !okSev:
		return notRun(usageErrorf("--fail-on %q: want error, warning or info", *failOn))
	case !okKind:
		return notRun(usageErrorf("--kind %q: want trust, identity, resource or session", *kind))
	}
	if err := checkOutput(*output, "text", "json", "sarif"); err != nil {
		return notRun(err)
	}
	clientIDs, err := ids.pairs("client-id")
	if err != nil {
		return notRun(err)
	}
	reports, err := explain.LintFiles(paths, k, policy.LintOptions{ClientIDs: clientIDs, IncludeInfo: true})
	if err != nil {
		return notRun(err)
	}
	switch *output {
	case "json":
		err = explain.WriteFindingsJSON(env.Stdout, reports)
	case "sarif":
		err = explain.WriteFindingsSARIF(env.Stdout, reports, "")
	default:
		err = explain.WriteFindingsText(env.Stdout, reports)
	}
	if err != nil {
		return notRun(err)
	}
	if status := explain.Status(reports, sev); status != explain.StatusClean {
		c := explain.Count(reports)
		return &exitError{code: status, err: fmt.Errorf("findings: %d error(s), %d warning(s), %d info (--fail-on %s)", c.Errors, c.Warnings, c.Infos, *failOn)}
	}
	return nil
}
