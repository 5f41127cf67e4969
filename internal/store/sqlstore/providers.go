package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/inkan-dev/inkan/internal/store"
)

const providerColumns = `arn, url, client_ids, thumbprints, tags, claim_tags, create_date`

func scanProvider(sc scanner) (store.Provider, error) {
	var (
		p                                  store.Provider
		clientIDs, thumbs, tags, claimTags string
		created                            int64
	)
	if err := sc.Scan(&p.ARN, &p.URL, &clientIDs, &thumbs, &tags, &claimTags, &created); err != nil {
		return p, err
	}
	p.CreateDate = decodeTime(created)
	var err1, err2, err3, err4 error
	p.ClientIDs, err1 = decodeList[string]("client_ids", clientIDs)
	p.Thumbprints, err2 = decodeList[string]("thumbprints", thumbs)
	p.Tags, err3 = decodeTags(tags)
	p.ClaimTags, err4 = decodeClaimTags(claimTags)
	return p, firstErr(err1, err2, err3, err4)
}

// CreateProvider adds p; see store.Providers.
func (s *Store) CreateProvider(ctx context.Context, p store.Provider) error {
	if err := p.Check(); err != nil {
		return err
	}
	err := s.write(ctx, func(tx *sql.Tx) error { return insertProvider(ctx, tx, p) })
	return wrap(err, "create provider", p.ARN)
}

func insertProvider(ctx context.Context, tx *sql.Tx, p store.Provider) error {
	_, err := exec(ctx, tx, `INSERT INTO providers (`+providerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ARN, p.URL, encodeList(p.ClientIDs), encodeList(p.Thumbprints), encodeTags(p.Tags), encodeClaimTags(p.ClaimTags), encodeTime(p.CreateDate))
	return err
}

// GetProvider returns the provider with this ARN; see store.Providers.
func (s *Store) GetProvider(ctx context.Context, arn string) (store.Provider, error) {
	return getProvider(ctx, s.r, arn)
}

func getProvider(ctx context.Context, q querier, arn string) (store.Provider, error) {
	return queryOne(ctx, q, "provider", arn, scanProvider, `SELECT `+providerColumns+` FROM providers WHERE arn = $1`, arn)
}

// GetProviderByURL returns the provider with this URL; see store.Providers.
func (s *Store) GetProviderByURL(ctx context.Context, url string) (store.Provider, error) {
	return queryOne(ctx, s.r, "provider with URL", url, scanProvider, `SELECT `+providerColumns+` FROM providers WHERE url = $1`, url)
}

// ListProviders returns every provider by ARN; see store.Providers.
func (s *Store) ListProviders(ctx context.Context) ([]store.Provider, error) {
	ps, err := listProviders(ctx, s.r)
	return ps, wrap(err, "list providers", "")
}

func listProviders(ctx context.Context, q querier) ([]store.Provider, error) {
	return queryAll(ctx, q, scanProvider, `SELECT `+providerColumns+` FROM providers ORDER BY arn`)
}

// UpdateProvider is read-modify-write in one transaction; see store.Providers.
func (s *Store) UpdateProvider(ctx context.Context, arn string, fn func(*store.Provider) error) error {
	return update(ctx, s,
		func(tx *sql.Tx) (store.Provider, error) { return getProvider(ctx, tx, arn) },
		fn,
		func(before, after *store.Provider) error {
			if err := immutable("provider", arn, [3]string{"ARN", before.ARN, after.ARN}, [3]string{"URL", before.URL, after.URL}); err != nil {
				return err
			}
			return after.Check()
		},
		func(tx *sql.Tx, p *store.Provider) error {
			_, err := exec(ctx, tx, `UPDATE providers SET client_ids = $2, thumbprints = $3, tags = $4, claim_tags = $5, create_date = $6 WHERE arn = $1`,
				p.ARN, encodeList(p.ClientIDs), encodeList(p.Thumbprints), encodeTags(p.Tags), encodeClaimTags(p.ClaimTags), encodeTime(p.CreateDate))
			return err
		})
}

// DeleteProvider removes the provider with this ARN; see store.Providers.
func (s *Store) DeleteProvider(ctx context.Context, arn string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		return deleteOne(ctx, tx, "provider", arn, `DELETE FROM providers WHERE arn = $1`, arn)
	})
}

// deleteOne runs a DELETE of one record; no row deleted gives an error
// wrapping store.ErrNotFound.
func deleteOne(ctx context.Context, tx *sql.Tx, kind, key, query string, args ...any) error {
	n, err := exec(ctx, tx, query, args...)
	if err != nil {
		return fmt.Errorf("delete %s %q: %w", kind, key, err)
	}
	if n == 0 {
		return notFound(kind, key)
	}
	return nil
}

// wrap adds the operation and key to an error from the store itself,
// classified.
func wrap(err error, op, key string) error {
	switch {
	case err == nil:
		return nil
	case key == "":
		return fmt.Errorf("%s: %w", op, classify(err))
	default:
		return fmt.Errorf("%s %q: %w", op, key, classify(err))
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
