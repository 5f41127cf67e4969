package objstoretest

import (
	"reflect"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

var copyTests = []test{
	{"a copy keeps bytes, ETag and metadata and outlives its source", func(f *fixture) {
		data := randomBytes(20, 1<<20)
		src := f.putMeta("src", data, fullMeta)
		info, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, bucket, "dst", objstore.CopyOptions{})
		noErr(f.t, err)
		if info.ETag != src.ETag || info.Size != src.Size || info.Key != "dst" || !reflect.DeepEqual(info.Meta, fullMeta) {
			f.t.Fatalf("CopyObject = %+v", info)
		}
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "src", objstore.DeleteOptions{})))
		f.put("src", []byte("replaced"))
		f.wantContent("dst", data)
		head, err := f.b.HeadObject(f.ctx, bucket, "dst", "")
		noErr(f.t, err)
		if !sameInfo(head, info) || !reflect.DeepEqual(head.Meta, fullMeta) {
			f.t.Fatalf("HeadObject = %+v, want %+v", head, info)
		}
	}},
	{"a copy across buckets lands in the destination bucket", func(f *fixture) {
		noErr(f.t, f.b.CreateBucket(f.ctx, "other"))
		f.put("src", []byte("data"))
		info, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, "other", "k", objstore.CopyOptions{})
		noErr(f.t, err)
		if info.Bucket != "other" {
			f.t.Fatalf("CopyObject = %+v", info)
		}
		obj, err := f.b.GetObject(f.ctx, "other", "k", objstore.GetOptions{})
		noErr(f.t, err)
		if string(f.drain(obj)) != "data" {
			f.t.Fatal("copied bytes differ")
		}
	}},
	{"a copy with new metadata replaces it but keeps the checksums", func(f *fixture) {
		f.putMeta("src", []byte("data"), fullMeta)
		meta := objstore.ObjectMeta{ContentType: "application/json", UserMeta: map[string]string{"new": "1"}}
		info, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, bucket, "src",
			objstore.CopyOptions{Meta: &meta})
		noErr(f.t, err)
		want := meta
		want.Checksums, want.ChecksumType = fullMeta.Checksums, fullMeta.ChecksumType
		if !reflect.DeepEqual(info.Meta, want) {
			f.t.Fatalf("copy metadata %+v, want %+v", info.Meta, want)
		}
		f.wantContent("src", []byte("data"))
		head, err := f.b.HeadObject(f.ctx, bucket, "src", "")
		noErr(f.t, err)
		if !reflect.DeepEqual(head.Meta, want) {
			f.t.Fatalf("HeadObject metadata %+v, want %+v", head.Meta, want)
		}
	}},
	{"a copy of a missing source fails with ErrNoSuchKey", func(f *fixture) {
		_, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "nope"}, bucket, "dst", objstore.CopyOptions{})
		wantErr(f.t, err, objstore.ErrNoSuchKey)
		f.wantMissing("dst")
	}},
	{"a copy source IfMatch guards against a changed source", func(f *fixture) {
		v1 := f.put("src", []byte("one"))
		f.put("src", []byte("two"))
		src := objstore.CopySource{Bucket: bucket, Key: "src", IfMatch: `"` + v1.ETag + `"`}
		_, err := f.b.CopyObject(f.ctx, src, bucket, "dst", objstore.CopyOptions{})
		wantErr(f.t, err, objstore.ErrPreconditionFailed)
		f.wantMissing("dst")
		src.IfMatch = md5Hex([]byte("two"))
		_, err = f.b.CopyObject(f.ctx, src, bucket, "dst", objstore.CopyOptions{})
		noErr(f.t, err)
		f.wantContent("dst", []byte("two"))
	}},
	{"a copy honours the destination precondition", func(f *fixture) {
		f.put("src", []byte("new"))
		f.put("dst", []byte("old"))
		_, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, bucket, "dst",
			objstore.CopyOptions{Precondition: objstore.Precondition{IfNoneMatch: "*"}})
		wantErr(f.t, err, objstore.ErrPreconditionFailed)
		f.wantContent("dst", []byte("old"))
	}},
	{"a copy onto itself keeps the object readable", func(f *fixture) {
		data := randomBytes(21, 70_000)
		f.put("k", data)
		for range 3 {
			_, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "k"}, bucket, "k", objstore.CopyOptions{})
			noErr(f.t, err)
		}
		f.wantContent("k", data)
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{})))
		f.wantMissing("k")
	}},
	{"overwriting a copy leaves the original intact", func(f *fixture) {
		f.put("a", []byte(strings.Repeat("a", 1000)))
		_, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "a"}, bucket, "b", objstore.CopyOptions{})
		noErr(f.t, err)
		f.put("b", []byte("b"))
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "b", objstore.DeleteOptions{})))
		f.wantContent("a", []byte(strings.Repeat("a", 1000)))
	}},
}
