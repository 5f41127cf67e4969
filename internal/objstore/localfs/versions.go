package localfs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// Versions live in two tables. objects holds each key's current version when
// it is an object, exactly as before versioning existed, so the plain
// PUT/GET/HEAD/ListObjects queries are unchanged. versions holds every other
// version: noncurrent objects and all delete markers (current or not),
// ordered within a key by seq, which grows with each version the key gets
// (the newest has the highest). The invariant: a key's newest version is in
// objects if it is an object, else it is the versions row with the highest
// seq (a delete marker). A version moving between the tables keeps its data
// files' references: only a version that leaves both tables releases them.
//
// Version ids are 32 lower-case hex digits: the commit time in nanoseconds,
// then 64 random bits (Backend.newVersionID). They are opaque to clients; that they
// sort by creation only helps humans reading the index, since seq orders the
// versions of a key. objstore.NullVersion names the null version.

// ListObjectVersions implements objstore.Objects.
func (b *Backend) ListObjectVersions(ctx context.Context, bucket string, opts objstore.ListVersionsOptions) (objstore.ListVersionsResult, error) {
	var res objstore.ListVersionsResult
	if err := objstore.CheckBucket(bucket); err != nil {
		return res, err
	}
	if err := objstore.CheckNames(opts.Prefix, opts.Delimiter, opts.KeyMarker); err != nil {
		return res, err
	}
	err := b.idx.readTx(ctx, func(q querier) error {
		if err := requireBucket(q, bucket); err != nil {
			return err
		}
		seq := ""
		if opts.KeyMarker != "" && opts.VersionIDMarker != "" {
			s, ok, err := versionSeq(q, bucket, opts.KeyMarker, opts.VersionIDMarker)
			if err != nil {
				return err
			}
			if ok {
				seq = strconv.FormatInt(s, 10)
			}
		}
		c := startCursor(opts.Prefix, opts.Delimiter, opts.KeyMarker, seq)
		p, err := listPage(opts.Prefix, opts.Delimiter, opts.MaxKeys, c, versionScanner(q, bucket))
		res = objstore.ListVersionsResult{Versions: p.items, CommonPrefixes: p.prefixes, IsTruncated: p.truncated}
		if p.truncated {
			res.NextKeyMarker = p.last
			if p.lastIsItem {
				res.NextVersionIDMarker = p.items[len(p.items)-1].VersionID
			}
		}
		return err
	})
	return res, err
}

// currentSeq stands for the objects row in version order: above every seq.
const currentSeq = math.MaxInt64

// versionSeq finds where version vid of key sorts; ok is false when key has
// no such version (the listing then continues after key).
func versionSeq(q querier, bucket, key, vid string) (int64, bool, error) {
	var seq int64
	err := q.queryRow(`SELECT `+strconv.FormatInt(currentSeq, 10)+` FROM objects WHERE bucket = ? AND key = ? AND vid = ?
		UNION ALL SELECT seq FROM versions WHERE bucket = ? AND key = ? AND vid = ?`,
		bucket, []byte(key), vid, bucket, []byte(key), vid).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("localfs: read version: %w", err)
	}
	return seq, true, nil
}

// versionListCols are the columns versionScanner reads, from either table.
const versionListCols = `key, vid, marker, seq, size, etag, modified, parts, meta`

// versionScanner yields every version from c in key order, newest first
// within a key. A cursor with an id (a seq) first finishes its own key with
// the versions older than that seq.
func versionScanner(q querier, bucket string) entrySource[objstore.ObjectInfo] {
	return func(c cursor, end string, bounded bool, yield func(string, objstore.ObjectInfo) bool) error {
		more := true
		emit := func(latest bool) func(*sql.Rows) (bool, error) {
			prev := ""
			first := true
			return func(rows *sql.Rows) (bool, error) {
				info, err := scanListedVersion(rows, bucket)
				if err != nil {
					return false, err
				}
				info.IsLatest = latest && (first || info.Key != prev)
				first, prev = false, info.Key
				more = yield(info.Key, info)
				return more, nil
			}
		}
		if c.id != "" {
			seq, _ := strconv.ParseInt(c.id, 10, 64)
			err := eachRow(q, `SELECT `+versionListCols+` FROM versions WHERE bucket = ? AND key = ? AND seq < ? ORDER BY seq DESC`,
				[]any{bucket, []byte(c.key), seq}, emit(false))
			if err != nil || !more {
				return err
			}
			c.id = ""
		}
		where, args := rangeSQL(c, end, bounded)
		all := append(append([]any{bucket}, args...), append([]any{bucket}, args...)...)
		return eachRow(q, versionRangeQuery(where), all, emit(true))
	}
}

