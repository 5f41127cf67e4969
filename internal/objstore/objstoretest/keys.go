package objstoretest

import (
	"slices"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// hostileKeys are valid keys that would escape or confuse a backend that
// used keys as file paths, or that S3-compatible file-backed stores rename
// (a leading "/", "//", "." and ".." segments).
var hostileKeys = []string{
	"../../../../etc/passwd",
	"..",
	".",
	"a/../../b",
	"%2e%2e/%2e%2e/secret",
	"..\\..\\windows\\system32",
	"/leading/slash",
	"trailing/",
	"//double//slash",
	"space and\ttab\nnewline",
	"control \x01\x1f\x7f bytes",
	"日本語/キー",
	"\U0010ffff last code point",
	strings.Repeat("k", objstore.MaxKeyLength),
	strings.Repeat("../", objstore.MaxKeyLength/3),
}

// invalidKeys are not keys at all (objstore.CheckKey): not valid UTF-8, or
// holding U+0000.
var invalidKeys = []string{
	"nul\x00byte",
	"\x00",
	"invalid utf-8 \xff\xfe\xc3\x28",
	"\xff",
	"overlong \xc0\xaf slash",
	"surrogate \xed\xa0\x80",
}

var keyTests = []test{
	{"every valid key is stored exactly or refused, never under another name", func(f *fixture) {
		stored := f.putEach(hostileKeys, func(i int) []byte { return []byte{byte(i)} })
		for i, k := range hostileKeys {
			if slices.Contains(stored, k) {
				f.wantContent(k, []byte{byte(i)})
			}
		}
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{MaxKeys: 1000})
		noErr(f.t, err)
		if got := objectKeys(res.Objects); !equalStrings(got, stored) {
			f.t.Fatalf("listing %q, want the keys stored, %q", got, stored)
		}
		for _, k := range stored {
			noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, k, objstore.DeleteOptions{})))
			f.wantMissing(k)
		}
	}},
	{"keys that are not valid UTF-8 or hold U+0000 are refused by every operation", func(f *fixture) {
		f.put("ok", []byte("x"))
		src := objstore.CopySource{Bucket: bucket, Key: "ok"}
		for _, k := range invalidKeys {
			_, err := f.b.PutObject(f.ctx, bucket, k, strings.NewReader("x"), 1, objstore.PutOptions{})
			wantErr(f.t, err, objstore.ErrInvalidKey)
			_, err = f.b.GetObject(f.ctx, bucket, k, objstore.GetOptions{})
			wantErr(f.t, err, objstore.ErrInvalidKey)
			_, err = f.b.HeadObject(f.ctx, bucket, k, "")
			wantErr(f.t, err, objstore.ErrInvalidKey)
			wantErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, k, objstore.DeleteOptions{})), objstore.ErrInvalidKey)
			_, err = f.b.CopyObject(f.ctx, src, bucket, k, objstore.CopyOptions{})
			wantErr(f.t, err, objstore.ErrInvalidKey)
			_, err = f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: k}, bucket, "dst", objstore.CopyOptions{})
			wantErr(f.t, err, objstore.ErrInvalidKey)
			_, err = f.b.CreateMultipartUpload(f.ctx, bucket, k, objstore.ObjectMeta{}, nil)
			wantErr(f.t, err, objstore.ErrInvalidKey)
			_, err = f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{Prefix: k, MaxKeys: 10})
			wantErr(f.t, err, objstore.ErrInvalidKey)
			_, err = f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{Delimiter: k, MaxKeys: 10})
			wantErr(f.t, err, objstore.ErrInvalidKey)
			_, err = f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{After: k, MaxKeys: 10})
			wantErr(f.t, err, objstore.ErrInvalidKey)
			_, err = f.b.ListMultipartUploads(f.ctx, bucket, objstore.ListUploadsOptions{Prefix: k, MaxUploads: 10})
			wantErr(f.t, err, objstore.ErrInvalidKey)
		}
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{MaxKeys: 1000})
		noErr(f.t, err)
		if got := objectKeys(res.Objects); !equalStrings(got, []string{"ok"}) {
			f.t.Fatalf("listing %q, want only %q", got, "ok")
		}
	}},
	{"an empty key and an overlong key are rejected", func(f *fixture) {
		_, err := f.b.PutObject(f.ctx, bucket, "", strings.NewReader("x"), 1, objstore.PutOptions{})
		wantErr(f.t, err, objstore.ErrInvalidKey)
		long := strings.Repeat("k", objstore.MaxKeyLength+1)
		_, err = f.b.PutObject(f.ctx, bucket, long, strings.NewReader("x"), 1, objstore.PutOptions{})
		wantErr(f.t, err, objstore.ErrKeyTooLong)
		_, err = f.b.GetObject(f.ctx, bucket, long, objstore.GetOptions{})
		wantErr(f.t, err, objstore.ErrKeyTooLong)
		_, err = f.b.CreateMultipartUpload(f.ctx, bucket, "", objstore.ObjectMeta{}, nil)
		wantErr(f.t, err, objstore.ErrInvalidKey)
	}},
}
