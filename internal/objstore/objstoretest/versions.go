package objstoretest

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// setVersioning sets the fixture bucket's versioning state.
func (f *fixture) setVersioning(status string) {
	f.t.Helper()
	noErr(f.t, f.b.PutBucketVersioning(f.ctx, bucket, status))
}

// readVersion returns the bytes of version vid of key.
func (f *fixture) readVersion(key, vid string) []byte {
	f.t.Helper()
	obj, err := f.b.GetObject(f.ctx, bucket, key, objstore.GetOptions{VersionID: vid})
	if err != nil {
		f.t.Fatalf("GetObject(%q, version %q): %v", key, vid, err)
	}
	if obj.Info.VersionID != vid {
		f.t.Fatalf("GetObject(%q, version %q) describes version %q", key, vid, obj.Info.VersionID)
	}
	return f.drain(obj)
}

// del deletes key (opts as given) and returns what the backend did.
func (f *fixture) del(key string, opts objstore.DeleteOptions) objstore.DeleteResult {
	f.t.Helper()
	res, err := f.b.DeleteObject(f.ctx, bucket, key, opts)
	if err != nil {
		f.t.Fatalf("DeleteObject(%q, %+v): %v", key, opts, err)
	}
	return res
}

// version is one entry of a version listing, as the tests compare them.
type version struct {
	key, vid       string
	latest, marker bool
}

func (v version) String() string {
	s := v.key + "@" + v.vid
	if v.marker {
		s += "(marker)"
	}
	if v.latest {
		s += "*"
	}
	return s
}

// allVersions lists every version of the bucket in pages of size n,
// checking that each page continues the previous one.
func (f *fixture) allVersions(prefix, delimiter string, n int) ([]version, []string) {
	f.t.Helper()
	var out []version
	var prefixes []string
	opts := objstore.ListVersionsOptions{Prefix: prefix, Delimiter: delimiter, MaxKeys: n}
	for range 10000 {
		res, err := f.b.ListObjectVersions(f.ctx, bucket, opts)
		noErr(f.t, err)
		for _, v := range res.Versions {
			out = append(out, version{v.Key, v.VersionID, v.IsLatest, v.DeleteMarker})
		}
		prefixes = append(prefixes, res.CommonPrefixes...)
		if !res.IsTruncated {
			return out, prefixes
		}
		if res.NextKeyMarker == "" || len(res.Versions)+len(res.CommonPrefixes) != n {
			f.t.Fatalf("truncated page %+v does not say where to continue or is short", res)
		}
		opts.KeyMarker, opts.VersionIDMarker = res.NextKeyMarker, res.NextVersionIDMarker
	}
	f.t.Fatal("the version listing never ends")
	return nil, nil
}

func (f *fixture) wantVersions(want ...version) {
	f.t.Helper()
	got, _ := f.allVersions("", "", 1000)
	if !slices.Equal(got, want) {
		f.t.Fatalf("versions:\n got %v\nwant %v", got, want)
	}
}

// wantCurrentMarker checks that key's current version is delete marker vid.
func (f *fixture) wantCurrentMarker(key, vid string) {
	f.t.Helper()
	_, err := f.b.HeadObject(f.ctx, bucket, key, "")
	wantErr(f.t, err, objstore.ErrNoSuchKey)
	var dm *objstore.DeleteMarkerError
	if !errors.As(err, &dm) || dm.Named || dm.Info.VersionID != vid || !dm.Info.DeleteMarker {
		f.t.Fatalf("HeadObject of a key whose current version is delete marker %q: %v", vid, err)
	}
}

