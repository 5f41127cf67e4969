package localfs

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// objectRow is an objects row: the object's description and its bytes.
type objectRow struct {
	info objstore.ObjectInfo
	segs []segment
	// parts are a multipart object's parts (numbers, sizes, checksums), nil
	// for another object or one written before they were recorded.
	parts []objstore.PartInfo
}

// objectCols are the columns of an objects row after its bucket. vid is the
// version id, objstore.NullVersion for the null version (every object of a
// bucket never versioned: see Backend.shown).
const objectCols = `key, size, etag, modified, parts, meta, segs, vid`

// scanObject reads objectCols into a row of bucket.
func scanObject(sc rowScanner, bucket string, withSegs bool) (objectRow, error) {
	var (
		r               objectRow
		key, meta, segs []byte
		modified        int64
	)
	err := sc.Scan(&key, &r.info.Size, &r.info.ETag, &modified, &r.info.PartsCount, &meta, &segs, &r.info.VersionID)
	if err != nil {
		return r, err
	}
	r.info.Bucket, r.info.Key = bucket, string(key)
	r.info.LastModified = time.Unix(0, modified).UTC()
	r.info.IsLatest = true
	if r.info.Meta, r.parts, r.info.Encryption, err = decodeStored(meta); err != nil {
		return r, err
	}
	if withSegs {
		if r.segs, err = decodeSegments(segs); err != nil {
			return r, err
		}
	}
	return r, nil
}

// lookupObject reads the current version of key; ErrNoSuchKey or
// ErrNoSuchBucket when missing.
func lookupObject(q querier, bucket, key string) (objectRow, error) {
	row := q.queryRow(`SELECT `+objectCols+` FROM objects WHERE bucket = ? AND key = ?`, bucket, []byte(key))
	r, err := scanObject(row, bucket, true)
	if errors.Is(err, sql.ErrNoRows) {
		if err := requireBucket(q, bucket); err != nil {
			return r, err
		}
		return r, fmt.Errorf("%w: %q", objstore.ErrNoSuchKey, key)
	}
	if err != nil {
		return r, fmt.Errorf("localfs: read object: %w", err)
	}
	return r, nil
}

// requireBucket returns ErrNoSuchBucket unless bucket exists.
func requireBucket(q querier, bucket string) error {
	var one int
	err := q.queryRow(`SELECT 1 FROM buckets WHERE name = ?`, bucket).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %q", objstore.ErrNoSuchBucket, bucket)
	}
	if err != nil {
		return fmt.Errorf("localfs: read bucket: %w", err)
	}
	return nil
}

// currentObject reads key's current version inside a write; ok is false
// when there is none.
func (w *wtx) currentObject(bucket, key string) (r objectRow, ok bool, err error) {
	r, err = lookupObject(w, bucket, key)
	if errors.Is(err, objstore.ErrNoSuchKey) {
		return r, false, nil
	}
	return r, err == nil, err
}

// putCurrent writes r as the objects row of its key, inserting or
// overwriting; r.info.VersionID "" is stored as the null version.
func (w *wtx) putCurrent(r objectRow) error {
	vid := r.info.VersionID
	if vid == "" {
		vid = objstore.NullVersion
	}
	_, err := w.exec(`INSERT INTO objects(bucket, `+objectCols+`) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(bucket, key) DO UPDATE SET size = excluded.size, etag = excluded.etag,
		modified = excluded.modified, parts = excluded.parts, meta = excluded.meta, segs = excluded.segs,
		vid = excluded.vid`,
		r.info.Bucket, []byte(r.info.Key), r.info.Size, r.info.ETag, r.info.LastModified.UnixNano(),
		r.info.PartsCount, encodeStored(r.info.Meta, r.parts, r.info.Encryption), encodeSegments(r.segs), vid)
	if err != nil {
		return fmt.Errorf("localfs: write object: %w", err)
	}
	return nil
}

// dropCurrent deletes key's objects row (not its data).
func (w *wtx) dropCurrent(bucket, key string) error {
	if _, err := w.exec(`DELETE FROM objects WHERE bucket = ? AND key = ?`, bucket, []byte(key)); err != nil {
		return fmt.Errorf("localfs: delete object: %w", err)
	}
	return nil
}

// addBlob records a newly written data file with one reference.
func (w *wtx) addBlob(id blobID) error {
	if _, err := w.exec(`INSERT INTO blobs(id, refs) VALUES(?, 1)`, id[:]); err != nil {
		return fmt.Errorf("localfs: record data file: %w", err)
	}
	return nil
}

// ref adds a reference to each segment's data file.
func (w *wtx) ref(segs []segment) error {
	for _, s := range segs {
		res, err := w.exec(`UPDATE blobs SET refs = refs + 1 WHERE id = ?`, s.blob[:])
		if err != nil {
			return fmt.Errorf("localfs: reference data file: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("%w: data file %s has no record", errCorruptIndex, s.blob)
		}
	}
	return nil
}

// unref drops a reference to each segment's data file and frees the files
// nothing references any more; they are deleted after the commit.
func (w *wtx) unref(segs []segment) error {
	for _, s := range segs {
		var refs int64
		err := w.queryRow(`UPDATE blobs SET refs = refs - 1 WHERE id = ? RETURNING refs`, s.blob[:]).Scan(&refs)
		if errors.Is(err, sql.ErrNoRows) {
			continue // already gone: nothing to free
		}
		if err != nil {
			return fmt.Errorf("localfs: release data file: %w", err)
		}
		if refs > 0 {
			continue
		}
		if _, err := w.exec(`DELETE FROM blobs WHERE id = ?`, s.blob[:]); err != nil {
			return fmt.Errorf("localfs: release data file: %w", err)
		}
		w.freed = append(w.freed, s.blob)
	}
	return nil
}
