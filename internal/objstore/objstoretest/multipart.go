package objstoretest

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// upload starts an upload of key and uploads parts (numbered from 1),
// returning its ID and the completion list.
func (f *fixture) upload(key string, meta objstore.ObjectMeta, parts ...[]byte) (string, []objstore.CompletePart) {
	f.t.Helper()
	id, err := f.b.CreateMultipartUpload(f.ctx, bucket, key, meta, nil)
	noErr(f.t, err)
	var list []objstore.CompletePart
	for i, p := range parts {
		info := f.uploadPart(key, id, i+1, p)
		list = append(list, objstore.CompletePart{Number: i + 1, ETag: `"` + info.ETag + `"`})
	}
	return id, list
}

func (f *fixture) uploadPart(key, id string, n int, data []byte) objstore.PartInfo {
	f.t.Helper()
	sums := map[string]string{"CRC32": fmt.Sprintf("part-%d", n)}
	info, err := f.b.UploadPart(f.ctx, bucket, key, id, n, bytes.NewReader(data), int64(len(data)), objstore.PartOptions{Checksums: sums})
	noErr(f.t, err)
	if info.Number != n || info.ETag != md5Hex(data) || info.Size != int64(len(data)) || !reflect.DeepEqual(info.Checksums, sums) {
		f.t.Fatalf("UploadPart = %+v", info)
	}
	return info
}

// multipartETag is S3's ETag of an object assembled from parts.
func multipartETag(parts ...[]byte) string {
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	return fmt.Sprintf("%s-%d", hex.EncodeToString(h.Sum(nil)), len(parts))
}

func (f *fixture) complete(key, id string, list []objstore.CompletePart, opts objstore.CompleteOptions) (objstore.ObjectInfo, error) {
	return f.b.CompleteMultipartUpload(f.ctx, bucket, key, id, list, opts)
}

