package objstoretest

import (
	"bytes"
	"errors"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

var bucketTests = []test{
	{"a created bucket is described and listed with its creation date", func(f *fixture) {
		noErr(f.t, f.b.CreateBucket(f.ctx, "another"))
		info, err := f.b.HeadBucket(f.ctx, "another")
		noErr(f.t, err)
		if info.Name != "another" || info.Created.IsZero() {
			f.t.Fatalf("HeadBucket = %+v", info)
		}
		list, err := f.b.ListBuckets(f.ctx)
		noErr(f.t, err)
		if len(list) != 2 || list[0].Name != "another" || list[1].Name != bucket {
			f.t.Fatalf("ListBuckets = %+v, want [another %s] sorted by name", list, bucket)
		}
		if !list[0].Created.Equal(info.Created) {
			f.t.Fatalf("ListBuckets date %v differs from HeadBucket's %v", list[0].Created, info.Created)
		}
	}},
	{"creating an existing bucket fails with ErrBucketExists", func(f *fixture) {
		wantErr(f.t, f.b.CreateBucket(f.ctx, bucket), objstore.ErrBucketExists)
	}},
	{"an empty bucket name is rejected", func(f *fixture) {
		wantErr(f.t, f.b.CreateBucket(f.ctx, ""), objstore.ErrInvalidBucketName)
		_, err := f.b.HeadBucket(f.ctx, "")
		wantErr(f.t, err, objstore.ErrInvalidBucketName)
	}},
	{"a deleted bucket is gone and its name can be reused", func(f *fixture) {
		noErr(f.t, f.b.DeleteBucket(f.ctx, bucket))
		_, err := f.b.HeadBucket(f.ctx, bucket)
		wantErr(f.t, err, objstore.ErrNoSuchBucket)
		wantErr(f.t, f.b.DeleteBucket(f.ctx, bucket), objstore.ErrNoSuchBucket)
		noErr(f.t, f.b.CreateBucket(f.ctx, bucket))
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{MaxKeys: 10})
		noErr(f.t, err)
		if len(res.Objects) != 0 {
			f.t.Fatalf("recreated bucket lists %d objects", len(res.Objects))
		}
	}},
	{"a bucket holding an object cannot be deleted", func(f *fixture) {
		f.put("k", []byte("x"))
		wantErr(f.t, f.b.DeleteBucket(f.ctx, bucket), objstore.ErrBucketNotEmpty)
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{})))
		noErr(f.t, f.b.DeleteBucket(f.ctx, bucket))
	}},
	{"deleting a bucket aborts its multipart uploads", func(f *fixture) {
		id, err := f.b.CreateMultipartUpload(f.ctx, bucket, "k", objstore.ObjectMeta{}, nil)
		noErr(f.t, err)
		_, err = f.b.UploadPart(f.ctx, bucket, "k", id, 1, strings.NewReader("part"), 4, objstore.PartOptions{})
		noErr(f.t, err)
		noErr(f.t, f.b.DeleteBucket(f.ctx, bucket))
		noErr(f.t, f.b.CreateBucket(f.ctx, bucket))
		_, err = f.b.ListParts(f.ctx, bucket, "k", id, objstore.ListPartsOptions{MaxParts: 10})
		wantErr(f.t, err, objstore.ErrNoSuchUpload)
		ups, err := f.b.ListMultipartUploads(f.ctx, bucket, objstore.ListUploadsOptions{MaxUploads: 10})
		noErr(f.t, err)
		if len(ups.Uploads) != 0 {
			f.t.Fatalf("recreated bucket lists uploads %+v", ups.Uploads)
		}
	}},
	{"every operation on a missing bucket fails with ErrNoSuchBucket", func(f *fixture) {
		f.put("src", []byte("x"))
		for name, err := range missingBucketErrors(f, "missing") {
			if !errors.Is(err, objstore.ErrNoSuchBucket) {
				f.t.Errorf("%s: got %v, want ErrNoSuchBucket", name, err)
			}
		}
	}},
}

// missingBucketErrors calls every bucket-scoped operation on bucket m.
func missingBucketErrors(f *fixture, m string) map[string]error {
	out := map[string]error{}
	_, out["HeadBucket"] = f.b.HeadBucket(f.ctx, m)
	out["DeleteBucket"] = f.b.DeleteBucket(f.ctx, m)
	_, out["PutObject"] = f.b.PutObject(f.ctx, m, "k", bytes.NewReader([]byte("x")), 1, objstore.PutOptions{})
	_, out["GetObject"] = f.b.GetObject(f.ctx, m, "k", objstore.GetOptions{})
	_, out["HeadObject"] = f.b.HeadObject(f.ctx, m, "k", "")
	out["DeleteObject"] = errOf(f.b.DeleteObject(f.ctx, m, "k", objstore.DeleteOptions{}))
	_, out["ListObjects"] = f.b.ListObjects(f.ctx, m, objstore.ListOptions{MaxKeys: 1})
	_, out["CopyObject to"] = f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, m, "k", objstore.CopyOptions{})
	_, out["CopyObject from"] = f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: m, Key: "k"}, bucket, "k", objstore.CopyOptions{})
	_, out["CreateMultipartUpload"] = f.b.CreateMultipartUpload(f.ctx, m, "k", objstore.ObjectMeta{}, nil)
	_, out["UploadPart"] = f.b.UploadPart(f.ctx, m, "k", "u", 1, bytes.NewReader(nil), 0, objstore.PartOptions{})
	_, out["ListParts"] = f.b.ListParts(f.ctx, m, "k", "u", objstore.ListPartsOptions{MaxParts: 1})
	_, out["ListMultipartUploads"] = f.b.ListMultipartUploads(f.ctx, m, objstore.ListUploadsOptions{MaxUploads: 1})
	out["AbortMultipartUpload"] = f.b.AbortMultipartUpload(f.ctx, m, "k", "u")
	_, out["CompleteMultipartUpload"] = f.b.CompleteMultipartUpload(f.ctx, m, "k", "u",
		[]objstore.CompletePart{{Number: 1, ETag: "x"}}, objstore.CompleteOptions{})
	return out
}
