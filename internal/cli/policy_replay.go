package cli

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/audit"
	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/policy"
)

const replayUsage = `usage: inkan policy replay --role NAME --trust-policy FILE [--since 7d] [flags]

Replays the role's recorded AssumeRoleWithWebIdentity decisions (from the decision log of a
running inkan, through its admin API) against the trust policy in FILE with the production
evaluator, and lists those whose outcome would flip (allow to deny, deny to allow). Exits 1
when anything flips, so that CI can check a policy change against real traffic.

flags:
`

// replayMaxRecords bounds the records one replay fetches.
const replayMaxRecords = 20000

// policyReplay is `inkan policy replay`.
func policyReplay(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("policy replay", env)
	fs.Usage = func() { fmt.Fprint(env.Stderr, replayUsage); fs.PrintDefaults() }
	var af adminFlags
	af.register(fs, env, true)
	role := fs.String("role", "", "the role whose decisions to replay (required)")
	trustFile := fs.String("trust-policy", "", "the edited trust policy FILE (required)")
	since := fs.String("since", "7d", "how far back to replay: a duration such as 36h, or days such as 7d")
	output := outputFlag(fs, "text", "json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *role == "" || *trustFile == "" || fs.NArg() > 0 {
		return usageErrorf("pass --role NAME and --trust-policy FILE (inkan policy replay -h)")
	}
	if err := checkOutput(*output, "text", "json"); err != nil {
		return err
	}
	age, err := parseAge(*since)
	if err != nil {
		return usageErrorf("--since %q: %v", *since, err)
	}
	trust, err := readPolicyFile(*trustFile, policy.Trust)
	if err != nil {
		return err
	}
	c, err := af.client(env)
	if err != nil {
		return err
	}
	rep, err := replayRemote(ctx, c, *role, trust, time.Now().Add(-age), strings.HasPrefix(af.endpoint, "https://"))
	if err != nil {
		return err
	}
	if err := writeAs(env.Stdout, *output, rep, explain.WriteReplay); err != nil {
		return err
	}
	if len(rep.Flips) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d recorded decisions would flip", len(rep.Flips))}
	}
	return nil
}

// parseAge reads 7d or a Go duration.
func parseAge(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			return 0, errors.New("want a number of days such as 7d, or a duration such as 36h")
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, errors.New("want a number of days such as 7d, or a duration such as 36h")
	}
	return d, nil
}

// replayRemote fetches the role, its recorded STS decisions since from and the providers
// they name, then replays them.
func replayRemote(ctx context.Context, c *awsclient.Client, name string, trust *policy.Policy, from time.Time, secure bool) (*explain.ReplayReport, error) {
	role, err := c.GetRole(ctx, name)
	if err != nil {
		return nil, err
	}
	q := url.Values{"role": {role.RoleName}, "service": {"sts"}, "since": {from.UTC().Format(time.RFC3339Nano)}}
	var records []*audit.Record
	for len(records) < replayMaxRecords {
		page, err := c.Decisions(ctx, q)
		if err != nil {
			return nil, err
		}
		for i := range page.Decisions {
			records = append(records, &page.Decisions[i])
		}
		if page.Next == 0 {
			break
		}
		q.Set("before", strconv.FormatInt(page.Next, 10))
	}
	provs := map[string]explain.Provider{}
	for _, rec := range records {
		if _, seen := provs[rec.Provider]; seen || rec.Provider == "" {
			continue
		}
		p, err := c.GetOpenIDConnectProvider(ctx, rec.Provider)
		if awsclient.ErrorCode(err) == "NoSuchEntity" {
			continue
		}
		if err != nil {
			return nil, err
		}
		provs[rec.Provider] = explain.Provider{URL: p.URL, ARN: rec.Provider, ClientIDs: p.ClientIDs}
	}
	account := ""
	if parts := strings.Split(role.Arn, ":"); len(parts) > 4 {
		account = parts[4]
	}
	rp := &explain.Replay{Account: account, RoleARN: role.Arn, Trust: trust, Providers: provs, Secure: secure}
	return rp.Run(records)
}
