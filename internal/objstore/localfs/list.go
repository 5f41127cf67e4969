package localfs

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// cursor is where a scan starts: at key (inclusive) or after it; for
// uploads, after (key, id) when id is set. done means nothing is left.
type cursor struct {
	key       string
	id        string
	inclusive bool
	done      bool
}

// startCursor is the first position of a listing: after the marker, but
// past the whole common prefix the marker lies in, since that prefix was
// already returned (equivalently, only entries greater than the marker are
// listed, and a rolled-up prefix is never greater than a key inside it).
func startCursor(prefix, delimiter, marker, markerID string) cursor {
	c := cursor{key: prefix, inclusive: true}
	if marker != "" && marker >= prefix {
		c = cursor{key: marker, id: markerID}
	}
	if cp, ok := objstore.CommonPrefix(marker, prefix, delimiter); ok {
		end, ok := objstore.PrefixEnd(cp)
		if !ok {
			return cursor{done: true}
		}
		c = cursor{key: end, inclusive: true}
	}
	return c
}

// page is one page of a listing of entries of type T.
type page[T any] struct {
	items     []T
	prefixes  []string
	truncated bool
	// last is the last entry's key or common prefix; lastIsItem tells which.
	last       string
	lastIsItem bool
}

// entrySource yields the entries from c in key order, up to (excluding) end
// when bounded, until yield returns false.
type entrySource[T any] func(c cursor, end string, bounded bool, yield func(key string, v T) bool) error

// listPage builds a page of at most max entries, rolling keys up into
// common prefixes. After each common prefix it restarts the scan past the
// prefix, so rolled-up keys cost one index seek, not one row each.
func listPage[T any](prefix, delimiter string, max int, c cursor, scan entrySource[T]) (page[T], error) {
	var p page[T]
	end, bounded := objstore.PrefixEnd(prefix)
	for !c.done && max > 0 {
		next := cursor{done: true}
		err := scan(c, end, bounded, func(key string, v T) bool {
			if len(p.items)+len(p.prefixes) >= max {
				p.truncated = true
				return false
			}
			cp, ok := objstore.CommonPrefix(key, prefix, delimiter)
			if !ok {
				p.items, p.last, p.lastIsItem = append(p.items, v), key, true
				return true
			}
			p.prefixes, p.last, p.lastIsItem = append(p.prefixes, cp), cp, false
			if e, ok := objstore.PrefixEnd(cp); ok {
				next = cursor{key: e, inclusive: true}
			}
			return false
		})
		if err != nil || p.truncated {
			return p, err
		}
		c = next
	}
	return p, nil
}

// rangeSQL is the WHERE fragment and arguments selecting keys from c to end.
func rangeSQL(c cursor, end string, bounded bool) (string, []any) {
	var where string
	var args []any
	switch {
	case c.inclusive:
		where, args = ` AND key >= ?`, []any{[]byte(c.key)}
	case c.id != "":
		where, args = ` AND (key, id) > (?, ?)`, []any{[]byte(c.key), c.id}
	default:
		where, args = ` AND key > ?`, []any{[]byte(c.key)}
	}
	if bounded {
		where += ` AND key < ?`
		args = append(args, []byte(end))
	}
	return where, args
}

// eachRow runs query and calls f for each row until f returns false.
func eachRow(q querier, query string, args []any, f func(*sql.Rows) (bool, error)) error {
	rows, err := q.query(query, args...)
	if err != nil {
		return fmt.Errorf("localfs: list: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		more, err := f(rows)
		if err != nil || !more {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("localfs: list: %w", err)
	}
	return nil
}

// ListObjects implements objstore.Objects.
func (b *Backend) ListObjects(ctx context.Context, bucket string, opts objstore.ListOptions) (objstore.ListResult, error) {
	var res objstore.ListResult
	if err := objstore.CheckBucket(bucket); err != nil {
		return res, err
	}
	if err := objstore.CheckNames(opts.Prefix, opts.Delimiter, opts.After); err != nil {
		return res, err
	}
	err := b.idx.readTx(ctx, func(q querier) error {
		if err := requireBucket(q, bucket); err != nil {
			return err
		}
		c := startCursor(opts.Prefix, opts.Delimiter, opts.After, "")
		p, err := listPage(opts.Prefix, opts.Delimiter, opts.MaxKeys, c, objectScanner(q, bucket))
		res = objstore.ListResult{Objects: p.items, CommonPrefixes: p.prefixes, IsTruncated: p.truncated}
		if p.truncated {
			res.NextAfter = p.last
		}
		return err
	})
	return res, err
}

func objectScanner(q querier, bucket string) entrySource[objstore.ObjectInfo] {
	return func(c cursor, end string, bounded bool, yield func(string, objstore.ObjectInfo) bool) error {
		where, args := rangeSQL(c, end, bounded)
		query := `SELECT ` + objectCols + ` FROM objects WHERE bucket = ?` + where + ` ORDER BY key`
		return eachRow(q, query, append([]any{bucket}, args...), func(rows *sql.Rows) (bool, error) {
			r, err := scanObject(rows, bucket, false)
			if err != nil {
				return false, fmt.Errorf("localfs: list: %w", err)
			}
			return yield(r.info.Key, r.info), nil
		})
	}
}

// ListMultipartUploads implements objstore.Multipart.
func (b *Backend) ListMultipartUploads(ctx context.Context, bucket string, opts objstore.ListUploadsOptions) (objstore.ListUploadsResult, error) {
	var res objstore.ListUploadsResult
	if err := objstore.CheckBucket(bucket); err != nil {
		return res, err
	}
	if err := objstore.CheckNames(opts.Prefix, opts.Delimiter, opts.KeyMarker); err != nil {
		return res, err
	}
	idMarker := opts.UploadIDMarker
	if opts.KeyMarker == "" {
		idMarker = ""
	}
	err := b.idx.readTx(ctx, func(q querier) error {
		if err := requireBucket(q, bucket); err != nil {
			return err
		}
		c := startCursor(opts.Prefix, opts.Delimiter, opts.KeyMarker, idMarker)
		p, err := listPage(opts.Prefix, opts.Delimiter, opts.MaxUploads, c, uploadScanner(q, bucket))
		res = objstore.ListUploadsResult{Uploads: p.items, CommonPrefixes: p.prefixes, IsTruncated: p.truncated}
		if p.truncated {
			res.NextKeyMarker = p.last
			if p.lastIsItem {
				res.NextUploadIDMarker = p.items[len(p.items)-1].UploadID
			}
		}
		return err
	})
	return res, err
}

func uploadScanner(q querier, bucket string) entrySource[objstore.Upload] {
	return func(c cursor, end string, bounded bool, yield func(string, objstore.Upload) bool) error {
		where, args := rangeSQL(c, end, bounded)
		query := `SELECT key, id, initiated, meta FROM uploads WHERE bucket = ?` + where + ` ORDER BY key, id`
		return eachRow(q, query, append([]any{bucket}, args...), func(rows *sql.Rows) (bool, error) {
			var (
				key, meta []byte
				initiated int64
			)
			u := objstore.Upload{Bucket: bucket}
			if err := rows.Scan(&key, &u.UploadID, &initiated, &meta); err != nil {
				return false, fmt.Errorf("localfs: list uploads: %w", err)
			}
			u.Key, u.Initiated = string(key), time.Unix(0, initiated).UTC()
			var err error
			if u.Meta, _, u.Encryption, err = decodeStored(meta); err != nil {
				return false, err
			}
			return yield(u.Key, u), nil
		})
	}
}
