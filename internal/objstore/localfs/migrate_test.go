package localfs

import (
	"bytes"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// writeV1Index builds a data directory as the code before versioning wrote
// it: index schema 1 (user_version 1) holding bucket "old" with object "k".
func writeV1Index(t *testing.T, dir string, data []byte) {
	t.Helper()
	id := blobID{0xab, 1, 2, 3}
	if err := os.MkdirAll(filepath.Join(dir, blobsDir, "ab"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, blobsDir, "ab", id.String()), data, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", dsn(filepath.Join(dir, indexFile), "journal_mode(WAL)"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum := md5.Sum(data)
	for _, q := range []struct {
		query string
		args  []any
	}{
		{schema + `PRAGMA user_version = 1;`, nil},
		{`INSERT INTO buckets(name, created) VALUES('old', 1)`, nil},
		{`INSERT INTO blobs(id, refs) VALUES(?, 1)`, []any{id[:]}},
		{`INSERT INTO objects(bucket, key, size, etag, modified, parts, meta, segs) VALUES('old', ?, ?, ?, 2, 0, ?, ?)`,
			[]any{[]byte("k"), len(data), hex.EncodeToString(sum[:]), encodeObjectMeta(objstore.ObjectMeta{ContentType: "text/plain"}, nil),
				encodeSegments([]segment{{blob: id, length: int64(len(data))}})}},
	} {
		if _, err := db.Exec(q.query, q.args...); err != nil {
			t.Fatalf("%s: %v", q.query, err)
		}
	}
}

func TestAnIndexWrittenBeforeVersioningIsMigratedInPlaceAndKeepsWorking(t *testing.T) {
	dir := t.TempDir()
	data := []byte("written by the previous release")
	writeV1Index(t, dir, data)
	b := openTest(t, dir, Options{})
	var v int
	if err := b.idx.reader(t.Context()).queryRow(`PRAGMA user_version`).Scan(&v); err != nil || v != schemaVersion {
		t.Fatalf("user_version = %d (%v), want %d", v, err, schemaVersion)
	}
	info, err := b.HeadBucket(t.Context(), "old")
	if err != nil || info.Versioning != "" {
		t.Fatalf("HeadBucket = %+v, %v", info, err)
	}
	obj, err := b.GetObject(t.Context(), "old", "k", objstore.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, data) || obj.Info.VersionID != "" || obj.Info.Meta.ContentType != "text/plain" {
		t.Fatalf("old object reads %q as %+v", got, obj.Info)
	}
	// The old object is the null version once versioning is enabled, and stays
	// readable beside the new versions.
	if err := b.PutBucketVersioning(t.Context(), "old", objstore.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	v1, err := b.PutObject(t.Context(), "old", "k", bytes.NewReader([]byte("new")), 3, objstore.PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := b.ListObjectVersions(t.Context(), "old", objstore.ListVersionsOptions{MaxKeys: 10})
	if err != nil || len(res.Versions) != 2 || res.Versions[0].VersionID != v1.VersionID || res.Versions[1].VersionID != objstore.NullVersion {
		t.Fatalf("ListObjectVersions = %+v, %v", res, err)
	}
	fsck(t, b)
}

func TestAnIndexFromANewerReleaseIsRefused(t *testing.T) {
	dir := t.TempDir()
	b, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.idx.wconn.ExecContext(t.Context(), `PRAGMA user_version = 99`)
	if cerr := b.Close(); err != nil || cerr != nil {
		t.Fatal(err, cerr)
	}
	if b, err := Open(t.Context(), dir, Options{}); err == nil {
		b.Close()
		t.Fatal("Open accepted an index of schema version 99")
	}
}

func TestVersionListingMergesTwoIndexScans(t *testing.T) {
	b := openTest(t, t.TempDir(), Options{})
	where, args := rangeSQL(cursor{key: "a", inclusive: true}, "b", true)
	all := append(append([]any{"x"}, args...), append([]any{"x"}, args...)...)
	rows, err := b.idx.rdb.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+versionRangeQuery(where), all...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	joined := strings.Join(plan, "; ")
	if strings.Contains(joined, "TEMP B-TREE") || strings.Contains(joined, "SCAN") || !strings.Contains(joined, "MERGE") {
		t.Fatalf("the version listing is not a merge of index searches: %s", joined)
	}
}