// versionRangeQuery selects the versions of both tables in the key range
// where (rangeSQL's, bound twice), in listing order. A compound SELECT
// ordered by its columns is a merge of the two index scans, each in that
// order already, so a page costs its size; a subquery would be sorted whole
// in a temporary b-tree (TestVersionListingMergesTwoIndexScans).
func versionRangeQuery(where string) string {
	return `SELECT key, vid, 0 AS marker, ` + strconv.FormatInt(currentSeq, 10) + ` AS seq, size, etag, modified, parts, meta
		FROM objects WHERE bucket = ?` + where + `
		UNION ALL
		SELECT ` + versionListCols + ` FROM versions WHERE bucket = ?` + where + `
		ORDER BY 1, 4 DESC`
}

func scanListedVersion(rows *sql.Rows, bucket string) (objstore.ObjectInfo, error) {
	var (
		info      objstore.ObjectInfo
		key, meta []byte
		modified  int64
		seq       int64
	)
	if err := rows.Scan(&key, &info.VersionID, &info.DeleteMarker, &seq, &info.Size, &info.ETag, &modified,
		&info.PartsCount, &meta); err != nil {
		return info, fmt.Errorf("localfs: list versions: %w", err)
	}
	info.Bucket, info.Key, info.LastModified = bucket, string(key), time.Unix(0, modified).UTC()
	var err error
	if info.Meta, _, info.Encryption, err = decodeStored(meta); err != nil {
		return info, err
	}
	return info, nil
}

// PutBucketVersioning implements objstore.Buckets.
func (b *Backend) PutBucketVersioning(ctx context.Context, bucket, status string) error {
	if err := objstore.CheckBucket(bucket); err != nil {
		return err
	}
	if status != objstore.VersioningEnabled && status != objstore.VersioningSuspended {
		return fmt.Errorf("%w: versioning status %q", objstore.ErrInvalidArgument, status)
	}
	err := b.idx.write(ctx, func(w *wtx) error {
		res, err := w.exec(`UPDATE buckets SET versioning = ? WHERE name = ?`, status, bucket)
		if err != nil {
			return fmt.Errorf("localfs: set versioning: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: %q", objstore.ErrNoSuchBucket, bucket)
		}
		return nil
	})
	if err == nil {
		b.buckets.setVersioning(bucket, status)
	}
	return err
}

// bucketState reads the bucket's versioning state inside a write;
// ErrNoSuchBucket when it does not exist.
func bucketState(q querier, bucket string) (string, error) {
	var state string
	err := q.queryRow(`SELECT versioning FROM buckets WHERE name = ?`, bucket).Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("%w: %q", objstore.ErrNoSuchBucket, bucket)
	}
	if err != nil {
		return "", fmt.Errorf("localfs: read bucket: %w", err)
	}
	return state, nil
}

// shown is info as a caller sees it: the null version of a bucket whose
// versioning was never configured has no version id. The state comes from
// the bucket hint; a read racing the first PutBucketVersioning may show ""
// for "null", which names the same version.
func (b *Backend) shown(info objstore.ObjectInfo) objstore.ObjectInfo {
	if info.VersionID == objstore.NullVersion && b.buckets.versioning(info.Bucket) == "" {
		info.VersionID = ""
	}
	return info
}

// checkVersionID refuses an id this backend never issues.
func checkVersionID(vid string) error {
	if vid == "" || vid == objstore.NullVersion {
		return nil
	}
	if len(vid) != 32 {
		return fmt.Errorf("%w: %q", objstore.ErrInvalidVersionID, vid)
	}
	for _, c := range []byte(vid) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return fmt.Errorf("%w: %q", objstore.ErrInvalidVersionID, vid)
		}
	}
	return nil
}

// versionCols are the columns of a versions row after bucket and key.
const versionCols = `seq, vid, marker, size, etag, modified, parts, meta, segs`

// versionRow is a versions row.
type versionRow struct {
	objectRow
	seq int64
}

func scanVersion(sc rowScanner, bucket, key string) (versionRow, error) {
	var (
		v          versionRow
		meta, segs []byte
		modified   int64
	)
	err := sc.Scan(&v.seq, &v.info.VersionID, &v.info.DeleteMarker, &v.info.Size, &v.info.ETag, &modified,
		&v.info.PartsCount, &meta, &segs)
	if err != nil {
		return v, err
	}
	v.info.Bucket, v.info.Key, v.info.LastModified = bucket, key, time.Unix(0, modified).UTC()
	if v.info.Meta, v.parts, v.info.Encryption, err = decodeStored(meta); err != nil {
		return v, err
	}
	v.segs, err = decodeSegments(segs)
	return v, err
}