var multipartTests = []test{
	{"a completed upload is the concatenation of its parts with the MD5-of-MD5s ETag", func(f *fixture) {
		p1, p2, p3 := randomBytes(30, objstore.MinPartSize), randomBytes(31, objstore.MinPartSize+1), randomBytes(32, 100)
		f.put("k", []byte("previous version"))
		id, list := f.upload("k", fullMeta, p1, p2, p3)
		sums := map[string]string{"CRC32": "AAAAAA==-3"}
		info, err := f.complete("k", id, list, objstore.CompleteOptions{Checksums: sums, ChecksumType: "COMPOSITE"})
		noErr(f.t, err)
		want := append(append(append([]byte{}, p1...), p2...), p3...)
		if info.ETag != multipartETag(p1, p2, p3) || info.PartsCount != 3 || info.Size != int64(len(want)) {
			f.t.Fatalf("CompleteMultipartUpload = %+v, want ETag %s", info, multipartETag(p1, p2, p3))
		}
		wantMeta := fullMeta
		wantMeta.Checksums, wantMeta.ChecksumType = sums, "COMPOSITE"
		head, err := f.b.HeadObject(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if !sameInfo(head, info) || !reflect.DeepEqual(head.Meta, wantMeta) {
			f.t.Fatalf("HeadObject = %+v, want %+v with %+v", head, info, wantMeta)
		}
		f.wantContent("k", want)
		_, err = f.b.ListParts(f.ctx, bucket, "k", id, objstore.ListPartsOptions{MaxParts: 10})
		wantErr(f.t, err, objstore.ErrNoSuchUpload)
	}},
	{"a part of a multipart object is read by its number", func(f *fixture) {
		p1, p2 := randomBytes(35, objstore.MinPartSize), randomBytes(36, 7000)
		id, list := f.upload("k", objstore.ObjectMeta{}, p1, p2)
		info, err := f.complete("k", id, list, objstore.CompleteOptions{})
		noErr(f.t, err)
		for n, want := range map[int][]byte{1: p1, 2: p2} {
			obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{PartNumber: n})
			noErr(f.t, err)
			got := f.drain(obj)
			offset := int64(0)
			if n == 2 {
				offset = int64(len(p1))
			}
			if !bytes.Equal(got, want) || !obj.Ranged || obj.Offset != offset || obj.Length != int64(len(want)) ||
				obj.Info.PartsCount != 2 || obj.Info.Size != info.Size || obj.Info.ETag != info.ETag {
				f.t.Fatalf("part %d: %d bytes at %d (%d), ranged %v, info %+v", n, len(got), obj.Offset, obj.Length, obj.Ranged, obj.Info)
			}
		}
		_, err = f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{PartNumber: 3})
		wantErr(f.t, err, objstore.ErrInvalidPartNumber)
		head, parts, err := f.b.ObjectParts(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if !sameInfo(head, info) || (parts != nil && (len(parts) != 2 || parts[0].Number != 1 || parts[0].Size != int64(len(p1)) ||
			parts[1].Number != 2 || parts[1].Size != int64(len(p2)) || parts[1].Checksums["CRC32"] != "part-2")) {
			f.t.Fatalf("ObjectParts = %+v, %+v", head, parts)
		}
	}},
	{"part 1 of an object that is not multipart is the whole object", func(f *fixture) {
		data := randomBytes(37, 3000)
		f.put("k", data)
		obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{PartNumber: 1})
		noErr(f.t, err)
		if got := f.drain(obj); !bytes.Equal(got, data) || !obj.Ranged || obj.Offset != 0 || obj.Length != int64(len(data)) || obj.Info.PartsCount != 0 {
			f.t.Fatalf("part 1: %d bytes at %d (%d), ranged %v, parts %d", len(got), obj.Offset, obj.Length, obj.Ranged, obj.Info.PartsCount)
		}
		_, err = f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{PartNumber: 2})
		wantErr(f.t, err, objstore.ErrInvalidPartNumber)
		_, parts, err := f.b.ObjectParts(f.ctx, bucket, "k", "")
		noErr(f.t, err)
		if parts != nil {
			f.t.Fatalf("ObjectParts of a plain object = %+v", parts)
		}
	}},
	{"a range of a multipart object may span parts", func(f *fixture) {
		p1, p2 := randomBytes(33, objstore.MinPartSize), randomBytes(34, 5000)
		id, list := f.upload("k", objstore.ObjectMeta{}, p1, p2)
		_, err := f.complete("k", id, list, objstore.CompleteOptions{})
		noErr(f.t, err)
		all := append(append([]byte{}, p1...), p2...)
		r := objstore.Range{First: int64(len(p1)) - 10, Last: int64(len(p1)) + 9}
		obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{Range: &r})
		noErr(f.t, err)
		if got := f.drain(obj); !bytes.Equal(got, all[r.First:r.Last+1]) {
			f.t.Fatal("range across the part boundary returned other bytes")
		}
	}},
	{"a re-uploaded part replaces the earlier one", func(f *fixture) {
		id, _ := f.upload("k", objstore.ObjectMeta{}, []byte("first"))
		info := f.uploadPart("k", id, 1, []byte("second"))
		_, err := f.complete("k", id, []objstore.CompletePart{{Number: 1, ETag: info.ETag}}, objstore.CompleteOptions{})
		noErr(f.t, err)
		f.wantContent("k", []byte("second"))
	}},
	{"parts left out of the completion are discarded", func(f *fixture) {
		p1, p2, p3 := randomBytes(35, objstore.MinPartSize), []byte("two"), []byte("three")
		id, list := f.upload("k", objstore.ObjectMeta{}, p1, p2, p3)
		info, err := f.complete("k", id, []objstore.CompletePart{list[0], list[2]}, objstore.CompleteOptions{})
		noErr(f.t, err)
		if info.ETag != multipartETag(p1, p3) || info.PartsCount != 2 {
			f.t.Fatalf("CompleteMultipartUpload = %+v", info)
		}
		f.wantContent("k", append(append([]byte{}, p1...), p3...))
	}},
	{"completion errors leave the upload and the old object untouched", func(f *fixture) {
		small, big := []byte("small"), randomBytes(36, objstore.MinPartSize)
		f.put("k", []byte("old"))
		id, list := f.upload("k", objstore.ObjectMeta{}, small, big)
		cases := []struct {
			parts []objstore.CompletePart
			want  error
		}{
			{nil, objstore.ErrInvalidArgument},
			{[]objstore.CompletePart{{Number: 0, ETag: list[0].ETag}}, objstore.ErrInvalidArgument},
			{[]objstore.CompletePart{list[1], list[0]}, objstore.ErrInvalidPartOrder},
			{[]objstore.CompletePart{list[0], list[0]}, objstore.ErrInvalidPartOrder},
			{[]objstore.CompletePart{list[0], {Number: 3, ETag: list[1].ETag}}, objstore.ErrInvalidPart},
			{[]objstore.CompletePart{list[0], {Number: 2, ETag: md5Hex([]byte("other"))}}, objstore.ErrInvalidPart},
			{list, objstore.ErrEntityTooSmall},
		}
		for _, c := range cases {
			_, err := f.complete("k", id, c.parts, objstore.CompleteOptions{})
			wantErr(f.t, err, c.want)
		}
		f.wantContent("k", []byte("old"))
		info, err := f.complete("k", id, []objstore.CompletePart{list[1]}, objstore.CompleteOptions{})
		noErr(f.t, err)
		if info.PartsCount != 1 || info.ETag != multipartETag(big) {
			f.t.Fatalf("CompleteMultipartUpload = %+v", info)
		}
	}},
	{"a completion precondition is checked atomically", func(f *fixture) {
		f.put("k", []byte("exists"))
		id, list := f.upload("k", objstore.ObjectMeta{}, []byte("x"))
		_, err := f.complete("k", id, list, objstore.CompleteOptions{Precondition: objstore.Precondition{IfNoneMatch: "*"}})
		wantErr(f.t, err, objstore.ErrPreconditionFailed)
		f.wantContent("k", []byte("exists"))
	}},
	{"an aborted or foreign upload ID fails with ErrNoSuchUpload", func(f *fixture) {
		id, list := f.upload("k", objstore.ObjectMeta{}, []byte("x"))
		_, err := f.b.UploadPart(f.ctx, bucket, "other-key", id, 1, strings.NewReader("y"), 1, objstore.PartOptions{})
		wantErr(f.t, err, objstore.ErrNoSuchUpload)
		wantErr(f.t, f.b.AbortMultipartUpload(f.ctx, bucket, "other-key", id), objstore.ErrNoSuchUpload)
		noErr(f.t, f.b.AbortMultipartUpload(f.ctx, bucket, "k", id))
		wantErr(f.t, f.b.AbortMultipartUpload(f.ctx, bucket, "k", id), objstore.ErrNoSuchUpload)
		_, err = f.b.UploadPart(f.ctx, bucket, "k", id, 2, strings.NewReader("y"), 1, objstore.PartOptions{})
		wantErr(f.t, err, objstore.ErrNoSuchUpload)
		_, err = f.complete("k", id, list, objstore.CompleteOptions{})
		wantErr(f.t, err, objstore.ErrNoSuchUpload)
		_, err = f.complete("k", "no-such-id", list, objstore.CompleteOptions{})
		wantErr(f.t, err, objstore.ErrNoSuchUpload)
		f.wantMissing("k")
	}},
	{"part numbers outside 1..10000 are rejected", func(f *fixture) {
		id, _ := f.upload("k", objstore.ObjectMeta{})
		for _, n := range []int{0, -1, objstore.MaxPartNumber + 1} {
			_, err := f.b.UploadPart(f.ctx, bucket, "k", id, n, strings.NewReader("x"), 1, objstore.PartOptions{})
			wantErr(f.t, err, objstore.ErrInvalidArgument)
		}
		f.uploadPart("k", id, objstore.MaxPartNumber, []byte("last"))
	}},
	{"a part body that fails stores no part", func(f *fixture) {
		id, _ := f.upload("k", objstore.ObjectMeta{}, []byte("good"))
		_, err := f.b.UploadPart(f.ctx, bucket, "k", id, 1, &failingReader{data: []byte("bad"), err: errBody}, 3, objstore.PartOptions{})
		if err != errBody {
			f.t.Fatalf("got error %v, want the body's own error", err)
		}
		_, err = f.b.UploadPart(f.ctx, bucket, "k", id, 2, strings.NewReader("short"), 10, objstore.PartOptions{})
		wantErr(f.t, err, objstore.ErrIncompleteBody)
		res, err := f.b.ListParts(f.ctx, bucket, "k", id, objstore.ListPartsOptions{MaxParts: 10})
		noErr(f.t, err)
		if len(res.Parts) != 1 || res.Parts[0].ETag != md5Hex([]byte("good")) {
			f.t.Fatalf("ListParts = %+v", res.Parts)
		}
	}},
	{"parts are listed in pages by part number", func(f *fixture) {
		id, err := f.b.CreateMultipartUpload(f.ctx, bucket, "k", fullMeta, nil)
		noErr(f.t, err)
		for _, n := range []int{5, 1, 3, 2, 4} {
			f.uploadPart("k", id, n, []byte(fmt.Sprint(n)))
		}
		var got []int
		marker := 0
		for {
			res, err := f.b.ListParts(f.ctx, bucket, "k", id, objstore.ListPartsOptions{PartNumberMarker: marker, MaxParts: 2})
			noErr(f.t, err)
			if res.Upload.UploadID != id || res.Upload.Key != "k" || !reflect.DeepEqual(res.Upload.Meta, fullMeta) || res.Upload.Initiated.IsZero() {
				f.t.Fatalf("ListParts upload = %+v", res.Upload)
			}
			for _, p := range res.Parts {
				got = append(got, p.Number)
				if p.ETag != md5Hex([]byte(fmt.Sprint(p.Number))) || p.LastModified.IsZero() {
					f.t.Fatalf("part %+v", p)
				}
			}
			if !res.IsTruncated {
				break
			}
			marker = res.NextPartNumberMarker
		}
		if fmt.Sprint(got) != "[1 2 3 4 5]" {
			f.t.Fatalf("parts listed %v", got)
		}
	}},
	{"UploadPartCopy copies a source range into a part", func(f *fixture) {
		src := randomBytes(37, 2*objstore.MinPartSize)
		f.put("src", src)
		id, err := f.b.CreateMultipartUpload(f.ctx, bucket, "k", objstore.ObjectMeta{}, nil)
		noErr(f.t, err)
		cs := objstore.CopySource{Bucket: bucket, Key: "src"}
		r := objstore.Range{First: 100, Last: 100 + objstore.MinPartSize - 1}
		p1, err := f.b.UploadPartCopy(f.ctx, bucket, "k", id, 1, cs, &r, objstore.PartOptions{})
		noErr(f.t, err)
		p2, err := f.b.UploadPartCopy(f.ctx, bucket, "k", id, 2, cs, nil, objstore.PartOptions{})
		noErr(f.t, err)
		part1 := src[100 : 100+objstore.MinPartSize]
		if p1.ETag != md5Hex(part1) || p1.Size != objstore.MinPartSize || p2.ETag != md5Hex(src) {
			f.t.Fatalf("UploadPartCopy = %+v, %+v", p1, p2)
		}
		cs.IfMatch = md5Hex([]byte("other"))
		_, err = f.b.UploadPartCopy(f.ctx, bucket, "k", id, 3, cs, nil, objstore.PartOptions{})
		wantErr(f.t, err, objstore.ErrPreconditionFailed)
		bad := objstore.Range{First: int64(len(src))}
		_, err = f.b.UploadPartCopy(f.ctx, bucket, "k", id, 3, objstore.CopySource{Bucket: bucket, Key: "src"}, &bad, objstore.PartOptions{})
		wantErr(f.t, err, objstore.ErrInvalidRange)
		_, err = f.complete("k", id, []objstore.CompletePart{{Number: 1, ETag: p1.ETag}, {Number: 2, ETag: p2.ETag}}, objstore.CompleteOptions{})
		noErr(f.t, err)
		f.wantContent("k", append(append([]byte{}, part1...), src...))
	}},
	{"a copy of a multipart object has its bytes and outlives it", func(f *fixture) {
		p1, p2 := randomBytes(38, objstore.MinPartSize), []byte("tail")
		id, list := f.upload("k", objstore.ObjectMeta{}, p1, p2)
		_, err := f.complete("k", id, list, objstore.CompleteOptions{})
		noErr(f.t, err)
		info, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "k"}, bucket, "copy", objstore.CopyOptions{})
		noErr(f.t, err)
		if info.Size != int64(len(p1)+len(p2)) || info.ETag == "" {
			f.t.Fatalf("CopyObject = %+v", info)
		}
		noErr(f.t, errOf(f.b.DeleteObject(f.ctx, bucket, "k", objstore.DeleteOptions{})))
		f.wantContent("copy", append(append([]byte{}, p1...), p2...))
	}},
}
