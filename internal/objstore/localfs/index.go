package localfs

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/inkan-dev/inkan/internal/objstore"
)

const indexFile = "index.db"

// schema is version 1 of the metadata index, which migrations bring up to
// schemaVersion. Keys are BLOBs so that SQLite compares them
// byte-wise whatever bytes they hold; blob IDs are 16-byte BLOBs. Every data
// file referenced by objects.segs or parts.segs has a blobs row counting the
// references (copies share files).
const schema = `
CREATE TABLE IF NOT EXISTS buckets(
	name TEXT PRIMARY KEY, created INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS objects(
	bucket TEXT NOT NULL, key BLOB NOT NULL, size INTEGER NOT NULL,
	etag TEXT NOT NULL, modified INTEGER NOT NULL, parts INTEGER NOT NULL,
	meta BLOB NOT NULL, segs BLOB NOT NULL,
	PRIMARY KEY(bucket, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS blobs(
	id BLOB PRIMARY KEY, refs INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads(
	bucket TEXT NOT NULL, key BLOB NOT NULL, id TEXT NOT NULL,
	initiated INTEGER NOT NULL, meta BLOB NOT NULL,
	PRIMARY KEY(bucket, key, id)) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS uploads_by_id ON uploads(id);
CREATE INDEX IF NOT EXISTS uploads_by_age ON uploads(initiated);
CREATE TABLE IF NOT EXISTS parts(
	upload TEXT NOT NULL, number INTEGER NOT NULL, size INTEGER NOT NULL,
	etag TEXT NOT NULL, modified INTEGER NOT NULL,
	checksums BLOB NOT NULL, segs BLOB NOT NULL,
	PRIMARY KEY(upload, number)) WITHOUT ROWID;
`

// migrations[i] brings the index from user_version i+1 to i+2, inside the
// transaction that also sets the new user_version: a crash leaves the old
// schema or the new one, never a mix. A data directory keeps working
// across upgrades; an index newer than this code is refused.
var migrations = []string{
	// 2: versioning (see versions.go). ADD COLUMN with a default rewrites
	// no rows: existing objects become null versions, existing buckets
	// unversioned. The versions key orders a key's versions newest first.
	`ALTER TABLE buckets ADD COLUMN versioning TEXT NOT NULL DEFAULT '';
	ALTER TABLE objects ADD COLUMN vid TEXT NOT NULL DEFAULT 'null';
	CREATE TABLE versions(
		bucket TEXT NOT NULL, key BLOB NOT NULL, seq INTEGER NOT NULL, vid TEXT NOT NULL,
		marker INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL, modified INTEGER NOT NULL,
		parts INTEGER NOT NULL, meta BLOB NOT NULL, segs BLOB NOT NULL,
		PRIMARY KEY(bucket, key, seq DESC)) WITHOUT ROWID;
	CREATE UNIQUE INDEX versions_by_id ON versions(bucket, key, vid);`,
}

// schemaVersion is the user_version of an index this code writes.
var schemaVersion = 1 + len(migrations)

// migrate creates or upgrades the schema in one transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return err
	}
	if v > schemaVersion {
		return fmt.Errorf("index schema version %d is newer than this inkan's %d", v, schemaVersion)
	}
	if v == schemaVersion {
		return nil
	}
	if v == 0 {
		if _, err := tx.ExecContext(ctx, schema); err != nil {
			return err
		}
		v = 1
	}
	for ; v < schemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v-1]); err != nil {
			return fmt.Errorf("migrate to schema version %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, schemaVersion)); err != nil {
		return err
	}
	return tx.Commit()
}

// index is the SQLite metadata index: one write connection driven by the
// committer goroutine (group commit) and a pool of read connections. WAL
// lets reads run beside the writer.
//
// Durability: synchronous=FULL, so each group commit fsyncs the WAL before
// any of its writers is answered. A SIGKILL alone needs less: in WAL mode
// even synchronous=OFF keeps every committed transaction across a process
// crash, because a commit's write() has reached the kernel's page cache,
// which outlives the process. We pay one WAL fsync per batch anyway because
// the data files are fsynced for power loss, and an index that forgot a
// commit after a power loss would point at data files the forgotten commit
// had already freed and deleted. Group commit amortizes that fsync over all
// writers waiting at the time.
type index struct {
	wdb    *sql.DB
	wconn  *sql.Conn
	wstmts *stmtCache
	rdb    *sql.DB
	rstmts *stmtCache
	keep   *keeper
	queue  chan *txReq
	quit   chan struct{}
	done   chan struct{}
}

