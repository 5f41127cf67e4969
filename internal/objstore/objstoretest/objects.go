package objstoretest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing/iotest"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// fullMeta sets every metadata field.
var fullMeta = objstore.ObjectMeta{
	ContentType:        "text/plain; charset=utf-8",
	ContentEncoding:    "gzip",
	ContentDisposition: `attachment; filename="a.txt"`,
	ContentLanguage:    "en-GB",
	CacheControl:       "max-age=60",
	Expires:            "Thu, 01 Dec 1994 16:00:00 GMT",
	UserMeta:           map[string]string{"owner": "ci", "empty": "", "unicode": "ümlaut"},
	Checksums:          map[string]string{"CRC32": "NhCmhg==", "SHA256": "n4bQgYhMfWWaL+qgxVrQFaO/TxsrC4Is0V1sFbDwCgg="},
	ChecksumType:       "FULL_OBJECT",
}

var objectTests = []test{
	{"a put object reads back with its bytes, MD5 ETag and metadata", func(f *fixture) {
		data := randomBytes(1, 100_000)
		before := time.Now().Add(-time.Minute)
		info := f.putMeta("k", data, fullMeta)
		if info.ETag != md5Hex(data) || info.Size != int64(len(data)) || info.PartsCount != 0 {
			f.t.Fatalf("PutObject = %+v, want ETag %s size %d", info, md5Hex(data), len(data))
		}
		if info.LastModified.Before(before) || info.Bucket != bucket || info.Key != "k" {
			f.t.Fatalf("PutObject = %+v", info)
		}
		got, ginfo := f.read("k")
		if !bytes.Equal(got, data) {
			f.t.Fatal("GetObject returned other bytes")
		}
		head, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		for name, i := range map[string]objstore.ObjectInfo{"GetObject": ginfo, "HeadObject": head} {
			if !samePut(i, info) || !reflect.DeepEqual(i.Meta, fullMeta) {
				f.t.Fatalf("%s = %+v, want %+v", name, i, info)
			}
		}
	}},
	{"checksums the body reveals only at its end are kept, small or streamed", func(f *fixture) {
		// The wire layer names the checksum type first and fills Meta.Checksums when a
		// trailing checksum has verified, as the body returns io.EOF: the backend must
		// read them after the body, not before.
		for i, size := range []int{1000, 3 << 20} {
			data := randomBytes(uint64(20+i), size)
			meta := objstore.ObjectMeta{Checksums: map[string]string{}, ChecksumType: "FULL_OBJECT"}
			body := &onEOF{r: bytes.NewReader(data), f: func() {
				meta.Checksums["CRC32"] = "NhCmhg=="
			}}
			key := fmt.Sprintf("trailer-%d", size)
			_, err := f.b.PutObject(f.ctx, bucket, key, body, int64(size), objstore.PutOptions{Meta: meta})
			noErr(f.t, err)
			head, err := f.b.HeadObject(f.ctx, bucket, key, "")
			noErr(f.t, err)
			if head.Meta.Checksums["CRC32"] != "NhCmhg==" {
				f.t.Fatalf("a %d-byte body: HeadObject has checksums %v, want the CRC32 given at EOF", size, head.Meta.Checksums)
			}
			_, ginfo := f.read(key)
			if ginfo.Meta.Checksums["CRC32"] != "NhCmhg==" {
				f.t.Fatalf("a %d-byte body: GetObject has checksums %v, want the CRC32 given at EOF", size, ginfo.Meta.Checksums)
			}
		}
	}},
	{"an empty object is stored with the MD5 of nothing", func(f *fixture) {
		info := f.put("empty", nil)
		if info.ETag != "d41d8cd98f00b204e9800998ecf8427e" || info.Size != 0 {
			f.t.Fatalf("PutObject = %+v", info)
		}
		f.wantContent("empty", nil)
	}},
	{"a body of unknown size is stored whole", func(f *fixture) {
		data := randomBytes(2, 3<<20+7)
		info, err := f.b.PutObject(f.ctx, bucket, "k", iotest.HalfReader(bytes.NewReader(data)), -1, objstore.PutOptions{})
		noErr(f.t, err)
		if info.Size != int64(len(data)) || info.ETag != md5Hex(data) {
			f.t.Fatalf("PutObject = %+v", info)
		}
		f.wantContent("k", data)
	}},
	{"a body shorter or longer than its declared size stores nothing", func(f *fixture) {
		old := f.put("k", []byte("old version"))
		for _, size := range []int64{9, 11} {
			_, err := f.b.PutObject(f.ctx, bucket, "k", strings.NewReader("0123456789"), size, objstore.PutOptions{})
			wantErr(f.t, err, objstore.ErrIncompleteBody)
		}
		f.wantContent("k", []byte("old version"))
		if head, _ := f.b.HeadObject(f.ctx, bucket, "k", ""); head.ETag != old.ETag {
			f.t.Fatalf("ETag changed to %s", head.ETag)
		}
	}},
	{"a body failing midway returns its error and leaves the old version", func(f *fixture) {
		f.put("k", []byte("old version"))
		body := &failingReader{data: randomBytes(3, 2<<20), err: errBody}
		_, err := f.b.PutObject(f.ctx, bucket, "k", body, 4<<20, objstore.PutOptions{})
		if err != errBody {
			f.t.Fatalf("got error %v, want the body's own error", err)
		}
		f.wantContent("k", []byte("old version"))
	}},
	{"a body failing after its last byte instead of EOF stores nothing", func(f *fixture) {
		data := randomBytes(4, 1000)
		_, err := f.b.PutObject(f.ctx, bucket, "new", &failingReader{data: data, err: errBody}, int64(len(data)), objstore.PutOptions{})
		if err != errBody {
			f.t.Fatalf("got error %v, want the body's own error", err)
		}
		f.wantMissing("new")
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{MaxKeys: 10})
		noErr(f.t, err)
		if len(res.Objects) != 0 {
			f.t.Fatalf("listing shows %+v", res.Objects)
		}
	}},
	{"a put under a canceled context stores nothing", func(f *fixture) {
		ctx, cancel := context.WithCancel(f.ctx)
		cancel()
		_, err := f.b.PutObject(ctx, bucket, "k", strings.NewReader("x"), 1, objstore.PutOptions{})
		wantErr(f.t, err, context.Canceled)
		f.wantMissing("k")
	}},
	{"an overwrite replaces bytes and metadata", func(f *fixture) {
		f.putMeta("k", randomBytes(5, 5000), fullMeta)
		info := f.put("k", []byte("v2"))
		f.wantContent("k", []byte("v2"))
		head, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if !samePut(head, info) || !reflect.DeepEqual(head.Meta, objstore.ObjectMeta{}) {
			f.t.Fatalf("HeadObject = %+v, want %+v", head, info)
		}
	}},
	{"a missing key fails with ErrNoSuchKey", func(f *fixture) {
		_, err := f.b.GetObject(f.ctx, bucket, "nope", objstore.GetOptions{})
		wantErr(f.t, err, objstore.ErrNoSuchKey)
		f.wantMissing("nope")
	}},
	{"a deleted object is gone and deleting a missing key succeeds", func(f *fixture) {
		f.put("k", []byte("x"))
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{})))
		f.wantMissing("k")
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{})))
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "never", objstore.DeleteOptions{})))
	}},
	{"a conditional delete removes only the version it names", func(f *fixture) {
		info := f.put("k", []byte("v1"))
		wantErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{IfMatch: `"0123456789abcdef0123456789abcdef"`})),
			objstore.ErrPreconditionFailed)
		f.wantContent("k", []byte("v1"))
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{IfMatch: `"` + info.ETag + `"`})))
		f.wantMissing("k")
		wantErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{IfMatch: info.ETag})), objstore.ErrNoSuchKey)
		wantErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{IfMatch: "*"})), objstore.ErrNoSuchKey)
		f.put("k", []byte("v2"))
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{IfMatch: "*"})))
		f.wantMissing("k")
	}},
	{"an open body keeps serving its version through overwrite and delete", func(f *fixture) {
		v1 := randomBytes(6, 3<<20)
		f.put("k", v1)
		obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{})
		noErr(f.t, err)
		head := make([]byte, 1000)
		_, err = io.ReadFull(obj.Body, head)
		noErr(f.t, err)
		f.put("k", []byte("v2"))
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{})))
		rest := f.drainRest(obj)
		if !bytes.Equal(append(head, rest...), v1) {
			f.t.Fatal("open body changed after overwrite")
		}
	}},
	{"If-None-Match * creates once and then fails with ErrPreconditionFailed", func(f *fixture) {
		pre := objstore.PutOptions{Precondition: objstore.Precondition{IfNoneMatch: "*"}}
		_, err := f.b.PutObject(f.ctx, bucket, "k", strings.NewReader("one"), 3, pre)
		noErr(f.t, err)
		_, err = f.b.PutObject(f.ctx, bucket, "k", strings.NewReader("two"), 3, pre)
		wantErr(f.t, err, objstore.ErrPreconditionFailed)
		f.wantContent("k", []byte("one"))
	}},
	{"If-Match writes only over the named ETag", func(f *fixture) {
		put := func(data, ifMatch string) error {
			_, err := f.b.PutObject(f.ctx, bucket, "k", strings.NewReader(data), int64(len(data)),
				objstore.PutOptions{Precondition: objstore.Precondition{IfMatch: ifMatch}})
			return err
		}
		wantErr(f.t, put("zero", `"anything"`), objstore.ErrNoSuchKey)
		v1 := f.put("k", []byte("one"))
		wantErr(f.t, put("two", md5Hex([]byte("other"))), objstore.ErrPreconditionFailed)
		noErr(f.t, put("two", `"`+v1.ETag+`"`))
		noErr(f.t, put("three", "*"))
		f.wantContent("k", []byte("three"))
	}},
}

// drainRest reads the rest of an open body and closes it.
func (f *fixture) drainRest(obj *objstore.Object) []byte {
	f.t.Helper()
	defer obj.Body.Close()
	rest, err := io.ReadAll(obj.Body)
	noErr(f.t, err)
	return rest
}

// sameInfo compares descriptions, times with Equal, metadata aside.
func sameInfo(a, b objstore.ObjectInfo) bool {
	return a.Bucket == b.Bucket && a.Key == b.Key && a.Size == b.Size && a.ETag == b.ETag &&
		a.LastModified.Equal(b.LastModified) && a.PartsCount == b.PartsCount
}

// samePut compares a read's description with PutObject's: as sameInfo, but
// LastModified may be one second off (see objstore.Objects.PutObject).
func samePut(read, put objstore.ObjectInfo) bool {
	d := read.LastModified.Sub(put.LastModified)
	put.LastModified = read.LastModified
	return sameInfo(read, put) && d <= time.Second && d >= -time.Second
}

// onEOF calls f once, when r first returns io.EOF and before the caller sees it.
type onEOF struct {
	r    io.Reader
	f    func()
	done bool
}

func (o *onEOF) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if err == io.EOF && !o.done {
		o.done = true
		o.f()
	}
	return n, err
}
