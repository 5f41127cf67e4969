package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// explainCmd is `inkan explain REQUEST-ID`: the audit record of one decision, rendered.
type explainCmd struct{}

const explainUsage = `usage: inkan explain [flags] REQUEST-ID

Prints the decision inkan recorded for a request id (every AccessDenied carries one): the
verdict, the failing condition with its expected and presented values, every statement
evaluated, and the token's claims. The record comes from the admin API of a running inkan
(GET /_inkan/v1/decisions/{id}, as root or a caller allowed sts:DecodeAuthorizationMessage),
or, with --data-dir and no --endpoint, straight from <data-dir>/audit — where a running
server's newest records appear only once it flushes them (on a request through the admin
API, or when it stops).

flags:
`

// adminFlags locate a running inkan and the credentials to call it with.
type adminFlags struct {
	endpoint, region string
	dataDir          *string
}

// register adds --region and --data-dir, and --endpoint unless another flag set owns it.
func (f *adminFlags) register(fs *flag.FlagSet, env Env, endpoint bool) {
	if endpoint {
		fs.StringVar(&f.endpoint, "endpoint", firstNonEmpty(env.Getenv("INKAN_ENDPOINT"), defaultEndpoint), "URL of the running inkan (INKAN_ENDPOINT)")
	}
	fs.StringVar(&f.region, "region", firstNonEmpty(env.Getenv("AWS_REGION"), env.Getenv("AWS_DEFAULT_REGION")), "signing region (AWS_REGION)")
	f.dataDir = dataDirFlag(fs, env)
}

// client returns an awsclient for the endpoint, signed with, in order: INKAN_ROOT_ACCESS_KEY_ID
// and INKAN_ROOT_SECRET_ACCESS_KEY, the root credentials stored in --data-dir, or
// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
func (f *adminFlags) client(env Env) (*awsclient.Client, error) {
	creds := sigv4.Credentials{AccessKeyID: env.Getenv("INKAN_ROOT_ACCESS_KEY_ID"), SecretAccessKey: env.Getenv("INKAN_ROOT_SECRET_ACCESS_KEY")}
	if creds.AccessKeyID == "" {
		if root, err := readRootCredentials(*f.dataDir); err == nil {
			creds = sigv4.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: root.SecretAccessKey}
		}
	}
	if creds.AccessKeyID == "" {
		creds = sigv4.Credentials{AccessKeyID: env.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: env.Getenv("AWS_SECRET_ACCESS_KEY"),
			SessionToken: env.Getenv("AWS_SESSION_TOKEN")}
	}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return nil, fmt.Errorf("no credentials for %s: set INKAN_ROOT_ACCESS_KEY_ID and INKAN_ROOT_SECRET_ACCESS_KEY, "+
			"or pass the server's --data-dir (%s holds no %s)", f.endpoint, *f.dataDir, rootCredentialsFile)
	}
	return &awsclient.Client{Endpoint: f.endpoint, Region: f.region, Creds: creds}, nil
}

// flagSet reports whether the named flag was given on the command line.
func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// outputFlag registers --output with its allowed values, the first the default.
func outputFlag(fs *flag.FlagSet, values ...string) *string {
	return fs.String("output", values[0], "output format: "+joinOr(values))
}

func joinOr(values []string) string {
	s := ""
	for i, v := range values {
		switch {
		case i == 0:
		case i == len(values)-1:
			s += " or "
		default:
			s += ", "
		}
		s += v
	}
	return s
}

// checkOutput refuses an --output value not among values.
func checkOutput(output string, values ...string) error {
	for _, v := range values {
		if output == v {
			return nil
		}
	}
	return usageErrorf("--output %q: want %s", output, joinOr(values))
}

// parseInterspersed parses flags given before, between or after the arguments, and returns
// the arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			return positional, nil
		}
		positional = append(positional, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// Run fetches the record and renders it.
func (explainCmd) Run(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("explain", env)
	fs.Usage = func() { fmt.Fprint(env.Stderr, explainUsage); fs.PrintDefaults() }
	var af adminFlags
	af.register(fs, env, true)
	output := outputFlag(fs, "text", "json")
	ids, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(ids) != 1 {
		return usageErrorf("want one request id, got %d arguments (inkan explain -h)", len(ids))
	}
	if err := checkOutput(*output, "text", "json"); err != nil {
		return err
	}
	local := flagSet(fs, "data-dir") && !flagSet(fs, "endpoint")
	rec, err := findDecision(ctx, env, &af, local, ids[0])
	if err != nil {
		return err
	}
	if *output == "json" {
		return explain.WriteRecordJSON(env.Stdout, rec)
	}
	return explain.WriteRecord(env.Stdout, rec)
}

// findDecision reads the audit record of id from <data-dir>/audit (local) or the admin API.
func findDecision(ctx context.Context, env Env, af *adminFlags, local bool, id string) (*audit.Record, error) {
	if local {
		rec, err := audit.FindIn(filepath.Join(*af.dataDir, "audit"), id)
		if errors.Is(err, audit.ErrNotFound) {
			return nil, fmt.Errorf("no decision with request id %q in %s", id, filepath.Join(*af.dataDir, "audit"))
		}
		return rec, err
	}
	c, err := af.client(env)
	if err != nil {
		return nil, err
	}
	d, err := c.Decision(ctx, id)
	if awsclient.ErrorCode(err) == "NotFound" {
		return nil, fmt.Errorf("%s recorded no decision with request id %q (the audit log keeps a bounded history)", af.endpoint, id)
	}
	if err != nil {
		return nil, err
	}
	rec := audit.Record(*d)
	return &rec, nil
}

// writeAs renders v as JSON, or as text with the given renderer.
func writeAs[T any](out io.Writer, output string, v T, text func(io.Writer, T) error) error {
	if output == "json" {
		return explain.WriteJSON(out, v)
	}
	return text(out, v)
}
