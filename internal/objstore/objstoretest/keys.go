package objstoretest

import (
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// hostileKeys are keys that would escape or confuse a backend that used
// keys as file paths.
var hostileKeys = []string{
	"../../../../etc/passwd",
	"..",
	".",
	"a/../../b",
	"%2e%2e/%2e%2e/secret",
	"..\\..\\windows\\system32",
	"nul\x00byte",
	"\x00",
	"/leading/slash",
	"trailing/",
	"//double//slash",
	"invalid utf-8 \xff\xfe\xc3\x28",
	"\xff",
	"space and\ttab\nnewline",
	"日本語/キー",
	strings.Repeat("k", objstore.MaxKeyLength),
	strings.Repeat("../", objstore.MaxKeyLength/3),
}

var keyTests = []test{
	{"keys of any bytes are stored apart, listed and deleted", func(f *fixture) {
		for i, k := range hostileKeys {
			f.put(k, []byte{byte(i)})
		}
		for i, k := range hostileKeys {
			f.wantContent(k, []byte{byte(i)})
		}
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{MaxKeys: 1000})
		noErr(f.t, err)
		want := sortedUnique(hostileKeys)
		if got := objectKeys(res.Objects); !equalStrings(got, want) {
			f.t.Fatalf("listing %q, want %q", got, want)
		}
		for _, k := range hostileKeys {
			noErr(f.t, f.b.DeleteObject(f.ctx, bucket, k))
			f.wantMissing(k)
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
		_, err = f.b.CreateMultipartUpload(f.ctx, bucket, "", objstore.ObjectMeta{})
		wantErr(f.t, err, objstore.ErrInvalidKey)
	}},
}
