package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// migrationFiles holds the DDL of every dialect, migrations/<dialect>/NNNN_name.sql.
//
//go:embed migrations
var migrationFiles embed.FS

// SchemaError reports a database whose schema version is newer than the
// newest migration this binary knows: it was written by a newer inkan, and
// opening it could corrupt it.
type SchemaError struct {
	Database int // the version recorded in the database
	Binary   int // the newest version this binary carries
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("database schema version %d is newer than this binary's %d: run a newer inkan", e.Database, e.Binary)
}

// migration is one numbered step of a dialect's schema.
type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads dir's NNNN_name.sql files in version order and checks
// that they are numbered 1, 2, 3… without gaps or repeats.
func loadMigrations(dir string) ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		m, err := parseMigrationName(e.Name())
		if err != nil {
			return nil, err
		}
		if m.version != len(out)+1 {
			return nil, fmt.Errorf("migration %q: want version %d", e.Name(), len(out)+1)
		}
		body, err := fs.ReadFile(migrationFiles, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		m.sql = string(body)
		out = append(out, m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no migrations in %q", dir)
	}
	return out, nil
}

// parseMigrationName splits "0001_initial.sql" into version 1 and name "initial".
func parseMigrationName(file string) (migration, error) {
	base, ok := strings.CutSuffix(file, ".sql")
	num, name, ok2 := strings.Cut(base, "_")
	if !ok || !ok2 || len(num) != 4 || name == "" {
		return migration{}, fmt.Errorf("migration file %q: want NNNN_name.sql", file)
	}
	v, err := strconv.Atoi(num)
	if err != nil || v < 1 {
		return migration{}, fmt.Errorf("migration file %q: bad version %q", file, num)
	}
	return migration{version: v, name: name}, nil
}

// migrate brings the database to the newest version of d's migrations, in
// one transaction, so that a failed step leaves the database as it was.
// Processes opening one new database at once serialise on the transaction
// (SQLite) or on d.migrationLock (PostgreSQL); the later ones find nothing
// to do.
func migrate(ctx context.Context, db *sql.DB, d dialect) error {
	ms, err := loadMigrations(d.migrations)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", classify(err))
	}
	defer tx.Rollback()
	for _, q := range []string{d.migrationLock, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL)`} {
		if q == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("migrate: %w", classify(err))
		}
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", classify(err))
	}
	latest := ms[len(ms)-1].version
	if current > latest {
		return &SchemaError{Database: current, Binary: latest}
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migrate: version %d (%s): %w", m.version, m.name, classify(err))
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.version, m.name); err != nil {
			return fmt.Errorf("migrate: version %d (%s): %w", m.version, m.name, classify(err))
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migrate: %w", classify(err))
	}
	return nil
}
