package objstoretest

import (
	"bytes"
	"errors"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// testKey is a data key as the wire layer would hand one over; testOpener opens it.
func testKey() *objstore.DataKey {
	return &objstore.DataKey{Encryption: objstore.Encryption{Type: objstore.SSES3, Sealed: []byte("conformance-sealed")},
		Key: bytes.Repeat([]byte{0x42}, objstore.DataKeySize)}
}

var errUnknownKey = errors.New("objstoretest: unknown sealed key")

func testOpener(e objstore.Encryption) ([]byte, error) {
	if k := testKey(); e.Type == k.Type && bytes.Equal(e.Sealed, k.Sealed) {
		return k.Key, nil
	}
	return nil, errUnknownKey
}

// encrypting writes data under testKey and reports whether the backend encrypts; a
// backend that does not must refuse with ErrEncryptionUnsupported and store nothing.
func (f *fixture) encrypting(key string, data []byte) bool {
	f.t.Helper()
	info, err := f.b.PutObject(f.ctx, bucket, key, bytes.NewReader(data), int64(len(data)), objstore.PutOptions{Encrypt: testKey()})
	if errors.Is(err, objstore.ErrEncryptionUnsupported) {
		f.wantMissing(key)
		return false
	}
	noErr(f.t, err)
	if info.Encryption.Type != objstore.SSES3 || !bytes.Equal(info.Encryption.Sealed, testKey().Sealed) {
		f.t.Fatalf("PutObject with a data key described the object as %+v", info.Encryption)
	}
	return true
}

var encryptionTests = []test{
	{"an object written with a data key reads back, whole and by range, only through the opener", func(f *fixture) {
		data := randomBytes(31, 200<<10+17)
		if !f.encrypting("k", data) {
			return
		}
		if _, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{}); !errors.Is(err, objstore.ErrEncrypted) {
			f.t.Fatalf("GetObject without an opener: %v, want ErrEncrypted", err)
		}
		info, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if info.Encryption.Type != objstore.SSES3 || info.Size != int64(len(data)) {
			f.t.Fatalf("HeadObject = %+v", info)
		}
		obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{Keys: testOpener})
		noErr(f.t, err)
		if got := f.drain(obj); !bytes.Equal(got, data) {
			f.t.Fatal("the encrypted object reads back wrong")
		}
		r := objstore.Range{First: 65530, Last: 131080}
		obj, err = f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{Range: &r, Keys: testOpener})
		noErr(f.t, err)
		if got := f.drain(obj); !bytes.Equal(got, data[r.First:r.Last+1]) {
			f.t.Fatal("a range of the encrypted object reads back wrong")
		}
	}},
	{"an encrypted multipart upload needs the opener for its parts and completes encrypted", func(f *fixture) {
		id, err := f.b.CreateMultipartUpload(f.ctx, bucket, "mp", objstore.ObjectMeta{}, testKey())
		if errors.Is(err, objstore.ErrEncryptionUnsupported) {
			return
		}
		noErr(f.t, err)
		parts := [][]byte{randomBytes(32, objstore.MinPartSize), randomBytes(33, 1000)}
		_, err = f.b.UploadPart(f.ctx, bucket, "mp", id, 1, bytes.NewReader(parts[0]), int64(len(parts[0])), objstore.PartOptions{})
		wantErr(f.t, err, objstore.ErrEncrypted)
		var list []objstore.CompletePart
		for i, p := range parts {
			info, err := f.b.UploadPart(f.ctx, bucket, "mp", id, i+1, bytes.NewReader(p), int64(len(p)), objstore.PartOptions{Keys: testOpener})
			noErr(f.t, err)
			list = append(list, objstore.CompletePart{Number: i + 1, ETag: info.ETag})
		}
		info, err := f.complete("mp", id, list, objstore.CompleteOptions{})
		noErr(f.t, err)
		if info.Encryption.Type != objstore.SSES3 {
			f.t.Fatalf("the completed object is %+v", info.Encryption)
		}
		obj, err := f.b.GetObject(f.ctx, bucket, "mp", objstore.GetOptions{PartNumber: 2, Keys: testOpener})
		noErr(f.t, err)
		if got := f.drain(obj); !bytes.Equal(got, parts[1]) {
			f.t.Fatal("part 2 reads back wrong")
		}
	}},
	{"a copy keeps an encrypted source's encryption, or rewrites it as asked", func(f *fixture) {
		data := randomBytes(34, 70000)
		if !f.encrypting("src", data) {
			return
		}
		src := objstore.CopySource{Bucket: bucket, Key: "src", Keys: testOpener}
		kept, err := f.b.CopyObject(f.ctx, src, bucket, "kept", objstore.CopyOptions{})
		noErr(f.t, err)
		plain, err := f.b.CopyObject(f.ctx, src, bucket, "plain", objstore.CopyOptions{Reencrypt: true})
		noErr(f.t, err)
		if kept.Encryption.Type != objstore.SSES3 || plain.Encryption.Type != "" {
			f.t.Fatalf("copies are %+v and %+v", kept.Encryption, plain.Encryption)
		}
		obj, err := f.b.GetObject(f.ctx, bucket, "kept", objstore.GetOptions{Keys: testOpener})
		noErr(f.t, err)
		if got := f.drain(obj); !bytes.Equal(got, data) {
			f.t.Fatal("the kept copy reads back wrong")
		}
		f.wantContent("plain", data)
	}},
}
