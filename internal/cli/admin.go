package cli

import (
	"context"
	"fmt"
	"strings"
)

// adminCmd is `inkan admin rotate-sealing-keys | rotate-encryption-keys | revoke-sessions ROLE | copy-store`:
// operations that no AWS tool names, on a running inkan or (copy-store) on its databases.
type adminCmd struct{}

const adminUsage = `usage: inkan admin <command> [flags]

  rotate-sealing-keys   retire the key that seals session tokens and make a new one (root only);
                        sessions sealed before keep working for their whole life
  rotate-encryption-keys
                        add a master key for objects encrypted at rest (root only); new
                        objects use it, objects stored before stay readable
  revoke-sessions ROLE  void every session of ROLE issued until now (IAM RevokeRoleSessions)
  copy-store --from <sqlite file or URL> --to <postgres:// URL>
                        copy a whole store into an empty one and verify it (works on the
                        databases, not through a running inkan)

Flags: --endpoint (INKAN_ENDPOINT), --region, --data-dir for the root credentials
(or INKAN_ROOT_ACCESS_KEY_ID / INKAN_ROOT_SECRET_ACCESS_KEY).`

// Run dispatches the admin subcommands.
func (adminCmd) Run(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(env.Stderr, adminUsage)
		if len(args) == 0 {
			return usageErrorf("name an admin command")
		}
		return nil
	}
	if args[0] == "copy-store" {
		return copyStore(ctx, env, args[1:])
	}
	fs := newFlagSet("admin "+args[0], env)
	var af adminFlags
	af.register(fs, env, true)
	rest, err := parseInterspersed(fs, args[1:])
	if err != nil {
		return err
	}
	c, err := af.client(env)
	if err != nil {
		return err
	}
	switch {
	case args[0] == "rotate-sealing-keys" && len(rest) == 0:
		if err := c.RotateSealingKeys(ctx); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "sealing keys rotated: new sessions are sealed with a new key; earlier ones stay valid until they expire")
	case args[0] == "rotate-encryption-keys" && len(rest) == 0:
		id, err := c.RotateEncryptionKeys(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "encryption keys rotated: new objects are encrypted under master key %s; objects stored before stay readable\n", id)
	case args[0] == "revoke-sessions" && len(rest) == 1:
		after, err := c.RevokeRoleSessions(ctx, rest[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "sessions of role %s issued before %s are revoked\n", rest[0], after)
	default:
		return usageErrorf("unknown admin command or arguments: %s\n\n%s", strings.Join(args, " "), adminUsage)
	}
	return nil
}
