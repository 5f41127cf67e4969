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

func TestTheMetadataOfMultipartObjectsKeepsTheirParts(t *testing.T) {
	m := objstore.ObjectMeta{ContentType: "text/plain", Checksums: map[string]string{"CRC32": "AAAAAA==-2"}, ChecksumType: "COMPOSITE"}
	parts := []objstore.PartInfo{{Number: 1, Size: 5 << 20, Checksums: map[string]string{"CRC32": "AQIDBA=="}}, {Number: 2, Size: 7}}
	got, gotParts, err := decodeObjectMeta(encodeObjectMeta(m, parts))
	if err != nil || !reflect.DeepEqual(got, m) || !reflect.DeepEqual(gotParts, parts) {
		t.Fatalf("decodeObjectMeta = %+v, %+v, %v", got, gotParts, err)
	}
	// A row written before parts were recorded (format 1) has none.
	if _, gotParts, err := decodeObjectMeta(encodeMeta(m)); err != nil || gotParts != nil {
		t.Fatalf("format 1: parts %+v, %v", gotParts, err)
	}
	if _, _, err := decodeObjectMeta(encodeObjectMeta(m, parts)[:20]); err == nil {
		t.Fatal("a truncated row decoded")
	}
}

func TestTagsRoundTripInFormat3AndOlderRowsHaveNone(t *testing.T) {
	m := objstore.ObjectMeta{ContentType: "text/plain", Tags: map[string]string{"k": "v", "empty": ""}}
	parts := []objstore.PartInfo{{Number: 1, Size: 5 << 20}, {Number: 2, Size: 1}}
	for _, p := range [][]objstore.PartInfo{nil, parts} {
		b := encodeObjectMeta(m, p)
		if b[0] != metaVersionTags {
			t.Fatalf("a tagged row is written in format %d", b[0])
		}
		got, gotParts, err := decodeObjectMeta(b)
		if err != nil || !reflect.DeepEqual(got, m) || !reflect.DeepEqual(gotParts, p) {
			t.Fatalf("decodeObjectMeta = %+v, %+v, %v", got, gotParts, err)
		}
	}
	// An untagged object keeps the older formats, which decode without tags.
	untagged := m
	untagged.Tags = nil
	if b := encodeObjectMeta(untagged, parts); b[0] != metaVersionParts {
		t.Fatalf("an untagged multipart row is written in format %d", b[0])
	}
	if got, err := decodeMeta(encodeMeta(untagged)); err != nil || got.Tags != nil {
		t.Fatalf("format 1 row: tags %v, %v", got.Tags, err)
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
	f.Add(encodeObjectMeta(objstore.ObjectMeta{}, []objstore.PartInfo{{Number: 1, Size: 3, Checksums: map[string]string{"CRC32": "x"}}}))
	f.Add(encodeObjectMeta(objstore.ObjectMeta{Tags: map[string]string{"k": "v"}}, []objstore.PartInfo{{Number: 1, Size: 3}}))
	f.Add(encodeStored(objstore.ObjectMeta{ContentType: "t"}, []objstore.PartInfo{{Number: 1, Size: 3}},
		objstore.Encryption{Type: objstore.SSES3, Sealed: []byte{1, 2, 0, 3}}))
	f.Add(encodeStored(objstore.ObjectMeta{Tags: map[string]string{"k": "v"}}, nil,
		objstore.Encryption{Type: objstore.SSEC, Sealed: []byte{4, 5}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, parts, enc, err := decodeStored(b); err == nil {
			again, againParts, againEnc, err := decodeStored(encodeStored(m, parts, enc))
			if err != nil || !reflect.DeepEqual(again, m) || !reflect.DeepEqual(againParts, parts) || !reflect.DeepEqual(againEnc, enc) {
				t.Fatalf("decoded stored metadata does not round-trip: %+v %+v %+v", m, parts, enc)
			}
		}
		if m, parts, err := decodeObjectMeta(b); err == nil {
			again, againParts, err := decodeObjectMeta(encodeObjectMeta(m, parts))
			if err != nil || !reflect.DeepEqual(again, m) || !reflect.DeepEqual(againParts, parts) {
				t.Fatalf("decoded object metadata does not round-trip: %+v %+v", m, parts)
			}
		}
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
