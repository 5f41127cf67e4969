package localfs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// SweepStats counts what a Sweep removed.
type SweepStats struct {
	// Uploads is the number of multipart uploads aborted for their age.
	Uploads int
	// TempFiles is the number of files removed from tmp/: writes a crash
	// interrupted.
	TempFiles int
	// Orphans is the number of data files no index row referenced: written
	// but not committed, or freed but not deleted, when a crash struck.
	Orphans int
}

// Sweep aborts multipart uploads initiated more than UploadMaxAge ago and
// removes temporary and unreferenced data files. It is safe to run beside
// any other call: files of writes in progress and files still being read
// are left alone. Open runs it, and then every SweepInterval.
func (b *Backend) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	var err error
	if st.Uploads, err = b.expireUploads(ctx); err != nil {
		return st, err
	}
	if st.TempFiles, err = b.sweepTemp(); err != nil {
		return st, err
	}
	for shard := range 256 {
		n, err := b.sweepShard(ctx, byte(shard))
		st.Orphans += n
		if err != nil {
			return st, err
		}
	}
	return st, nil
}

func (b *Backend) expireUploads(ctx context.Context) (int, error) {
	cutoff := b.now().Add(-b.opts.UploadMaxAge).UnixNano()
	var n int
	err := b.idx.write(ctx, func(w *wtx) error {
		if err := w.queryRow(`SELECT count(*) FROM uploads WHERE initiated < ?`, cutoff).Scan(&n); err != nil {
			return fmt.Errorf("localfs: count expired uploads: %w", err)
		}
		return w.abortUploads(`initiated < ?`, cutoff)
	})
	return n, err
}

func (b *Backend) sweepTemp() (int, error) {
	dir := filepath.Join(b.dir, tmpDir)
	names, err := readNames(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		id, ok := parseBlobID(name)
		if ok && !b.keep.sweepable(id, func() {}) {
			continue // a write in progress
		}
		if err := os.Remove(filepath.Join(dir, name)); err == nil {
			n++
		}
	}
	return n, nil
}

// sweepShard removes the unreferenced data files of one shard directory.
// Candidates are found against one read of the shard's references, then
// re-checked one by one under the keeper's lock.
func (b *Backend) sweepShard(ctx context.Context, shard byte) (int, error) {
	dir := filepath.Join(b.dir, blobsDir, fmt.Sprintf("%02x", shard))
	names, err := readNames(dir)
	if err != nil || len(names) == 0 {
		return 0, err
	}
	refs, err := b.shardRefs(ctx, shard)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, name := range names {
		id, ok := parseBlobID(name)
		if !ok || refs[id] {
			continue // not ours, or referenced
		}
		var rerr error
		b.keep.sweepable(id, func() {
			var one int
			rerr = b.idx.reader(ctx).queryRow(`SELECT 1 FROM blobs WHERE id = ?`, id[:]).Scan(&one)
			if errors.Is(rerr, sql.ErrNoRows) {
				rerr = nil
				if os.Remove(b.blobs.path(id)) == nil {
					n++
				}
			}
		})
		if rerr != nil {
			return n, fmt.Errorf("localfs: sweep: %w", rerr)
		}
	}
	return n, nil
}

func (b *Backend) shardRefs(ctx context.Context, shard byte) (map[blobID]bool, error) {
	query, args := `SELECT id FROM blobs WHERE id >= ?`, []any{[]byte{shard}}
	if shard < 0xff {
		query, args = query+` AND id < ?`, append(args, []byte{shard + 1})
	}
	refs := map[blobID]bool{}
	err := eachRow(b.idx.reader(ctx), query, args, func(rows *sql.Rows) (bool, error) {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return false, err
		}
		var id blobID
		copy(id[:], raw)
		refs[id] = true
		return true, nil
	})
	return refs, err
}

func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, fmt.Errorf("localfs: sweep: %w", err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, fmt.Errorf("localfs: sweep: %w", err)
	}
	return names, nil
}

// sweepLoop runs Sweep every SweepInterval until Close.
func (b *Backend) sweepLoop() {
	defer close(b.swept)
	if b.opts.SweepInterval < 0 {
		<-b.stop
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { <-b.stop; cancel() }()
	t := time.NewTicker(b.opts.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			st, err := b.Sweep(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				b.opts.Logger.Error("localfs: background sweep failed", "dir", b.dir, "err", err)
			case err == nil && st != (SweepStats{}):
				b.opts.Logger.Info("localfs: swept", "dir", b.dir, "uploads", st.Uploads,
					"temp_files", st.TempFiles, "orphans", st.Orphans)
			}
		}
	}
}
