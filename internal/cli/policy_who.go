package cli

import (
	"context"
	"errors"

	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/explain"
	"github.com/inkan-dev/inkan/internal/policy"
)

// policyWhoCanAssume is `inkan policy who-can-assume ROLE | --trust-policy FILE`.
func policyWhoCanAssume(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("policy who-can-assume", env)
	var af adminFlags
	af.register(fs, env, true)
	trustFile := fs.String("trust-policy", "", "trust policy FILE, instead of a role of a running inkan")
	var ids listFlag
	fs.Var(&ids, "client-id", "PROVIDER=CLIENT_ID, with --trust-policy (repeatable; a running inkan's registrations are used otherwise)")
	output := outputFlag(fs, "text", "json")
	roles, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := checkOutput(*output, "text", "json"); err != nil {
		return err
	}
	var trust *policy.Policy
	opts := policy.LintOptions{}
	switch {
	case len(roles) == 1 && *trustFile == "":
		c, err := af.client(env)
		if err != nil {
			return err
		}
		if trust, opts.ClientIDs, err = remoteTrust(ctx, c, roles[0]); err != nil {
			return err
		}
	case len(roles) == 0 && *trustFile != "":
		if trust, err = readPolicyFile(*trustFile, policy.Trust); err != nil {
			return err
		}
		if opts.ClientIDs, err = ids.pairs("client-id"); err != nil {
			return err
		}
	default:
		return usageErrorf("name one role, or pass --trust-policy FILE")
	}
	a := explain.WhoCanAssume(trust, opts)
	if err := writeAs(env.Stdout, *output, a, explain.WriteAnalysis); err != nil {
		return err
	}
	// Like lint: an error-level finding (an unscoped shared issuer…) fails the command.
	if policy.HasError(a.Findings) {
		return &exitError{code: explain.StatusErrors, err: errors.New("the trust policy has error findings")}
	}
	return nil
}

// remoteTrust fetches a role's trust policy and every registered provider's client IDs.
func remoteTrust(ctx context.Context, c *awsclient.Client, role string) (*policy.Policy, map[string][]string, error) {
	r, err := fetchRole(ctx, c, role)
	if err != nil {
		return nil, nil, err
	}
	arns, err := c.ListOpenIDConnectProviders(ctx)
	if err != nil {
		return nil, nil, err
	}
	ids := map[string][]string{}
	for _, a := range arns {
		p, err := c.GetOpenIDConnectProvider(ctx, a)
		if err != nil {
			return nil, nil, err
		}
		ids[p.URL] = p.ClientIDs
	}
	return r.trust, ids, nil
}
