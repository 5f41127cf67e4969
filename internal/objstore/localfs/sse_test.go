package localfs

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// testDataKey is a fixed data key; the tests' opener returns it for the
// Encryption it was sealed as.
func testDataKey() *objstore.DataKey {
	return &objstore.DataKey{Encryption: objstore.Encryption{Type: objstore.SSES3, Sealed: []byte("sealed-1")},
		Key: bytes.Repeat([]byte{7}, objstore.DataKeySize)}
}

// otherDataKey is a second key, as for another SSE-C customer key.
func otherDataKey() *objstore.DataKey {
	return &objstore.DataKey{Encryption: objstore.Encryption{Type: objstore.SSEC, Sealed: []byte("sealed-2")},
		Key: bytes.Repeat([]byte{9}, objstore.DataKeySize)}
}

// testOpener opens the two test keys, refusing anything else.
func testOpener(e objstore.Encryption) ([]byte, error) {
	for _, k := range []*objstore.DataKey{testDataKey(), otherDataKey()} {
		if e.Type == k.Type && bytes.Equal(e.Sealed, k.Sealed) {
			return k.Key, nil
		}
	}
	return nil, errWrongTestKey
}

var errWrongTestKey = errors.New("wrong test key")

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func readAll(t *testing.T, b *Backend, key string, opts objstore.GetOptions) ([]byte, *objstore.Object) {
	t.Helper()
	obj, err := b.GetObject(t.Context(), "b", key, opts)
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return data, obj
}

func newEncryptedTest(t *testing.T) *Backend {
	b := openTest(t, t.TempDir(), Options{})
	if err := b.CreateBucket(t.Context(), "b"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsck(t, b) })
	return b
}

// TestEncryptedObjectsAreNotStoredInTheClearAndReadBackWhole writes sizes
// around the chunk boundaries and checks that the data file holds no run of
// the plaintext and that every size reads back exactly.
func TestEncryptedObjectsAreNotStoredInTheClearAndReadBackWhole(t *testing.T) {
	b := newEncryptedTest(t)
	for i, n := range []int{0, 1, chunkSize - 1, chunkSize, chunkSize + 1, 3*chunkSize + 17, readBatch*chunkSize + 5} {
		data := randomBytes(n, uint64(i+1))
		key := "k" + string(rune('a'+i))
		info, err := b.PutObject(t.Context(), "b", key, bytes.NewReader(data), int64(n), objstore.PutOptions{Encrypt: testDataKey()})
		if err != nil {
			t.Fatalf("PutObject of %d bytes: %v", n, err)
		}
		if info.Size != int64(n) || info.Encryption.Type != objstore.SSES3 || string(info.Encryption.Sealed) != "sealed-1" {
			t.Fatalf("PutObject of %d bytes = %+v", n, info)
		}
		got, obj := readAll(t, b, key, objstore.GetOptions{Keys: testOpener})
		if !bytes.Equal(got, data) || obj.Info.Encryption.Type != objstore.SSES3 {
			t.Fatalf("%d bytes read back as %d bytes (%+v)", n, len(got), obj.Info.Encryption)
		}
		r, _ := lookupObject(b.idx.reader(t.Context()), "b", key)
		raw, err := os.ReadFile(b.blobs.path(r.segs[0].blob))
		if err != nil {
			t.Fatal(err)
		}
		if n >= 32 && bytes.Contains(raw, data[:32]) {
			t.Fatalf("the data file of %d bytes holds the plaintext", n)
		}
	}
}

