package objstoretest

import (
	"bytes"
	"io"

	"github.com/inkan-dev/inkan/internal/objstore"
)

var rangeTests = []test{
	{"byte ranges serve exactly the bytes RFC 9110 selects", func(f *fixture) {
		data := randomBytes(10, 1000)
		f.put("k", data)
		cases := []struct {
			r          objstore.Range
			off, count int64
		}{
			{objstore.Range{First: 0, Last: 0}, 0, 1},
			{objstore.Range{First: 10, Last: 19}, 10, 10},
			{objstore.Range{First: 990, Last: 5000}, 990, 10},
			{objstore.Range{First: 999, Last: -1}, 999, 1},
			{objstore.Range{First: 500, Last: -1}, 500, 500},
			{objstore.Range{Suffix: true, SuffixLength: 1}, 999, 1},
			{objstore.Range{Suffix: true, SuffixLength: 300}, 700, 300},
			{objstore.Range{Suffix: true, SuffixLength: 5000}, 0, 1000},
		}
		for _, c := range cases {
			obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{Range: &c.r})
			noErr(f.t, err)
			if !obj.Ranged || obj.Offset != c.off || obj.Length != c.count || obj.Info.Size != 1000 {
				f.t.Fatalf("%+v: Ranged %v Offset %d Length %d Size %d, want %d+%d of 1000",
					c.r, obj.Ranged, obj.Offset, obj.Length, obj.Info.Size, c.off, c.count)
			}
			if got := f.drain(obj); !bytes.Equal(got, data[c.off:c.off+c.count]) {
				f.t.Fatalf("%+v: wrong bytes", c.r)
			}
		}
	}},
	{"unsatisfiable ranges fail with ErrInvalidRange", func(f *fixture) {
		f.put("k", randomBytes(11, 100))
		f.put("empty", nil)
		cases := []struct {
			key string
			r   objstore.Range
		}{
			{"k", objstore.Range{First: 100, Last: -1}},
			{"k", objstore.Range{First: 100, Last: 200}},
			{"k", objstore.Range{First: 50, Last: 10}},
			{"k", objstore.Range{Suffix: true, SuffixLength: 0}},
			{"empty", objstore.Range{First: 0, Last: 0}},
			{"empty", objstore.Range{Suffix: true, SuffixLength: 5}},
		}
		for _, c := range cases {
			_, err := f.b.GetObject(f.ctx, bucket, c.key, objstore.GetOptions{Range: &c.r})
			wantErr(f.t, err, objstore.ErrInvalidRange)
		}
	}},
	{"a whole object is not reported as ranged", func(f *fixture) {
		f.put("k", []byte("abc"))
		obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{})
		noErr(f.t, err)
		if obj.Ranged || obj.Offset != 0 || obj.Length != 3 {
			f.t.Fatalf("Ranged %v Offset %d Length %d", obj.Ranged, obj.Offset, obj.Length)
		}
		f.drain(obj)
	}},
	{"io.Copy of a body yields the same bytes as Read", func(f *fixture) {
		data := randomBytes(12, 2<<20+3)
		f.put("k", data)
		for _, r := range []*objstore.Range{nil, {First: 12345, Last: 1 << 20}} {
			obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{Range: r})
			noErr(f.t, err)
			var buf bytes.Buffer
			n, err := io.Copy(&buf, obj.Body)
			noErr(f.t, err)
			noErr(f.t, obj.Body.Close())
			if n != obj.Length || !bytes.Equal(buf.Bytes(), data[obj.Offset:obj.Offset+obj.Length]) {
				f.t.Fatalf("range %+v: io.Copy gave %d bytes, other than Read would", r, n)
			}
		}
	}},
}
