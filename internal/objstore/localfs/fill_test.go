package localfs

import (
	"bytes"
	"crypto/md5"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/iotest"
)

func TestFillWritesAndHashesBodiesAroundChunkBoundaries(t *testing.T) {
	s := newBlobStore(t.TempDir(), newKeeper(func(blobID) {}), func() (blobID, error) { return blobID{}, nil })
	sizes := []int{0, 1, copyBuf - 1, copyBuf, copyBuf + 1, 3*copyBuf + 5}
	for _, size := range sizes {
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"whole reads": func(r io.Reader) io.Reader { return r },
			"half reads":  iotest.HalfReader,
			"data+EOF":    iotest.DataErrReader,
		} {
			data := bytes.Repeat([]byte{byte(size), 7, 9}, size/3+1)[:size]
			path := filepath.Join(t.TempDir(), "f")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			n, sum, err := s.fill(t.Context(), f, wrap(bytes.NewReader(data)), int64(size), nil)
			f.Close()
			got, _ := os.ReadFile(path)
			if err != nil || n != int64(size) || sum != md5.Sum(data) || !bytes.Equal(got, data) {
				t.Fatalf("%d bytes, %s: n=%d err=%v, file %d bytes, MD5 match %v", size, name, n, err, len(got), sum == md5.Sum(data))
			}
		}
	}
}

func TestFillReturnsTheBodysErrorFromAnyChunk(t *testing.T) {
	s := newBlobStore(t.TempDir(), newKeeper(func(blobID) {}), func() (blobID, error) { return blobID{}, nil })
	boom := errors.New("boom")
	for _, at := range []int{0, 10, copyBuf, 2*copyBuf + 3} {
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		if err != nil {
			t.Fatal(err)
		}
		body := io.MultiReader(bytes.NewReader(make([]byte, at)), iotest.ErrReader(boom))
		_, _, err = s.fill(t.Context(), f, body, -1, nil)
		f.Close()
		if err != boom {
			t.Fatalf("failure after %d bytes: got %v, want the body's error", at, err)
		}
	}
}
