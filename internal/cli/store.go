package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/store"
	"github.com/inkan-dev/inkan/internal/store/sqlstore"
)

// openStore opens the store cfg selects: the SQLite file in the data directory, or the
// PostgreSQL database of cfg.Store with the password from cfg.StorePasswordFile, if set. It
// logs which store it opens, the URL's password masked.
func openStore(ctx context.Context, cfg config.Config, logger *slog.Logger) (store.Store, error) {
	if !cfg.IsPostgres() {
		return sqlstore.Open(ctx, filepath.Join(cfg.DataDir, "inkan.db"))
	}
	password, err := readPasswordFile(cfg.StorePasswordFile)
	if err != nil {
		return nil, err
	}
	redacted := sqlstore.RedactDSN(cfg.Store)
	logger.Info("store: PostgreSQL", "url", redacted)
	warnLocalObjects(cfg, logger)
	st, err := sqlstore.OpenPostgres(ctx, cfg.Store, sqlstore.PostgresOptions{Password: password, Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("store %s: %w", redacted, err)
	}
	return st, nil
}

// warnLocalObjects says loudly that objects kept on this node's disk are not shared with the
// other nodes of a PostgreSQL store (issue "Local objects belong to one node").
func warnLocalObjects(cfg config.Config, logger *slog.Logger) {
	logger.Warn("OBJECTS ARE LOCAL TO THIS NODE: the store is shared (PostgreSQL) but S3 objects are kept on this node's disk; "+
		"objects written through this node are not visible on other nodes, and theirs not here. "+
		"With several nodes, front a shared S3-compatible object store (see docs/upstream.md)",
		"objects", filepath.Join(cfg.DataDir, "objects"))
}

// maxPasswordBytes bounds a password file.
const maxPasswordBytes = 4096

// readPasswordFile reads the store password from path (none when path is empty): once, at
// start, with one trailing newline dropped. A file that every user may read is refused: it
// holds a database password.
func readPasswordFile(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("store_password_file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", fmt.Errorf("store_password_file: %w", err)
	}
	if fi.Mode().Perm()&0o004 != 0 {
		return "", fmt.Errorf("store_password_file %s: every user may read it (mode %v): chmod o-r it", path, fi.Mode().Perm())
	}
	b, err := io.ReadAll(io.LimitReader(f, maxPasswordBytes+1))
	if err != nil {
		return "", fmt.Errorf("store_password_file %s: %w", path, err)
	}
	if len(b) > maxPasswordBytes {
		return "", fmt.Errorf("store_password_file %s: longer than %d bytes: not a password", path, maxPasswordBytes)
	}
	password := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if password == "" {
		return "", fmt.Errorf("store_password_file %s: empty", path)
	}
	return password, nil
}
