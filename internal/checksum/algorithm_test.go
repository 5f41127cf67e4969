package checksum

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"testing"
)

// The check values are the "check" column of the CRC catalogue
// (https://reveng.sourceforge.io/crc-catalogue/) for the nine bytes "123456789", and the
// FIPS 180 / RFC 1321 digests of the same input.
func TestEachAlgorithmMatchesItsPublishedCheckValue(t *testing.T) {
	cases := []struct {
		alg  Algorithm
		want string // hex of the big-endian digest
	}{
		{CRC32, "cbf43926"},
		{CRC32C, "e3069283"},
		{CRC64NVME, "ae8b14860a799888"},
		{SHA1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441"},
		{SHA256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"},
		{MD5, "25f9e794323b453885f5181f1b624d0b"},
	}
	for _, c := range cases {
		t.Run(string(c.alg), func(t *testing.T) {
			h := c.alg.New()
			h.Write([]byte("123456789"))
			sum := h.Sum(nil)
			if got := hex.EncodeToString(sum); got != c.want {
				t.Fatalf("%s(123456789) = %s, want %s", c.alg, got, c.want)
			}
			if len(sum) != c.alg.Size() {
				t.Fatalf("Size() = %d, digest has %d bytes", c.alg.Size(), len(sum))
			}
		})
	}
}

func TestCRC32COfOneByteMatchesTheValueAWSCRTSends(t *testing.T) {
	// aws-c-auth's chunked-signing integration test sends the trailer
	// x-amz-checksum-crc32c:wdBDMA== for the one-byte body "a".
	if got := CRC32C.Sum([]byte("a")); got != "wdBDMA==" {
		t.Fatalf("CRC32C(a) = %s, want wdBDMA==", got)
	}
}

func TestCRC64NVMEIsBigEndianOnTheWire(t *testing.T) {
	raw, err := CRC64NVME.Decode(CRC64NVME.Sum([]byte("123456789")))
	if err != nil {
		t.Fatal(err)
	}
	if binary.BigEndian.Uint64(raw) != 0xae8b14860a799888 {
		t.Fatalf("wire digest %x is not the big-endian check value", raw)
	}
}

func TestParseAcceptsEveryNameInAnyCaseAndRejectsOthers(t *testing.T) {
	for _, name := range []string{"crc32", "CRC32C", "Crc64Nvme", "sha1", "SHA256", "md5", " CRC32 "} {
		if _, err := Parse(name); err != nil {
			t.Errorf("Parse(%q): %v", name, err)
		}
	}
	for _, name := range []string{"", "crc", "xxhash64", "sha512", "CRC32;"} {
		if _, err := Parse(name); !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("Parse(%q) error = %v, want ErrUnknownAlgorithm", name, err)
		}
	}
}

func TestHeaderAndFromHeaderAreInverse(t *testing.T) {
	for _, a := range append(Algorithms(), MD5) {
		h := a.Header()
		got, err := FromHeader(h)
		if err != nil || got != a {
			t.Errorf("FromHeader(%q) = %q, %v; want %q", h, got, err, a)
		}
	}
	if got := CRC32.Header(); got != "x-amz-checksum-crc32" {
		t.Errorf("CRC32.Header() = %q", got)
	}
	if got := MD5.Header(); got != "content-md5" {
		t.Errorf("MD5.Header() = %q", got)
	}
	if got, err := FromHeader("X-Amz-Checksum-Crc64nvme"); err != nil || got != CRC64NVME {
		t.Errorf("FromHeader is not case-insensitive: %q, %v", got, err)
	}
	for _, h := range []string{"x-amz-checksum-md5", "x-amz-checksum-type", "x-amz-checksum-algorithm", "etag"} {
		if _, err := FromHeader(h); !errors.Is(err, ErrUnknownAlgorithm) {
			t.Errorf("FromHeader(%q) error = %v, want ErrUnknownAlgorithm", h, err)
		}
	}
	if Algorithm("XXHASH3").Header() != "" || Algorithm("XXHASH3").New() != nil || Algorithm("XXHASH3").Size() != 0 {
		t.Error("an unknown algorithm must have no header, hash or size")
	}
}

func TestDecodeRejectsValuesOfTheWrongSizeOrEncoding(t *testing.T) {
	good := CRC32.Sum([]byte("x"))
	if _, err := CRC32.Decode(good); err != nil {
		t.Fatalf("Decode(%q): %v", good, err)
	}
	bad := []struct {
		alg   Algorithm
		value string
	}{
		{CRC32, ""},
		{CRC32, "AAAAAAAA"},                 // six bytes
		{CRC32, "AAAAAA"},                   // unpadded
		{CRC32, "AAA*AA=="},                 // not base64
		{SHA256, good},                      // a CRC32 value for SHA256
		{CRC64NVME, "AAAAAA=="},             // four bytes for an eight-byte CRC
		{Algorithm("NOPE"), "AAAAAAAAAAA="}, // unknown algorithm
	}
	for _, b := range bad {
		if _, err := b.alg.Decode(b.value); !errors.Is(err, ErrInvalidValue) {
			t.Errorf("%s.Decode(%q) error = %v, want ErrInvalidValue", b.alg, b.value, err)
		}
	}
}

func TestOnlyTheCRCsAreCRCs(t *testing.T) {
	for _, a := range []Algorithm{CRC32, CRC32C, CRC64NVME} {
		if !a.IsCRC() {
			t.Errorf("%s.IsCRC() = false", a)
		}
	}
	for _, a := range []Algorithm{SHA1, SHA256, MD5} {
		if a.IsCRC() {
			t.Errorf("%s.IsCRC() = true", a)
		}
	}
}