func dsn(path string, pragmas ...string) string {
	q := url.Values{"_pragma": append([]string{"busy_timeout(10000)"}, pragmas...)}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

func openIndex(ctx context.Context, dir string, keep *keeper) (*index, error) {
	path := filepath.Join(dir, indexFile)
	// The index names every object: create it private, like the rest of the data directory.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600); err == nil {
		f.Close()
	}
	wdb, err := sql.Open("sqlite", dsn(path, "journal_mode(WAL)", "synchronous(FULL)"))
	if err != nil {
		return nil, fmt.Errorf("localfs: open index: %w", err)
	}
	wdb.SetMaxOpenConns(1)
	wdb.SetConnMaxIdleTime(0)
	if err := migrate(ctx, wdb); err != nil {
		wdb.Close()
		return nil, fmt.Errorf("localfs: create index schema: %w", err)
	}
	rdb, err := sql.Open("sqlite", dsn(path, "query_only(1)"))
	if err != nil {
		wdb.Close()
		return nil, fmt.Errorf("localfs: open index: %w", err)
	}
	readers := 2 * runtime.GOMAXPROCS(0)
	rdb.SetMaxOpenConns(readers)
	rdb.SetMaxIdleConns(readers)
	wconn, err := wdb.Conn(ctx)
	if err != nil {
		rdb.Close()
		wdb.Close()
		return nil, fmt.Errorf("localfs: open index: %w", err)
	}
	x := &index{wdb: wdb, wconn: wconn, wstmts: newStmtCache(wconn), rdb: rdb, rstmts: newStmtCache(rdb),
		keep: keep, queue: make(chan *txReq), quit: make(chan struct{}), done: make(chan struct{})}
	go x.commitLoop()
	return x, nil
}

// close stops the committer and closes the connections. Writes submitted
// afterwards fail with objstore.ErrClosed.
func (x *index) close() error {
	close(x.quit)
	<-x.done
	x.rstmts.close()
	x.wstmts.close()
	err := x.rdb.Close()
	if cerr := x.wconn.Close(); err == nil {
		err = cerr
	}
	if werr := x.wdb.Close(); err == nil {
		err = werr
	}
	return err
}

// reader returns a querier on the read pool.
func (x *index) reader(ctx context.Context) querier { return readQ{ctx: ctx, st: x.rstmts} }

// readTx runs f in a read-only transaction, so that its reads see one
// snapshot.
func (x *index) readTx(ctx context.Context, f func(q querier) error) error {
	tx, err := x.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("localfs: begin read: %w", err)
	}
	defer tx.Rollback()
	return f(txQ{ctx: ctx, tx: tx, st: x.rstmts})
}

// wtx is one write's view of a batch transaction on the write connection;
// it is also a querier, reading inside the transaction.
type wtx struct {
	ctx   context.Context
	st    *stmtCache
	freed []blobID
}

func (w *wtx) exec(query string, args ...any) (sql.Result, error) {
	s, err := w.st.get(w.ctx, query)
	if err != nil {
		return nil, err
	}
	return s.ExecContext(w.ctx, args...)
}

func (w *wtx) queryRow(query string, args ...any) rowScanner {
	s, err := w.st.get(w.ctx, query)
	if err != nil {
		return errRow{err}
	}
	return s.QueryRowContext(w.ctx, args...)
}

