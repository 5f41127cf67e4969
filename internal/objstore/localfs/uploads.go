package localfs

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// requireUpload reads an upload of bucket and key; ErrNoSuchBucket or
// ErrNoSuchUpload when missing.
func requireUpload(q querier, bucket, key, id string) (objstore.Upload, error) {
	u := objstore.Upload{Bucket: bucket, Key: key, UploadID: id}
	if err := requireBucket(q, bucket); err != nil {
		return u, err
	}
	var (
		initiated int64
		meta      []byte
	)
	err := q.queryRow(`SELECT initiated, meta FROM uploads WHERE id = ? AND bucket = ? AND key = ?`,
		id, bucket, []byte(key)).Scan(&initiated, &meta)
	if errors.Is(err, sql.ErrNoRows) {
		return u, fmt.Errorf("%w: %q", objstore.ErrNoSuchUpload, id)
	}
	if err != nil {
		return u, fmt.Errorf("localfs: read upload: %w", err)
	}
	u.Initiated = time.Unix(0, initiated).UTC()
	u.Meta, _, u.Encryption, err = decodeStored(meta)
	return u, err
}

// partRow is a parts row.
type partRow struct {
	info objstore.PartInfo
	segs []segment
}

const partCols = `number, size, etag, modified, checksums, segs`

func scanPart(sc rowScanner) (partRow, error) {
	var (
		p               partRow
		modified        int64
		checksums, segs []byte
	)
	if err := sc.Scan(&p.info.Number, &p.info.Size, &p.info.ETag, &modified, &checksums, &segs); err != nil {
		return p, fmt.Errorf("localfs: read part: %w", err)
	}
	p.info.LastModified = time.Unix(0, modified).UTC()
	var err error
	if p.info.Checksums, err = decodeChecksums(checksums); err != nil {
		return p, err
	}
	p.segs, err = decodeSegments(segs)
	return p, err
}

// parts reads the parts of an upload numbered above after, at most limit
// (all when limit < 0), in ascending number.
func readParts(q querier, upload string, after, limit int) ([]partRow, error) {
	var out []partRow
	err := eachRow(q, `SELECT `+partCols+` FROM parts WHERE upload = ? AND number > ? ORDER BY number LIMIT ?`,
		[]any{upload, after, limit}, func(rows *sql.Rows) (bool, error) {
			p, err := scanPart(rows)
			out = append(out, p)
			return err == nil, err
		})
	return out, err
}

// putPart makes p part of upload, releasing the part it replaces.
func (w *wtx) putPart(upload string, p partRow) error {
	old, err := readParts(w, upload, p.info.Number-1, 1)
	if err != nil {
		return err
	}
	if len(old) == 1 && old[0].info.Number == p.info.Number {
		if err := w.unref(old[0].segs); err != nil {
			return err
		}
	}
	_, err = w.exec(`INSERT OR REPLACE INTO parts(upload, `+partCols+`) VALUES(?, ?, ?, ?, ?, ?, ?)`,
		upload, p.info.Number, p.info.Size, p.info.ETag, p.info.LastModified.UnixNano(), encodeChecksums(p.info.Checksums),
		encodeSegments(p.segs))
	if err != nil {
		return fmt.Errorf("localfs: write part: %w", err)
	}
	return nil
}

// abortUploads deletes the uploads matching where (a condition on the
// uploads table) with their parts, releasing the parts' data.
func (w *wtx) abortUploads(where string, args ...any) error {
	var ids []string
	err := eachRow(w, `SELECT id FROM uploads WHERE `+where, args, func(rows *sql.Rows) (bool, error) {
		var id string
		err := rows.Scan(&id)
		ids = append(ids, id)
		return err == nil, err
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		if err := w.endUpload(id, nil); err != nil {
			return err
		}
	}
	return nil
}

// endUpload deletes an upload and its parts, releasing the data of every
// part not in keep (whose references pass to a completed object).
func (w *wtx) endUpload(id string, keep map[int]bool) error {
	parts, err := readParts(w, id, 0, -1)
	if err != nil {
		return err
	}
	for _, p := range parts {
		if keep[p.info.Number] {
			continue
		}
		if err := w.unref(p.segs); err != nil {
			return err
		}
	}
	if _, err := w.exec(`DELETE FROM parts WHERE upload = ?`, id); err != nil {
		return fmt.Errorf("localfs: delete parts: %w", err)
	}
	if _, err := w.exec(`DELETE FROM uploads WHERE id = ?`, id); err != nil {
		return fmt.Errorf("localfs: delete upload: %w", err)
	}
	return nil
}
