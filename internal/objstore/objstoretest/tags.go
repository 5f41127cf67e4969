package objstoretest

import (
	"maps"
	"reflect"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// someTags exercise what S3 allows in tags: spaces, the punctuation + - = . _
// : / @, Unicode letters and an empty value.
var someTags = map[string]string{"project": "blue", "cost center": "a+b=c.d_e:f/g@h", "ümlaut": "", "n": "1"}

var tagTests = []test{
	{"tags given on write come back from Head and Get", func(f *fixture) {
		meta := objstore.ObjectMeta{ContentType: "text/plain", Tags: someTags}
		f.putMeta("k", []byte("data"), meta)
		head, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if !reflect.DeepEqual(head.Meta.Tags, someTags) {
			f.t.Fatalf("HeadObject tags %v, want %v", head.Meta.Tags, someTags)
		}
		_, info := f.read("k")
		if !reflect.DeepEqual(info.Meta.Tags, someTags) {
			f.t.Fatalf("GetObject tags %v, want %v", info.Meta.Tags, someTags)
		}
	}},
	{"an object written without tags has none", func(f *fixture) {
		f.put("k", []byte("data"))
		head, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if len(head.Meta.Tags) != 0 {
			f.t.Fatalf("HeadObject tags %v", head.Meta.Tags)
		}
	}},
	{"PutObjectTags replaces the tags without changing ETag, LastModified, bytes or metadata", func(f *fixture) {
		put := f.putMeta("k", []byte("data"), objstore.ObjectMeta{ContentType: "text/plain", UserMeta: map[string]string{"a": "b"},
			Tags: map[string]string{"old": "1"}})
		before, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		info, err := f.b.PutObjectTags(f.ctx, bucket, "k", "", someTags)
		noErr(f.t, err)
		if !reflect.DeepEqual(info.Meta.Tags, someTags) || info.ETag != put.ETag {
			f.t.Fatalf("PutObjectTags = %+v", info)
		}
		after, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if !reflect.DeepEqual(after.Meta.Tags, someTags) {
			f.t.Fatalf("tags after PutObjectTags %v, want %v", after.Meta.Tags, someTags)
		}
		if after.ETag != before.ETag || !after.LastModified.Equal(before.LastModified) || after.Meta.ContentType != "text/plain" ||
			after.Meta.UserMeta["a"] != "b" {
			f.t.Fatalf("PutObjectTags changed the object: %+v, was %+v", after, before)
		}
		f.wantContent("k", []byte("data"))
	}},
	{"PutObjectTags with no tags deletes them", func(f *fixture) {
		f.putMeta("k", []byte("data"), objstore.ObjectMeta{Tags: someTags})
		for _, none := range []map[string]string{nil, {}} {
			_, err := f.b.PutObjectTags(f.ctx, bucket, "k", "", none)
			noErr(f.t, err)
			head, err := f.b.HeadObject(f.ctx, bucket, "k", "")
			noErr(f.t, err)
			if len(head.Meta.Tags) != 0 {
				f.t.Fatalf("tags after deleting them: %v", head.Meta.Tags)
			}
		}
	}},
	{"PutObjectTags of a missing key, bucket or version fails", func(f *fixture) {
		_, err := f.b.PutObjectTags(f.ctx, bucket, "missing", "", someTags)
		wantErr(f.t, err, objstore.ErrNoSuchKey)
		_, err = f.b.PutObjectTags(f.ctx, "no-such-bucket", "k", "", someTags)
		wantErr(f.t, err, objstore.ErrNoSuchBucket)
		f.setVersioning(objstore.VersioningEnabled)
		gone := f.put("k", []byte("one")).VersionID
		f.put("k", []byte("two"))
		f.del("k", objstore.DeleteOptions{VersionID: gone})
		_, err = f.b.PutObjectTags(f.ctx, bucket, "k", gone, someTags)
		wantErr(f.t, err, objstore.ErrNoSuchVersion)
	}},
	{"PutObjectTags of a version changes that version only", func(f *fixture) {
		f.setVersioning(objstore.VersioningEnabled)
		old := f.putMeta("k", []byte("one"), objstore.ObjectMeta{Tags: map[string]string{"v": "1"}}).VersionID
		cur := f.putMeta("k", []byte("two"), objstore.ObjectMeta{Tags: map[string]string{"v": "2"}}).VersionID
		info, err := f.b.PutObjectTags(f.ctx, bucket, "k", old, someTags)
		noErr(f.t, err)
		if info.VersionID != old || !maps.Equal(info.Meta.Tags, someTags) {
			f.t.Fatalf("PutObjectTags(version %q) described version %q with tags %v", old, info.VersionID, info.Meta.Tags)
		}
		for vid, want := range map[string]map[string]string{old: someTags, cur: {"v": "2"}, "": {"v": "2"}} {
			head, err := f.b.HeadObject(f.ctx, bucket, "k", vid)
			noErr(f.t, err)
			if !maps.Equal(head.Meta.Tags, want) {
				f.t.Fatalf("tags of version %q: %v, want %v", vid, head.Meta.Tags, want)
			}
		}
		_, err = f.b.PutObjectTags(f.ctx, bucket, "k", cur, nil)
		noErr(f.t, err)
		head, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if len(head.Meta.Tags) != 0 {
			f.t.Fatalf("tags of the current version after deleting them by its id: %v", head.Meta.Tags)
		}
	}},
	{"a copy keeps the source's tags, and new metadata brings its own", func(f *fixture) {
		f.putMeta("src", []byte("data"), objstore.ObjectMeta{Tags: someTags})
		_, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, bucket, "kept", objstore.CopyOptions{})
		noErr(f.t, err)
		head, err := f.b.HeadObject(f.ctx, bucket, "kept", "")
		noErr(f.t, err)
		if !reflect.DeepEqual(head.Meta.Tags, someTags) {
			f.t.Fatalf("copied tags %v, want %v", head.Meta.Tags, someTags)
		}
		for _, tags := range []map[string]string{nil, {"new": "tag"}} {
			meta := objstore.ObjectMeta{ContentType: "text/plain", Tags: tags}
			_, err = f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, bucket, "replaced", objstore.CopyOptions{Meta: &meta})
			noErr(f.t, err)
			head, err = f.b.HeadObject(f.ctx, bucket, "replaced", "")
			noErr(f.t, err)
			if len(tags) == 0 && len(head.Meta.Tags) != 0 || len(tags) > 0 && !reflect.DeepEqual(head.Meta.Tags, tags) {
				f.t.Fatalf("tags of a copy with new metadata %v, want %v", head.Meta.Tags, tags)
			}
		}
	}},
	{"a multipart upload's tags become the object's", func(f *fixture) {
		id, list := f.upload("k", objstore.ObjectMeta{Tags: someTags}, []byte("part"))
		_, err := f.complete("k", id, list, objstore.CompleteOptions{})
		noErr(f.t, err)
		head, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if !reflect.DeepEqual(head.Meta.Tags, someTags) {
			f.t.Fatalf("tags of the completed object %v, want %v", head.Meta.Tags, someTags)
		}
	}},
}