func (w *wtx) query(query string, args ...any) (*sql.Rows, error) {
	s, err := w.st.get(w.ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(w.ctx, args...)
}

// txReq is a write waiting for the committer. syncDir, when set, is a
// directory holding a new data file's name, fsynced before the commit.
type txReq struct {
	fn      func(*wtx) error
	syncDir string
	err     error
	done    chan struct{}
}

const maxBatch = 128

// write runs fn in a write transaction, batched with other writers', and
// returns once the transaction is durable or fn's error once it is rolled
// back. fn runs on the committer goroutine inside a savepoint: its error
// undoes only its own changes. fn must not block on anything but the index.
// ctx can abort only before the committer has taken the write.
func (x *index) write(ctx context.Context, fn func(*wtx) error) error {
	return x.submit(ctx, &txReq{fn: fn})
}

// writeAfterSync is write for a transaction that references a data file
// just given its name in dir: dir is fsynced before the commit, so the index
// never durably names a file whose directory entry could be lost. Writers
// of one batch share the fsync of their common directory.
func (x *index) writeAfterSync(ctx context.Context, dir string, fn func(*wtx) error) error {
	return x.submit(ctx, &txReq{fn: fn, syncDir: dir})
}

func (x *index) submit(ctx context.Context, r *txReq) error {
	r.done = make(chan struct{})
	select {
	case x.queue <- r:
	case <-x.quit:
		return objstore.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	<-r.done
	return storageFull(r.err)
}

// batch is a group of writes committed together.
type batch struct {
	reqs   []*txReq
	freed  []blobID
	synced <-chan error
}

// commitLoop pipelines batches: while batch k's directories are fsynced,
// batch k-1 is committed (its WAL fsync) and batch k is applied, so a batch
// costs about one flush, not two in a row. A batch is committed only after
// its own directories are synced, and its writers are answered only after
// the commit.
func (x *index) commitLoop() {
	defer close(x.done)
	var open *batch
	for {
		reqs, ok := x.collect(open == nil)
		if !ok {
			return
		}
		next := &batch{reqs: reqs, synced: syncDirs(reqs)}
		if open != nil {
			x.finish(open)
			open = nil
		}
		if len(reqs) > 0 && x.apply(next) {
			open = next
		}
	}
}

// collect takes the writes waiting, blocking for the first one only when
// wait is set. It reports false when the index is closing and wait is set
// (with nothing pending, the loop may stop).
func (x *index) collect(wait bool) ([]*txReq, bool) {
	var reqs []*txReq
	if wait {
		select {
		case r := <-x.queue:
			reqs = append(reqs, r)
		case <-x.quit:
			return nil, false
		}
	}
	for len(reqs) < maxBatch {
		select {
		case r := <-x.queue:
			reqs = append(reqs, r)
		default:
			return reqs, true
		}
	}
	return reqs, true
}

// apply begins a transaction and runs the batch's writes in it, then waits
// for its directories. On failure it rolls back and answers every writer.
func (x *index) apply(b *batch) bool {
	tx := &wtx{ctx: context.Background(), st: x.wstmts}
	_, err := tx.exec("BEGIN IMMEDIATE")
	if err != nil {
		err = fmt.Errorf("localfs: begin index transaction: %w", err)
	}
	for _, r := range b.reqs {
		if err != nil {
			break
		}
		w := &wtx{ctx: tx.ctx, st: tx.st}
		err = x.applyOne(w, r)
		b.freed = append(b.freed, w.freed...)
	}
	if serr := <-b.synced; err == nil {
		err = serr
	}
	if err != nil {
		_, _ = tx.exec("ROLLBACK")
		failAll(b.reqs, err)
		answer(b.reqs)
		return false
	}
	return true
}

// finish commits an applied batch and answers its writers. Freed data
// files are held across the commit so the sweep cannot take them, then
// retired.
func (x *index) finish(b *batch) {
	defer answer(b.reqs)
	tx := &wtx{ctx: context.Background(), st: x.wstmts}
	x.keep.hold(b.freed...)
	if _, err := tx.exec("COMMIT"); err != nil {
		_, _ = tx.exec("ROLLBACK")
		x.keep.release(b.freed...)
		failAll(b.reqs, fmt.Errorf("localfs: commit index: %w", err))
		return
	}
	x.keep.retire(b.freed)
}

func answer(reqs []*txReq) {
	for _, r := range reqs {
		close(r.done)
	}
}

// syncDirs fsyncs the distinct directories of a batch in the background and
// delivers the first error.
func syncDirs(reqs []*txReq) <-chan error {
	var dirs []string
	for _, r := range reqs {
		if r.syncDir != "" && !slices.Contains(dirs, r.syncDir) {
			dirs = append(dirs, r.syncDir)
		}
	}
	out := make(chan error, 1)
	if len(dirs) == 0 {
		out <- nil
		return out
	}
	go func() {
		var err error
		for _, d := range dirs {
			if err = syncDir(d); err != nil {
				break
			}
		}
		out <- err
	}()
	return out
}

// applyOne runs one write inside a savepoint. The returned error is not the
// write's own (that goes to r.err) but a failure of the savepoint machinery,
// which dooms the whole batch.
func (x *index) applyOne(w *wtx, r *txReq) error {
	if _, err := w.exec("SAVEPOINT w"); err != nil {
		return fmt.Errorf("localfs: index savepoint: %w", err)
	}
	r.err = r.fn(w)
	if r.err != nil {
		w.freed = nil
		if _, err := w.exec("ROLLBACK TO w"); err != nil {
			return fmt.Errorf("localfs: index rollback: %w", err)
		}
	}
	if _, err := w.exec("RELEASE w"); err != nil {
		return fmt.Errorf("localfs: index savepoint: %w", err)
	}
	return nil
}

func failAll(reqs []*txReq, err error) {
	for _, r := range reqs {
		r.err = err
	}
}