var versionTests = []test{
	{"a bucket starts unversioned and reports the state it is set to", func(f *fixture) {
		info, err := f.b.HeadBucket(f.ctx, bucket)
		noErr(f.t, err)
		if info.Versioning != "" {
			f.t.Fatalf("new bucket Versioning = %q", info.Versioning)
		}
		for _, s := range []string{objstore.VersioningEnabled, objstore.VersioningSuspended, objstore.VersioningSuspended} {
			f.setVersioning(s)
			info, err := f.b.HeadBucket(f.ctx, bucket)
			noErr(f.t, err)
			if info.Versioning != s {
				f.t.Fatalf("after PutBucketVersioning(%s) Versioning = %q", s, info.Versioning)
			}
		}
		wantErr(f.t, f.b.PutBucketVersioning(f.ctx, bucket, "Disabled"), objstore.ErrInvalidArgument)
		wantErr(f.t, f.b.PutBucketVersioning(f.ctx, "missing-bucket", objstore.VersioningEnabled), objstore.ErrNoSuchBucket)
	}},
	{"objects of a bucket never versioned have no version id and list as the null version", func(f *fixture) {
		if info := f.put("k", []byte("one")); info.VersionID != "" {
			f.t.Fatalf("PutObject VersionID = %q", info.VersionID)
		}
		if _, info := f.read("k"); info.VersionID != "" {
			f.t.Fatalf("GetObject VersionID = %q", info.VersionID)
		}
		obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{VersionID: objstore.NullVersion})
		noErr(f.t, err)
		if string(f.drain(obj)) != "one" {
			f.t.Fatal("the null version is not the object")
		}
		f.wantVersions(version{"k", "null", true, false})
		if res := f.del("k", objstore.DeleteOptions{}); res != (objstore.DeleteResult{}) {
			f.t.Fatalf("DeleteObject = %+v", res)
		}
		f.wantVersions()
	}},
	{"an enabled bucket keeps every version, readable by its id", func(f *fixture) {
		f.put("k", []byte("before"))
		f.setVersioning(objstore.VersioningEnabled)
		v1 := f.put("k", []byte("one")).VersionID
		v2 := f.put("k", []byte("two")).VersionID
		if v1 == "" || v2 == "" || v1 == v2 || v1 == objstore.NullVersion || v2 == objstore.NullVersion {
			f.t.Fatalf("version ids %q and %q", v1, v2)
		}
		f.wantContent("k", []byte("two"))
		if _, info := f.read("k"); info.VersionID != v2 {
			f.t.Fatalf("current version is %q, want %q", info.VersionID, v2)
		}
		for vid, want := range map[string]string{v1: "one", v2: "two", objstore.NullVersion: "before"} {
			if got := string(f.readVersion("k", vid)); got != want {
				f.t.Fatalf("version %s holds %q, want %q", vid, got, want)
			}
		}
		info, err := f.b.HeadObject(f.ctx, bucket, "k", v1)
		noErr(f.t, err)
		if info.VersionID != v1 || info.Size != 3 || info.ETag != md5Hex([]byte("one")) {
			f.t.Fatalf("HeadObject(version %s) = %+v", v1, info)
		}
		f.wantVersions(version{"k", v2, true, false}, version{"k", v1, false, false}, version{"k", "null", false, false})
	}},
	{"a delete in an enabled bucket adds a delete marker that a delete by id removes", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		v1 := f.put("k", []byte("one")).VersionID
		res := f.del("k", objstore.DeleteOptions{})
		if !res.DeleteMarker || res.VersionID == "" || res.VersionID == v1 {
			f.t.Fatalf("DeleteObject = %+v", res)
		}
		f.wantCurrentMarker("k", res.VersionID)
		_, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{VersionID: res.VersionID})
		var dm *objstore.DeleteMarkerError
		if !errors.As(err, &dm) || !dm.Named || errors.Is(err, objstore.ErrNoSuchKey) {
			f.t.Fatalf("GetObject naming a delete marker: %v", err)
		}
		page, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{MaxKeys: 10})
		noErr(f.t, err)
		if len(page.Objects) != 0 {
			f.t.Fatalf("ListObjects lists a deleted key: %+v", page.Objects)
		}
		f.wantVersions(version{"k", res.VersionID, true, true}, version{"k", v1, false, false})
		// A delete of a key whose current version is a marker adds another.
		res2 := f.del("k", objstore.DeleteOptions{})
		f.wantVersions(version{"k", res2.VersionID, true, true}, version{"k", res.VersionID, false, true}, version{"k", v1, false, false})
		for _, m := range []string{res2.VersionID, res.VersionID} {
			if got := f.del("k", objstore.DeleteOptions{VersionID: m}); got != (objstore.DeleteResult{VersionID: m, DeleteMarker: true}) {
				f.t.Fatalf("DeleteObject of marker %s = %+v", m, got)
			}
		}
		f.wantContent("k", []byte("one"))
		f.wantVersions(version{"k", v1, true, false})
	}},
	{"a delete in an enabled bucket of a key without versions adds a delete marker", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		res := f.del("nothing", objstore.DeleteOptions{})
		if !res.DeleteMarker {
			f.t.Fatalf("DeleteObject = %+v", res)
		}
		f.wantVersions(version{"nothing", res.VersionID, true, true})
	}},
	{"deleting the current version by id makes the previous one current", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		v1 := f.put("k", []byte("one")).VersionID
		v2 := f.put("k", []byte("two")).VersionID
		if got := f.del("k", objstore.DeleteOptions{VersionID: v2}); got != (objstore.DeleteResult{VersionID: v2}) {
			f.t.Fatalf("DeleteObject(%s) = %+v", v2, got)
		}
		f.wantContent("k", []byte("one"))
		f.wantVersions(version{"k", v1, true, false})
		_, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{VersionID: v2})
		wantErr(f.t, err, objstore.ErrNoSuchVersion)
		// A deleted version's id names nothing: its delete succeeds and changes nothing.
		f.del("k", objstore.DeleteOptions{VersionID: v2})
		f.del("k", objstore.DeleteOptions{VersionID: v1})
		f.wantMissing("k")
		f.wantVersions()
	}},
	{"a suspended bucket replaces the null version and keeps the others", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		v1 := f.put("k", []byte("one")).VersionID
		f.setVersioning(objstore.VersioningSuspended)
		// An upstream S3 does not name the null version in a PUT's answer.
		if vid := f.put("k", []byte("a")).VersionID; vid != objstore.NullVersion && vid != "" {
			f.t.Fatalf("PutObject in a suspended bucket: VersionID %q", vid)
		}
		f.put("k", []byte("b"))
		f.wantVersions(version{"k", "null", true, false}, version{"k", v1, false, false})
		f.wantContent("k", []byte("b"))
		res := f.del("k", objstore.DeleteOptions{})
		if res != (objstore.DeleteResult{VersionID: objstore.NullVersion, DeleteMarker: true}) {
			f.t.Fatalf("DeleteObject in a suspended bucket = %+v", res)
		}
		f.wantCurrentMarker("k", objstore.NullVersion)
		f.wantVersions(version{"k", "null", true, true}, version{"k", v1, false, false})
		// A new null version replaces the null delete marker.
		f.put("k", []byte("c"))
		f.wantVersions(version{"k", "null", true, false}, version{"k", v1, false, false})
		// With a versioned current version, the null version is the noncurrent one replaced.
		f.setVersioning(objstore.VersioningEnabled)
		v3 := f.put("k", []byte("three")).VersionID
		f.setVersioning(objstore.VersioningSuspended)
		f.put("k", []byte("d"))
		f.wantVersions(version{"k", "null", true, false}, version{"k", v3, false, false}, version{"k", v1, false, false})
		f.wantContent("k", []byte("d"))
	}},
	{"an unknown version id is ErrNoSuchVersion on every read", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		gone := f.put("k", []byte("one")).VersionID
		f.put("k", []byte("two"))
		f.del("k", objstore.DeleteOptions{VersionID: gone})
		_, err := f.b.HeadObject(f.ctx, bucket, "k", gone)
		wantErr(f.t, err, objstore.ErrNoSuchVersion)
		_, _, err = f.b.ObjectParts(f.ctx, bucket, "k", gone)
		wantErr(f.t, err, objstore.ErrNoSuchVersion)
		_, err = f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "k", VersionID: gone}, bucket, "c", objstore.CopyOptions{})
		wantErr(f.t, err, objstore.ErrNoSuchVersion)
		_, err = f.b.HeadObject(f.ctx, bucket, "other", gone)
		wantErr(f.t, err, objstore.ErrNoSuchVersion)
		_, err = f.b.HeadObject(f.ctx, "missing-bucket", "k", gone)
		wantErr(f.t, err, objstore.ErrNoSuchBucket)
	}},
	{"a bucket holding only noncurrent versions or delete markers cannot be deleted", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		v1 := f.put("k", []byte("one")).VersionID
		m := f.del("k", objstore.DeleteOptions{}).VersionID
		wantErr(f.t, f.b.DeleteBucket(f.ctx, bucket), objstore.ErrBucketNotEmpty)
		f.del("k", objstore.DeleteOptions{VersionID: v1})
		wantErr(f.t, f.b.DeleteBucket(f.ctx, bucket), objstore.ErrBucketNotEmpty)
		f.del("k", objstore.DeleteOptions{VersionID: m})
		noErr(f.t, f.b.DeleteBucket(f.ctx, bucket))
	}},
	{"a copy reads the version it names and refuses a delete marker", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		v1 := f.put("src", []byte("one")).VersionID
		f.put("src", []byte("two"))
		out, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src", VersionID: v1}, bucket, "dst", objstore.CopyOptions{})
		noErr(f.t, err)
		if out.VersionID == "" || out.VersionID == v1 {
			f.t.Fatalf("CopyObject = %+v", out)
		}
		f.wantContent("dst", []byte("one"))
		m := f.del("src", objstore.DeleteOptions{}).VersionID
		_, err = f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, bucket, "dst", objstore.CopyOptions{})
		wantErr(f.t, err, objstore.ErrNoSuchKey)
		_, err = f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src", VersionID: m}, bucket, "dst", objstore.CopyOptions{})
		var dm *objstore.DeleteMarkerError
		if !errors.As(err, &dm) || !dm.Named {
			f.t.Fatalf("CopyObject naming a delete marker: %v", err)
		}
	}},
	{"a multipart completion in an enabled bucket is a new version", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		v1 := f.put("k", []byte("one")).VersionID
		id, list := f.upload("k", objstore.ObjectMeta{}, []byte("part"))
		info, err := f.complete("k", id, list, objstore.CompleteOptions{})
		noErr(f.t, err)
		if info.VersionID == "" || info.VersionID == v1 {
			f.t.Fatalf("CompleteMultipartUpload = %+v", info)
		}
		f.wantVersions(version{"k", info.VersionID, true, false}, version{"k", v1, false, false})
		if string(f.readVersion("k", v1)) != "one" {
			f.t.Fatal("the replaced version lost its bytes")
		}
	}},
	{"a conditional delete sees the current version", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		etag := f.put("k", []byte("one")).ETag
		_, err := f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{IfMatch: "nope"})
		wantErr(f.t, err, objstore.ErrPreconditionFailed)
		f.del("k", objstore.DeleteOptions{IfMatch: etag})
		_, err = f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{IfMatch: "*"})
		wantErr(f.t, err, objstore.ErrNoSuchKey)
	}},
	{"listing versions pages by key and version id markers and rolls up prefixes", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		for _, k := range []string{"a", "b/1", "b/2", "c"} {
			f.put(k, []byte(k+"1"))
			f.put(k, []byte(k+"2"))
		}
		f.del("c", objstore.DeleteOptions{})
		all, _ := f.allVersions("", "", 1000)
		if len(all) != 9 {
			f.t.Fatalf("versions: %v", all)
		}
		for n := 1; n <= 9; n++ {
			if got, _ := f.allVersions("", "", n); !slices.Equal(got, all) {
				f.t.Fatalf("pages of %d:\n got %v\nwant %v", n, got, all)
			}
		}
		for n := 1; n <= 4; n++ {
			got, prefixes := f.allVersions("", "/", n)
			var keys []string
			for _, v := range got {
				keys = append(keys, v.key)
			}
			if strings.Join(keys, ",") != "a,a,c,c,c" || fmt.Sprint(prefixes) != "[b/]" {
				f.t.Fatalf("pages of %d with delimiter: %v %v", n, got, prefixes)
			}
		}
		if got, _ := f.allVersions("b/", "", 2); len(got) != 4 || got[0].key != "b/1" || !got[0].latest || got[1].latest {
			f.t.Fatalf("prefix b/: %v", got)
		}
	}},
}