// findVersion reads one versions row of key: by vid, or the newest when vid
// is "". ok is false when there is none.
func findVersion(q querier, bucket, key, vid string) (versionRow, bool, error) {
	query := `SELECT ` + versionCols + ` FROM versions WHERE bucket = ? AND key = ? AND vid = ?`
	args := []any{bucket, []byte(key), vid}
	if vid == "" {
		query = `SELECT ` + versionCols + ` FROM versions WHERE bucket = ? AND key = ? ORDER BY seq DESC LIMIT 1`
		args = args[:2]
	}
	v, err := scanVersion(q.queryRow(query, args...), bucket, key)
	if errors.Is(err, sql.ErrNoRows) {
		return v, false, nil
	}
	if err != nil {
		return v, false, fmt.Errorf("localfs: read version: %w", err)
	}
	return v, true, nil
}

// lookupRead reads the version a read names: the current one when vid is
// "", with objstore.Objects.GetObject's errors.
func lookupRead(q querier, bucket, key, vid string) (objectRow, error) {
	if err := checkVersionID(vid); err != nil {
		return objectRow{}, err
	}
	r, err := lookupObject(q, bucket, key)
	if err == nil && (vid == "" || r.info.VersionID == vid) {
		return r, nil
	}
	if err != nil && !errors.Is(err, objstore.ErrNoSuchKey) {
		return r, err
	}
	v, ok, verr := findVersion(q, bucket, key, vid)
	switch {
	case verr != nil:
		return r, verr
	case vid == "" && ok && v.info.DeleteMarker:
		v.info.IsLatest = true
		return r, &objstore.DeleteMarkerError{Info: v.info}
	case vid == "":
		return r, err
	case !ok:
		if err := requireBucket(q, bucket); err != nil {
			return r, err
		}
		return r, fmt.Errorf("%w: %q of %q", objstore.ErrNoSuchVersion, vid, key)
	case v.info.DeleteMarker:
		return r, &objstore.DeleteMarkerError{Info: v.info, Named: true}
	}
	return v.objectRow, nil
}

// nextSeq is the seq of a new newest version of key in versions.
func (w *wtx) nextSeq(bucket, key string) (int64, error) {
	var seq int64
	err := w.queryRow(`SELECT COALESCE(MAX(seq), 0) + 1 FROM versions WHERE bucket = ? AND key = ?`, bucket, []byte(key)).Scan(&seq)
	if err != nil {
		return 0, fmt.Errorf("localfs: read versions: %w", err)
	}
	return seq, nil
}

// addVersion stores r as key's newest entry in versions (a noncurrent
// object, or a delete marker), taking over its data references.
func (w *wtx) addVersion(r objectRow) error {
	seq, err := w.nextSeq(r.info.Bucket, r.info.Key)
	if err != nil {
		return err
	}
	_, err = w.exec(`INSERT INTO versions(bucket, key, `+versionCols+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		r.info.Bucket, []byte(r.info.Key), seq, r.info.VersionID, r.info.DeleteMarker, r.info.Size, r.info.ETag,
		r.info.LastModified.UnixNano(), r.info.PartsCount, encodeStored(r.info.Meta, r.parts, r.info.Encryption), encodeSegments(r.segs))
	if err != nil {
		return fmt.Errorf("localfs: write version: %w", err)
	}
	return nil
}

// removeVersion deletes a versions row and releases its data.
func (w *wtx) removeVersion(v versionRow) error {
	_, err := w.exec(`DELETE FROM versions WHERE bucket = ? AND key = ? AND seq = ?`, v.info.Bucket, []byte(v.info.Key), v.seq)
	if err != nil {
		return fmt.Errorf("localfs: delete version: %w", err)
	}
	return w.unref(v.segs)
}

// dropNull removes key's null version from versions, if it has one there.
func (w *wtx) dropNull(bucket, key string) error {
	v, ok, err := findVersion(w, bucket, key, objstore.NullVersion)
	if err != nil || !ok {
		return err
	}
	return w.removeVersion(v)
}

// retire makes old, the current object of its key, leave objects as the
// bucket's state says: kept as a noncurrent version, or released when it is
// to be replaced (never versioned, or its null version while suspended).
// The caller then overwrites or deletes the objects row.
func (w *wtx) retire(state string, old objectRow) error {
	if state == "" || state == objstore.VersioningSuspended && old.info.VersionID == objstore.NullVersion {
		return w.unref(old.segs)
	}
	old.info.DeleteMarker = false
	return w.addVersion(old)
}

// newVersionID is the id a new version gets in a bucket of state: "" when
// never versioned, the null version while suspended.
func newVersionID(state string, ids func() (string, error)) (string, error) {
	switch state {
	case "":
		return "", nil
	case objstore.VersioningEnabled:
		return ids()
	}
	return objstore.NullVersion, nil
}

