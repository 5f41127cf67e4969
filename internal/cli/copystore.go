package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

const copyStoreUsage = `usage: inkan admin copy-store --from <sqlite file or postgres:// URL> --to <postgres:// URL>

Copies everything a store holds (providers, roles, inline and managed policies and their
attachments, bucket policies, sealing keys retired ones included, blobs, and the decision
log) into an empty store, in one transaction, then compares the two. Stop the nodes that write to --from first. The target must be empty: no inkan node
may have started on it yet. Passwords come from the URLs or PGPASSWORD; --to's may come from
a file named by INKAN_STORE_PASSWORD_FILE.`

// copyStore is `inkan admin copy-store`: it works on the databases directly, not through a
// running inkan.
func copyStore(ctx context.Context, env Env, args []string) error {
	fs := newFlagSet("admin copy-store", env)
	from := fs.String("from", "", "the store to copy: a SQLite file (inkan.db in a data directory) or a postgres:// URL")
	to := fs.String("to", "", "the empty store to copy into: a postgres:// URL (or a SQLite file)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return usageErrorf("%s", copyStoreUsage)
	}
	password, err := readPasswordFile(env.Getenv("INKAN_STORE_PASSWORD_FILE"))
	if err != nil {
		return err
	}
	if !sqlstore.IsPostgres(*to) {
		password = ""
	}
	src, err := sqlstore.OpenLocation(ctx, *from, sqlstore.PostgresOptions{})
	if err != nil {
		return fmt.Errorf("--from %s: %w", sqlstore.RedactDSN(*from), err)
	}
	defer src.Close()
	dst, err := sqlstore.OpenLocation(ctx, *to, sqlstore.PostgresOptions{Password: password})
	if err != nil {
		return fmt.Errorf("--to %s: %w", sqlstore.RedactDSN(*to), err)
	}
	defer dst.Close()
	if _, err := sqlstore.Copy(ctx, dst, src); err != nil {
		if errors.Is(err, sqlstore.ErrTargetNotEmpty) {
			return fmt.Errorf("--to %s: %w; copy-store only fills a new, empty database (no inkan node may have started on it)", sqlstore.RedactDSN(*to), err)
		}
		return err
	}
	counts, err := sqlstore.Verify(ctx, src, dst)
	if err != nil {
		return fmt.Errorf("the copy in --to %s does not match --from: %w", sqlstore.RedactDSN(*to), err)
	}
	printCounts(env.Stdout, *from, *to, counts)
	return nil
}

func printCounts(w io.Writer, from, to string, c sqlstore.Counts) {
	fmt.Fprintf(w, "copied %s to %s and verified:\n", sqlstore.RedactDSN(from), sqlstore.RedactDSN(to))
	for _, row := range []struct {
		what string
		n    int64
	}{
		{"providers", int64(c.Providers)}, {"roles", int64(c.Roles)}, {"inline policies", int64(c.InlinePolicies)},
		{"managed policies", int64(c.ManagedPolicies)}, {"attachments", int64(c.Attachments)},
		{"bucket policies", int64(c.BucketPolicies)}, {"bucket settings", int64(c.BucketSettings)}, {"sealing keys", int64(c.SealingKeys)},
		{"blobs", int64(c.Blobs)}, {"decision records", c.Decisions},
	} {
		fmt.Fprintf(w, "  %-17s %d\n", row.what, row.n)
	}
}