// TestReadsOfAnEncryptedObjectNeedItsKey checks that a read without an
// opener fails closed and that the opener's error comes back unchanged.
func TestReadsOfAnEncryptedObjectNeedItsKey(t *testing.T) {
	b := newEncryptedTest(t)
	if _, err := b.PutObject(t.Context(), "b", "k", bytes.NewReader([]byte("secret")), 6, objstore.PutOptions{Encrypt: testDataKey()}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetObject(t.Context(), "b", "k", objstore.GetOptions{}); !errors.Is(err, objstore.ErrEncrypted) {
		t.Fatalf("GetObject without an opener: %v, want ErrEncrypted", err)
	}
	refuse := func(objstore.Encryption) ([]byte, error) { return nil, errWrongTestKey }
	if _, err := b.GetObject(t.Context(), "b", "k", objstore.GetOptions{Keys: refuse}); !errors.Is(err, errWrongTestKey) {
		t.Fatalf("GetObject with a refusing opener: %v", err)
	}
	wrong := func(objstore.Encryption) ([]byte, error) { return otherDataKey().Key, nil }
	if _, err := b.GetObject(t.Context(), "b", "k", objstore.GetOptions{Keys: wrong}); !errors.Is(err, objstore.ErrCorrupt) {
		t.Fatalf("GetObject with the wrong data key: %v, want ErrCorrupt", err)
	}
}

// TestRangesOfAnEncryptedObjectDecryptAcrossChunkBoundaries reads ranges
// starting and ending on and around chunk and batch boundaries.
func TestRangesOfAnEncryptedObjectDecryptAcrossChunkBoundaries(t *testing.T) {
	b := newEncryptedTest(t)
	n := int64(readBatch*chunkSize*2 + 1234)
	data := randomBytes(int(n), 42)
	if _, err := b.PutObject(t.Context(), "b", "k", bytes.NewReader(data), n, objstore.PutOptions{Encrypt: testDataKey()}); err != nil {
		t.Fatal(err)
	}
	for _, r := range [][2]int64{{0, 0}, {0, chunkSize - 1}, {chunkSize - 1, chunkSize}, {chunkSize, 2*chunkSize - 1},
		{5, readBatch*chunkSize + 3}, {readBatch*chunkSize - 1, readBatch * chunkSize}, {n - 1, n - 1}, {n - chunkSize - 3, n - 1}, {17, n - 1}} {
		got, obj := readAll(t, b, "k", objstore.GetOptions{Range: &objstore.Range{First: r[0], Last: r[1]}, Keys: testOpener})
		if !bytes.Equal(got, data[r[0]:r[1]+1]) || obj.Offset != r[0] {
			t.Fatalf("range %d-%d: %d bytes at %d, wrong", r[0], r[1], len(got), obj.Offset)
		}
	}
}

// TestAnEncryptedMultipartObjectServesItsPartsAndRangesAcrossThem
// completes an encrypted upload and reads it by part number and by ranges
// that straddle parts.
func TestAnEncryptedMultipartObjectServesItsPartsAndRangesAcrossThem(t *testing.T) {
	b := newEncryptedTest(t)
	id, err := b.CreateMultipartUpload(t.Context(), "b", "k", objstore.ObjectMeta{}, testDataKey())
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{randomBytes(objstore.MinPartSize+chunkSize/2, 1), randomBytes(chunkSize*3+1, 2)}
	if _, err := b.UploadPart(t.Context(), "b", "k", id, 1, bytes.NewReader(parts[0]), int64(len(parts[0])), objstore.PartOptions{}); !errors.Is(err, objstore.ErrEncrypted) {
		t.Fatalf("UploadPart without an opener: %v, want ErrEncrypted", err)
	}
	var done []objstore.CompletePart
	for i, p := range parts {
		info, err := b.UploadPart(t.Context(), "b", "k", id, i+1, bytes.NewReader(p), int64(len(p)), objstore.PartOptions{Keys: testOpener})
		if err != nil {
			t.Fatal(err)
		}
		done = append(done, objstore.CompletePart{Number: i + 1, ETag: info.ETag})
	}
	info, err := b.CompleteMultipartUpload(t.Context(), "b", "k", id, done, objstore.CompleteOptions{})
	if err != nil || info.Encryption.Type != objstore.SSES3 {
		t.Fatalf("CompleteMultipartUpload = %+v, %v", info, err)
	}
	whole := append(append([]byte(nil), parts[0]...), parts[1]...)
	if got, _ := readAll(t, b, "k", objstore.GetOptions{Keys: testOpener}); !bytes.Equal(got, whole) {
		t.Fatal("the multipart object reads back wrong")
	}
	for i, p := range parts {
		if got, _ := readAll(t, b, "k", objstore.GetOptions{PartNumber: i + 1, Keys: testOpener}); !bytes.Equal(got, p) {
			t.Fatalf("part %d reads back wrong", i+1)
		}
	}
	first, last := int64(len(parts[0])-chunkSize-5), int64(len(parts[0])+chunkSize+5)
	if got, _ := readAll(t, b, "k", objstore.GetOptions{Range: &objstore.Range{First: first, Last: last}, Keys: testOpener}); !bytes.Equal(got, whole[first:last+1]) {
		t.Fatal("a range across the parts reads back wrong")
	}
}

// TestCopiesOfEncryptedObjectsShareOrReencrypt checks both copy modes: a
// shared copy keeps the source's key and data file, a re-encrypted one has
// a new data file under the new key, and a copy that cannot open the
// source's key fails.
func TestCopiesOfEncryptedObjectsShareOrReencrypt(t *testing.T) {
	b := newEncryptedTest(t)
	data := randomBytes(3*chunkSize+9, 5)
	if _, err := b.PutObject(t.Context(), "b", "src", bytes.NewReader(data), int64(len(data)), objstore.PutOptions{Encrypt: testDataKey()}); err != nil {
		t.Fatal(err)
	}
	src := objstore.CopySource{Bucket: "b", Key: "src", Keys: testOpener}
	if _, err := b.CopyObject(t.Context(), objstore.CopySource{Bucket: "b", Key: "src"}, "b", "x", objstore.CopyOptions{}); !errors.Is(err, objstore.ErrEncrypted) {
		t.Fatalf("a shared copy without the source's opener: %v, want ErrEncrypted", err)
	}
	shared, err := b.CopyObject(t.Context(), src, "b", "shared", objstore.CopyOptions{})
	if err != nil || shared.Encryption.Type != objstore.SSES3 {
		t.Fatalf("shared copy = %+v, %v", shared, err)
	}
	re, err := b.CopyObject(t.Context(), src, "b", "re", objstore.CopyOptions{Reencrypt: true, Encrypt: otherDataKey()})
	if err != nil || re.Encryption.Type != objstore.SSEC || string(re.Encryption.Sealed) != "sealed-2" || re.ETag != shared.ETag {
		t.Fatalf("re-encrypted copy = %+v, %v", re, err)
	}
	plain, err := b.CopyObject(t.Context(), src, "b", "plain", objstore.CopyOptions{Reencrypt: true})
	if err != nil || plain.Encryption.Type != "" {
		t.Fatalf("decrypted copy = %+v, %v", plain, err)
	}
	segs := func(key string) blobID {
		r, err := lookupObject(b.idx.reader(t.Context()), "b", key)
		if err != nil {
			t.Fatal(err)
		}
		return r.segs[0].blob
	}
	if segs("shared") != segs("src") || segs("re") == segs("src") {
		t.Fatal("the shared copy must share the data file and the re-encrypted one must not")
	}
	for _, key := range []string{"shared", "re", "plain"} {
		opts := objstore.GetOptions{Keys: testOpener}
		if key == "plain" {
			opts.Keys = nil
		}
		if got, _ := readAll(t, b, key, opts); !bytes.Equal(got, data) {
			t.Fatalf("copy %s reads back wrong", key)
		}
	}
}

// TestATamperedEncryptedDataFileIsAnErrorNeverWrongBytes flips one byte,
// truncates, and swaps data files, and expects ErrCorrupt each time, with
// not one byte of the damaged chunk served.
func TestATamperedEncryptedDataFileIsAnErrorNeverWrongBytes(t *testing.T) {
	b := newEncryptedTest(t)
	data := randomBytes((readBatch+2)*chunkSize+100, 9)
	other := randomBytes((readBatch+2)*chunkSize+100, 10)
	for key, d := range map[string][]byte{"k": data, "other": other} {
		if _, err := b.PutObject(t.Context(), "b", key, bytes.NewReader(d), int64(len(d)), objstore.PutOptions{Encrypt: testDataKey()}); err != nil {
			t.Fatal(err)
		}
	}
	path := func(key string) string {
		r, _ := lookupObject(b.idx.reader(t.Context()), "b", key)
		return b.blobs.path(r.segs[0].blob)
	}
	orig, _ := os.ReadFile(path("k"))
	restore := func() {
		if err := os.WriteFile(path("k"), orig, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	otherRaw, _ := os.ReadFile(path("other"))
	for name, damaged := range map[string][]byte{
		"a flipped byte in the second chunk":  flip(orig, headerSize+sealedChunk+10),
		"a flipped byte in the header":        flip(orig, 6),
		"the last chunk cut off":              orig[:headerSize+2*sealedChunk],
		"the last chunk shortened":            orig[:len(orig)-1],
		"the first two chunks swapped":        swapChunks(orig),
		"another object's file in its place":  otherRaw,
		"a chunk appended after the last one": append(append([]byte(nil), orig...), orig[headerSize:headerSize+sealedChunk]...),
	} {
		t.Run(name, func(t *testing.T) {
			defer restore()
			if err := os.WriteFile(path("k"), damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			obj, err := b.GetObject(t.Context(), "b", "k", objstore.GetOptions{Keys: testOpener})
			if err == nil {
				// damage past the first batch shows while the body is read
				_, err = io.Copy(&out, obj.Body)
				obj.Body.Close()
			}
			if !errors.Is(err, objstore.ErrCorrupt) {
				t.Fatalf("read: %v, want ErrCorrupt", err)
			}
			if !bytes.HasPrefix(data, out.Bytes()) {
				t.Fatal("the read served bytes that are not the object's")
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 1
	return c
}

func swapChunks(b []byte) []byte {
	c := append([]byte(nil), b...)
	copy(c[headerSize:], b[headerSize+sealedChunk:headerSize+2*sealedChunk])
	copy(c[headerSize+sealedChunk:], b[headerSize:headerSize+sealedChunk])
	return c
}

// TestCrashMidEncryptedPutObjectLeavesThePreviousVersion kills a child in
// the middle of an encrypted PutObject: the key still holds the previous
// encrypted version, readable with its key, and nothing half-written stays.
func TestCrashMidEncryptedPutObjectLeavesThePreviousVersion(t *testing.T) {
	eachTempKind(t, func(t *testing.T, named bool) {
		dir := t.TempDir()
		previous := []byte("the previous, encrypted version")
		b, err := Open(t.Context(), dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := b.CreateBucket(t.Context(), crashBucket); err != nil {
			t.Fatal(err)
		}
		if _, err := b.PutObject(t.Context(), crashBucket, crashKey, bytes.NewReader(previous), int64(len(previous)), objstore.PutOptions{Encrypt: testDataKey()}); err != nil {
			t.Fatal(err)
		}
		b.Close()
		runChild(t, "put-encrypted", dir, named, "stalled", 0)
		wantCrashLeftovers(t, dir, named, 1)
		b = openTest(t, dir, Options{})
		obj, err := b.GetObject(t.Context(), crashBucket, crashKey, objstore.GetOptions{Keys: testOpener})
		if err != nil {
			t.Fatal(err)
		}
		defer obj.Body.Close()
		if data, err := io.ReadAll(obj.Body); err != nil || !bytes.Equal(data, previous) {
			t.Fatalf("after the crash the key holds %q, %v; want the previous version", data, err)
		}
		fsck(t, b)
	})
}

// TestEncryptedVersionsAndTagsKeepTheirKeys checks what the versions table
// and tag updates must carry along with an object's row: a noncurrent
// version, a version copied by id, and an object whose tags were replaced
// all still name the key their bytes were sealed with.
func TestEncryptedVersionsAndTagsKeepTheirKeys(t *testing.T) {
	b := newEncryptedTest(t)
	ctx := t.Context()
	if err := b.PutBucketVersioning(ctx, "b", objstore.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	one, two := randomBytes(3*chunkSize+5, 1), randomBytes(100, 2)
	v1, err := b.PutObject(ctx, "b", "k", bytes.NewReader(one), int64(len(one)), objstore.PutOptions{Encrypt: testDataKey()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObject(ctx, "b", "k", bytes.NewReader(two), int64(len(two)), objstore.PutOptions{Encrypt: otherDataKey()}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObjectTags(ctx, "b", "k", v1.VersionID, map[string]string{"t": "1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PutObjectTags(ctx, "b", "k", "", map[string]string{"t": "2"}); err != nil {
		t.Fatal(err)
	}
	got, obj := readAll(t, b, "k", objstore.GetOptions{VersionID: v1.VersionID, Keys: testOpener})
	if !bytes.Equal(got, one) || obj.Info.Encryption.Type != objstore.SSES3 || obj.Info.Meta.Tags["t"] != "1" {
		t.Fatalf("the noncurrent version read back as %d bytes, %+v, tags %v", len(got), obj.Info.Encryption, obj.Info.Meta.Tags)
	}
	got, obj = readAll(t, b, "k", objstore.GetOptions{Keys: testOpener})
	if !bytes.Equal(got, two) || obj.Info.Encryption.Type != objstore.SSEC || obj.Info.Meta.Tags["t"] != "2" {
		t.Fatalf("the current version read back as %d bytes, %+v, tags %v", len(got), obj.Info.Encryption, obj.Info.Meta.Tags)
	}
	src := objstore.CopySource{Bucket: "b", Key: "k", VersionID: v1.VersionID, Keys: testOpener}
	if _, err := b.CopyObject(ctx, src, "b", "shared", objstore.CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := readAll(t, b, "shared", objstore.GetOptions{Keys: testOpener}); !bytes.Equal(got, one) {
		t.Fatalf("a copy of the noncurrent version holds %d bytes", len(got))
	}
	if _, err := b.CopyObject(ctx, src, "b", "rekeyed", objstore.CopyOptions{Reencrypt: true, Encrypt: otherDataKey()}); err != nil {
		t.Fatal(err)
	}
	got, obj = readAll(t, b, "rekeyed", objstore.GetOptions{Keys: testOpener})
	if !bytes.Equal(got, one) || obj.Info.Encryption.Type != objstore.SSEC || obj.Info.VersionID == v1.VersionID {
		t.Fatalf("a re-encrypted copy of the noncurrent version: %d bytes, %+v, version %q", len(got), obj.Info.Encryption, obj.Info.VersionID)
	}
}
