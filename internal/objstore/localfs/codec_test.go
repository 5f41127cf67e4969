package localfs

import (
	"reflect"
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// The decoders read index rows; a corrupt row must give an error, never a
// panic. Run longer with:
//
//	go test -run '^$' -fuzz FuzzDecodeMeta -fuzztime 5m ./internal/objstore/localfs/
//	go test -run '^$' -fuzz FuzzDecodeSegments -fuzztime 5m ./internal/objstore/localfs/

func TestMetadataRoundTripsEveryByteAndTellsNilFromEmpty(t *testing.T) {
	cases := []objstore.ObjectMeta{
		{},
		{UserMeta: map[string]string{}, Checksums: map[string]string{}},
		{ContentType: "a\xffb", Expires: "\x00", ChecksumType: "COMPOSITE",
			UserMeta: map[string]string{"": "", "k\xfe": "v\x00"}, Checksums: map[string]string{"CRC32": "AAAAAA=="}},
	}
	for _, m := range cases {
		got, err := decodeMeta(encodeMeta(m))
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Fatalf("decodeMeta(encodeMeta(%+v)) = %+v, %v", m, got, err)
		}
	}
}

func TestSegmentsRoundTrip(t *testing.T) {
	segs := []segment{{blob: blobID{1}, off: 0, length: 5}, {blob: blobID{2}, off: 1 << 40, length: 1 << 33}}
	got, err := decodeSegments(encodeSegments(segs))
	if err != nil || !reflect.DeepEqual(got, segs) {
		t.Fatalf("decodeSegments = %+v, %v", got, err)
	}
}

func TestClipSelectsTheBytesOfARangeAcrossSegments(t *testing.T) {
	segs := []segment{{blob: blobID{1}, off: 10, length: 5}, {blob: blobID{2}, off: 0, length: 5}, {blob: blobID{3}, off: 100, length: 5}}
	got := clip(segs, 3, 8)
	want := []segment{{blob: blobID{1}, off: 13, length: 2}, {blob: blobID{2}, off: 0, length: 5}, {blob: blobID{3}, off: 100, length: 1}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("clip = %+v, want %+v", got, want)
	}
	if got := clip(segs, 15, 0); len(got) != 0 {
		t.Fatalf("clip of nothing = %+v", got)
	}
}

func FuzzDecodeMeta(f *testing.F) {
	f.Add(encodeMeta(objstore.ObjectMeta{ContentType: "t", UserMeta: map[string]string{"a": "b"}}))
	f.Add([]byte{metaVersion, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Add(encodeChecksums(map[string]string{"CRC32": "x"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := decodeMeta(b); err == nil {
			again, err := decodeMeta(encodeMeta(m))
			if err != nil || !reflect.DeepEqual(again, m) {
				t.Fatalf("decoded metadata does not round-trip: %+v", m)
			}
		}
		if m, err := decodeChecksums(b); err == nil {
			again, err := decodeChecksums(encodeChecksums(m))
			if err != nil || !reflect.DeepEqual(again, m) {
				t.Fatalf("decoded checksums do not round-trip: %+v", m)
			}
		}
	})
}

func FuzzDecodeSegments(f *testing.F) {
	f.Add(encodeSegments([]segment{{blob: blobID{1}, off: 3, length: 4}}))
	f.Add([]byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, b []byte) {
		segs, err := decodeSegments(b)
		if err != nil {
			return
		}
		again, err := decodeSegments(encodeSegments(segs))
		if err != nil || !reflect.DeepEqual(again, segs) {
			t.Fatalf("decoded segments do not round-trip: %+v", segs)
		}
	})
}