// replaceObject makes r the current version of its key, after checking pre
// against the version it replaces, as the bucket's versioning state says
// (objstore.Backend); it sets r's version id. ids makes new version ids.
func (w *wtx) replaceObject(r *objectRow, pre objstore.Precondition, ids func() (string, error)) error {
	bucket, key := r.info.Bucket, r.info.Key
	state, err := bucketState(w, bucket)
	if err != nil {
		return err
	}
	old, exists, err := w.currentObject(bucket, key)
	if err != nil {
		return err
	}
	if err := pre.Check(exists, old.info.ETag); err != nil {
		return err
	}
	if r.info.VersionID, err = newVersionID(state, ids); err != nil {
		return err
	}
	if exists {
		if err := w.retire(state, old); err != nil {
			return err
		}
	}
	if state == objstore.VersioningSuspended {
		if err := w.dropNull(bucket, key); err != nil {
			return err
		}
	}
	return w.putCurrent(*r)
}

// deleteObject deletes key as the bucket's versioning state says, when pre
// holds for its current version: removes it, or replaces it with a delete
// marker made at now.
func (w *wtx) deleteObject(bucket, key string, pre objstore.Precondition, now time.Time, ids func() (string, error)) (objstore.DeleteResult, error) {
	var res objstore.DeleteResult
	state, err := bucketState(w, bucket)
	if err != nil {
		return res, err
	}
	old, exists, err := w.currentObject(bucket, key)
	if err != nil {
		return res, err
	}
	if err := pre.Check(exists, old.info.ETag); err != nil || state == "" && !exists {
		return res, err
	}
	if exists {
		if err := w.retire(state, old); err != nil {
			return res, err
		}
		if err := w.dropCurrent(bucket, key); err != nil {
			return res, err
		}
	}
	if state == "" {
		return res, nil
	}
	if state == objstore.VersioningSuspended {
		if err := w.dropNull(bucket, key); err != nil {
			return res, err
		}
	}
	marker := objectRow{info: objstore.ObjectInfo{Bucket: bucket, Key: key, LastModified: now, DeleteMarker: true}}
	if marker.info.VersionID, err = newVersionID(state, ids); err != nil {
		return res, err
	}
	res = objstore.DeleteResult{VersionID: marker.info.VersionID, DeleteMarker: true}
	return res, w.addVersion(marker)
}

// deleteVersion removes version vid of key permanently, when pre holds for
// it; when it was the newest, the next newest becomes current. A vid naming
// nothing deletes nothing.
func (w *wtx) deleteVersion(bucket, key, vid string, pre objstore.Precondition) (objstore.DeleteResult, error) {
	res := objstore.DeleteResult{VersionID: vid}
	if err := requireBucket(w, bucket); err != nil {
		return res, err
	}
	cur, exists, err := w.currentObject(bucket, key)
	if err != nil {
		return res, err
	}
	if exists && cur.info.VersionID == vid {
		if err := pre.Check(true, cur.info.ETag); err != nil {
			return res, err
		}
		if err := w.dropCurrent(bucket, key); err != nil {
			return res, err
		}
		if err := w.unref(cur.segs); err != nil {
			return res, err
		}
		return res, w.promote(bucket, key)
	}
	v, ok, err := findVersion(w, bucket, key, vid)
	if err != nil {
		return res, err
	}
	if err := pre.Check(ok && !v.info.DeleteMarker, v.info.ETag); err != nil || !ok {
		return res, err
	}
	res.DeleteMarker = v.info.DeleteMarker
	if err := w.removeVersion(v); err != nil {
		return res, err
	}
	if exists {
		return res, nil
	}
	return res, w.promote(bucket, key)
}

// promote restores the invariant after key's current version went away: its
// newest remaining version, when it is an object, moves to objects.
func (w *wtx) promote(bucket, key string) error {
	v, ok, err := findVersion(w, bucket, key, "")
	if err != nil || !ok || v.info.DeleteMarker {
		return err
	}
	if _, err := w.exec(`DELETE FROM versions WHERE bucket = ? AND key = ? AND seq = ?`, bucket, []byte(key), v.seq); err != nil {
		return fmt.Errorf("localfs: delete version: %w", err)
	}
	return w.putCurrent(v.objectRow)
}

// holdsVersions reports whether the bucket has any versions row.
func holdsVersions(q querier, bucket string) (bool, error) {
	var one int
	err := q.queryRow(`SELECT 1 FROM versions WHERE bucket = ? LIMIT 1`, bucket).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("localfs: read versions: %w", err)
	}
	return true, nil
}
