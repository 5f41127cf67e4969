package checksum

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

func readAll(t *testing.T, r io.Reader) ([]byte, error) {
	t.Helper()
	var out bytes.Buffer
	buf := make([]byte, 7) // small reads exercise the hashing of partial buffers
	for {
		n, err := r.Read(buf)
		out.Write(buf[:n])
		if err != nil {
			if err == io.EOF {
				return out.Bytes(), nil
			}
			return out.Bytes(), err
		}
	}
}

func TestReaderPassesTheBodyThroughAndComputesEverySum(t *testing.T) {
	body := strings.Repeat("inkan checksum body ", 100)
	r := NewReader(strings.NewReader(body))
	for _, a := range append(Algorithms(), MD5) {
		if err := r.Compute(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Compute(CRC32); err != nil {
		t.Fatalf("adding CRC32 twice: %v", err)
	}
	if got := r.Sum(CRC32); got != "" {
		t.Fatalf("Sum before EOF = %q, want empty", got)
	}
	got, err := readAll(t, r)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != body {
		t.Fatal("the reader changed the body")
	}
	for _, a := range append(Algorithms(), MD5) {
		if want := a.Sum([]byte(body)); r.Sum(a) != want {
			t.Errorf("Sum(%s) = %q, want %q", a, r.Sum(a), want)
		}
	}
}

func TestReaderEndsInEOFWhenEveryExpectationHolds(t *testing.T) {
	body := []byte("payload")
	r := NewReader(bytes.NewReader(body))
	if err := r.Expect(CRC32, CRC32.Sum(body)); err != nil {
		t.Fatal(err)
	}
	if err := r.Expect(MD5, MD5.Sum(body)); err != nil {
		t.Fatal(err)
	}
	if err := r.ExpectLater(SHA256, func() (string, bool) { return SHA256.Sum(body), true }); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, r); err != nil {
		t.Fatalf("verification failed on a good body: %v", err)
	}
}

func TestReaderNeverEndsInEOFWhenAChecksumDiffers(t *testing.T) {
	body := []byte("payload")
	r := NewReader(bytes.NewReader(body))
	wrong := CRC32C.Sum([]byte("other"))
	if err := r.Expect(CRC32C, wrong); err != nil {
		t.Fatal(err)
	}
	_, err := readAll(t, r)
	var mm *MismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("error = %v, want *MismatchError", err)
	}
	if mm.Algorithm != CRC32C || mm.Expected != wrong || mm.Computed != CRC32C.Sum(body) {
		t.Fatalf("mismatch = %+v", mm)
	}
	if !strings.Contains(mm.Error(), "CRC32C you specified did not match") {
		t.Fatalf("message %q does not follow S3's BadDigest wording", mm.Error())
	}
	if n, again := r.Read(make([]byte, 1)); n != 0 || again != err {
		t.Fatalf("Read after failure = %d, %v; want 0 and the same error", n, again)
	}
}

func TestReaderChecksLateValuesOnlyAfterTheSourceEnds(t *testing.T) {
	body := []byte("trailer-checked body")
	var ended bool
	src := &endWatcher{r: bytes.NewReader(body), ended: &ended}
	r := NewReader(src)
	err := r.ExpectLater(CRC64NVME, func() (string, bool) {
		if !ended {
			t.Error("the late value was asked for before the source ended")
		}
		return CRC64NVME.Sum(body), true
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, r); err != nil {
		t.Fatal(err)
	}
}

type endWatcher struct {
	r     io.Reader
	ended *bool
}

func (w *endWatcher) Read(p []byte) (int, error) {
	n, err := w.r.Read(p)
	if err == io.EOF {
		*w.ended = true
	}
	return n, err
}

func TestReaderFailsWhenALateValueNeverArrivesOrIsMalformed(t *testing.T) {
	r := NewReader(strings.NewReader("x"))
	if err := r.ExpectLater(CRC32, func() (string, bool) { return "", false }); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, r); !errors.Is(err, ErrMissingValue) {
		t.Fatalf("error = %v, want ErrMissingValue", err)
	}
	r = NewReader(strings.NewReader("x"))
	if err := r.ExpectLater(CRC32, func() (string, bool) { return "%%%", true }); err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(t, r); !errors.Is(err, ErrInvalidValue) {
		t.Fatalf("error = %v, want ErrInvalidValue", err)
	}
}

func TestReaderRefusesMalformedAndConflictingExpectations(t *testing.T) {
	r := NewReader(strings.NewReader(""))
	if err := r.Expect(CRC32, "AAAA"); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("malformed value: %v", err)
	}
	if err := r.Expect(CRC32, CRC32.Sum([]byte("a"))); err != nil {
		t.Fatal(err)
	}
	if err := r.Expect(CRC32, CRC32.Sum([]byte("a"))); err != nil {
		t.Errorf("repeating the same expectation: %v", err)
	}
	if err := r.Expect(CRC32, CRC32.Sum([]byte("b"))); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("a second, different value: %v", err)
	}
	if err := r.ExpectLater(CRC32, func() (string, bool) { return "", false }); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("a late value on top of a known one: %v", err)
	}
	if err := r.Compute(Algorithm("NOPE")); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("unknown algorithm: %v", err)
	}
}

func TestReaderReturnsSourceErrorsAsTheyAreNeverAsEOF(t *testing.T) {
	boom := errors.New("connection reset")
	r := NewReader(io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(boom)))
	if err := r.Expect(CRC32, CRC32.Sum([]byte("partial"))); err != nil {
		t.Fatal(err)
	}
	_, err := readAll(t, r)
	if err != boom {
		t.Fatalf("error = %v, want the source's error", err)
	}
	if r.Sum(CRC32) != "" {
		t.Fatal("a sum was published for a body that never ended")
	}
}
