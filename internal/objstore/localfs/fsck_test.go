package localfs

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// fsck checks the invariants that tie the index to the files: every
// segment's data file has a blobs row whose count is the number of segments
// naming it, every row's file exists, no other data file exists, tmp/ is
// empty, and the directory holds nothing but the backend's own names.
func fsck(t testing.TB, b *Backend) {
	t.Helper()
	ctx := context.Background()
	want := map[blobID]int64{}
	for _, table := range []string{"objects", "parts", "versions"} {
		err := eachRowT(b, ctx, `SELECT segs FROM `+table, func(scan func(...any) error) error {
			var raw []byte
			if err := scan(&raw); err != nil {
				return err
			}
			segs, err := decodeSegments(raw)
			for _, s := range segs {
				want[s.blob]++
			}
			return err
		})
		if err != nil {
			t.Fatalf("fsck: read %s: %v", table, err)
		}
	}
	got := map[blobID]int64{}
	err := eachRowT(b, ctx, `SELECT id, refs FROM blobs`, func(scan func(...any) error) error {
		var raw []byte
		var refs int64
		err := scan(&raw, &refs)
		got[blobID(raw)] = refs
		return err
	})
	if err != nil {
		t.Fatalf("fsck: read blobs: %v", err)
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("fsck: data file %s is named by %d segments but counts %d references", id, n, got[id])
		}
	}
	for id := range got {
		if want[id] == 0 {
			t.Errorf("fsck: data file %s has a record but no segment names it", id)
		}
	}
	files := dataFilesOn(t, b.dir)
	for id := range got {
		if !files[id] {
			t.Errorf("fsck: data file %s is referenced but missing", id)
		}
	}
	for id := range files {
		if _, ok := got[id]; !ok {
			t.Errorf("fsck: data file %s is not referenced", id)
		}
	}
	fsckVersions(t, b)
	if names := tempFiles(t, b.dir); len(names) != 0 {
		t.Errorf("fsck: temporary files remain: %q", names)
	}
}

// eachRowT runs a query on the read pool.
func eachRowT(b *Backend, ctx context.Context, query string, f func(scan func(...any) error) error) error {
	rows, err := b.idx.reader(ctx).query(query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

var ownName = regexp.MustCompile(`^(LOCK|index\.db(-wal|-shm)?|tmp(/[0-9a-f]{32})?|blobs(/[0-9a-f]{2}(/[0-9a-f]{32})?)?)$`)

// dataFilesOn lists blobs/, failing on any name the backend would not create.
func dataFilesOn(t testing.TB, dir string) map[blobID]bool {
	t.Helper()
	files := map[blobID]bool{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if !ownName.MatchString(filepath.ToSlash(rel)) {
			t.Errorf("unexpected file %q in the backend directory", rel)
			return nil
		}
		if id, ok := parseBlobID(d.Name()); ok && filepath.Base(filepath.Dir(path)) != tmpDir {
			if filepath.Base(filepath.Dir(path)) != id.String()[:2] {
				t.Errorf("data file %s is in the wrong shard directory", rel)
			}
			files[id] = true
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", dir, err)
	}
	return files
}

func tempFiles(t testing.TB, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, tmpDir))
	if err != nil {
		t.Fatalf("read tmp: %v", err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// fsckVersions checks the versioning invariants (versions.go): a key's
// newest version is in objects when it is an object, so no key has a
// noncurrent object as its newest versions row without an objects row; no
// version id appears twice for a key; only delete markers have no data.
func fsckVersions(t testing.TB, b *Backend) {
	t.Helper()
	for _, c := range []struct{ what, query string }{
		{"keys whose newest version is an object outside objects", `SELECT count(*) FROM versions v
			WHERE v.marker = 0 AND v.seq = (SELECT max(seq) FROM versions w WHERE w.bucket = v.bucket AND w.key = v.key)
			AND NOT EXISTS (SELECT 1 FROM objects o WHERE o.bucket = v.bucket AND o.key = v.key)`},
		{"version ids both current and noncurrent", `SELECT count(*) FROM versions v
			JOIN objects o ON o.bucket = v.bucket AND o.key = v.key AND o.vid = v.vid`},
		{"delete markers with data", `SELECT count(*) FROM versions WHERE marker = 1 AND (size != 0 OR length(segs) > 0)`},
		{"versions in buckets never versioned", `SELECT count(*) FROM versions v
			JOIN buckets k ON k.name = v.bucket WHERE k.versioning = ''`},
	} {
		var n int
		if err := b.idx.reader(context.Background()).queryRow(c.query).Scan(&n); err != nil {
			t.Fatalf("fsck: %s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("fsck: %d %s", n, c.what)
		}
	}
}
