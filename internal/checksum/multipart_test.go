package checksum

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestCompositeIsTheChecksumOfTheRawPartChecksumsWithThePartCount(t *testing.T) {
	parts := [][]byte{[]byte("first part"), []byte("second"), {}}
	for _, a := range Algorithms() {
		var wire []string
		var raw []byte
		for _, p := range parts {
			h := a.New()
			h.Write(p)
			sum := h.Sum(nil)
			raw = append(raw, sum...)
			wire = append(wire, Encode(sum))
		}
		got, err := Composite(a, wire)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if want := a.Sum(raw) + "-3"; got != want {
			t.Errorf("Composite(%s) = %q, want %q", a, got, want)
		}
	}
}

func TestCompositeRejectsNoPartsAndMalformedParts(t *testing.T) {
	if _, err := Composite(CRC32, nil); err == nil {
		t.Error("Composite of no parts succeeded")
	}
	if _, err := Composite(CRC32, []string{CRC32.Sum(nil), "not base64"}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("malformed part: error = %v, want ErrInvalidValue", err)
	}
	if _, err := Composite(Algorithm("NOPE"), []string{"AAAAAA=="}); !errors.Is(err, ErrUnknownAlgorithm) {
		t.Errorf("unknown algorithm: error = %v", err)
	}
}

func TestFullObjectEqualsTheCRCOfTheConcatenatedParts(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := []int{0, 1, 7, 4096, 65537, 0, 3, 1 << 20}
	var whole []byte
	var data [][]byte
	for _, n := range sizes {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		data = append(data, b)
		whole = append(whole, b...)
	}
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		var parts []Part
		for _, b := range data {
			parts = append(parts, Part{Checksum: a.Sum(b), Size: int64(len(b))})
		}
		got, err := FullObject(a, parts)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		if want := a.Sum(whole); got != want {
			t.Errorf("FullObject(%s) = %s, want %s (the CRC of the whole body)", a, got, want)
		}
		one, err := FullObject(a, parts[3:4])
		if err != nil || one != parts[3].Checksum {
			t.Errorf("FullObject(%s) of one part = %s, %v; want the part's own CRC %s", a, one, err, parts[3].Checksum)
		}
	}
}

func TestFullObjectOfNoPartsIsTheCRCOfNothing(t *testing.T) {
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		got, err := FullObject(a, nil)
		if err != nil || got != a.Sum(nil) {
			t.Errorf("FullObject(%s, nil) = %q, %v; want %q", a, got, err, a.Sum(nil))
		}
	}
}

func TestFullObjectRefusesNonCRCsAndBadParts(t *testing.T) {
	if _, err := FullObject(SHA256, []Part{{SHA256.Sum(nil), 0}}); !errors.Is(err, ErrNotCRC) {
		t.Errorf("SHA256: error = %v, want ErrNotCRC", err)
	}
	if _, err := FullObject(CRC32, []Part{{"zz", 1}}); !errors.Is(err, ErrInvalidValue) {
		t.Errorf("malformed part: error = %v, want ErrInvalidValue", err)
	}
	if _, err := FullObject(CRC32, []Part{{CRC32.Sum(nil), -1}}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative size: error = %v", err)
	}
}

func FuzzCombine(f *testing.F) {
	f.Add([]byte("hello, world"), uint16(5))
	f.Add([]byte{}, uint16(0))
	f.Add(bytes.Repeat([]byte{0xff}, 300), uint16(299))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16) {
		i := 0
		if len(data) > 0 {
			i = int(cut) % (len(data) + 1)
		}
		for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
			got, err := FullObject(a, []Part{
				{a.Sum(data[:i]), int64(i)},
				{a.Sum(data[i:]), int64(len(data) - i)},
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := a.Sum(data); got != want {
				t.Fatalf("%s split at %d: %s, want %s", a, i, got, want)
			}
		}
	})
}
