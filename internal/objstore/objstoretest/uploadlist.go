package objstoretest

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

func init() {
	multipartTests = append(multipartTests, uploadListTests...)
}

var uploadListTests = []test{
	{"uploads are listed by key then initiation, in pages of every size", func(f *fixture) {
		rng := rand.New(rand.NewPCG(9, 9))
		keys := randomKeys(rng, 40)
		keys = append(keys, keys[:10]...) // ten keys get two uploads
		ids := map[string][]string{}
		var stored []string
		for _, k := range keys {
			id, err := f.b.CreateMultipartUpload(f.ctx, bucket, k, objstore.ObjectMeta{ContentType: "x/" + k}, nil)
			if f.stored(k, err) {
				ids[k] = append(ids[k], id)
				stored = append(stored, k)
			}
		}
		for _, c := range listingCases() {
			want := modelUploads(stored, ids, c.prefix, c.delimiter)
			for _, max := range []int{1, 3, 1000} {
				if got := f.listAllUploads(c.prefix, c.delimiter, max); !slices.Equal(got, want) {
					f.t.Fatalf("prefix %q delimiter %q max %d:\n got %q\nwant %q", c.prefix, c.delimiter, max, got, want)
				}
			}
		}
	}},
	{"a key marker without an upload ID marker skips every upload of that key", func(f *fixture) {
		for _, k := range []string{"a", "a", "b"} {
			_, err := f.b.CreateMultipartUpload(f.ctx, bucket, k, objstore.ObjectMeta{}, nil)
			noErr(f.t, err)
		}
		res, err := f.b.ListMultipartUploads(f.ctx, bucket, objstore.ListUploadsOptions{KeyMarker: "a", MaxUploads: 10})
		noErr(f.t, err)
		if len(res.Uploads) != 1 || res.Uploads[0].Key != "b" {
			f.t.Fatalf("ListMultipartUploads = %+v", res.Uploads)
		}
		res, err = f.b.ListMultipartUploads(f.ctx, bucket, objstore.ListUploadsOptions{UploadIDMarker: "ignored", MaxUploads: 10})
		noErr(f.t, err)
		if len(res.Uploads) != 3 {
			f.t.Fatalf("an upload ID marker without a key marker changed the listing: %+v", res.Uploads)
		}
	}},
}

// modelUploads lists entries "upload:<key> <n>" (the n-th upload of key)
// or "prefix:<common prefix>".
func modelUploads(keys []string, ids map[string][]string, prefix, delimiter string) []string {
	var out []string
	for _, e := range modelListing(keys, prefix, delimiter) {
		if k, ok := strings.CutPrefix(e, "key:"); ok {
			for _, id := range ids[k] {
				out = append(out, "upload:"+k+" "+id)
			}
			continue
		}
		out = append(out, e)
	}
	return out
}

// listAllUploads pages through ListMultipartUploads with its markers.
func (f *fixture) listAllUploads(prefix, delimiter string, max int) []string {
	f.t.Helper()
	var all []string
	opts := objstore.ListUploadsOptions{Prefix: prefix, Delimiter: delimiter, MaxUploads: max}
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			f.t.Fatal("listing does not end")
		}
		res, err := f.b.ListMultipartUploads(f.ctx, bucket, opts)
		noErr(f.t, err)
		if len(res.Uploads)+len(res.CommonPrefixes) > max {
			f.t.Fatalf("page of %d entries with MaxUploads %d", len(res.Uploads)+len(res.CommonPrefixes), max)
		}
		if !slices.IsSortedFunc(res.Uploads, func(a, b objstore.Upload) int { return strings.Compare(a.Key, b.Key) }) {
			f.t.Fatalf("uploads not sorted by key: %+v", res.Uploads)
		}
		var page []string
		for _, u := range res.Uploads {
			if u.Meta.ContentType != "x/"+u.Key || u.Bucket != bucket || u.Initiated.IsZero() {
				f.t.Fatalf("upload %+v lacks its description", u)
			}
			page = append(page, "upload:"+u.Key+" "+u.UploadID)
		}
		for _, p := range res.CommonPrefixes {
			page = append(page, "prefix:"+p)
		}
		slices.SortStableFunc(page, func(a, b string) int { return strings.Compare(uploadSortKey(a), uploadSortKey(b)) })
		all = append(all, page...)
		if !res.IsTruncated {
			return all
		}
		opts.KeyMarker, opts.UploadIDMarker = res.NextKeyMarker, res.NextUploadIDMarker
	}
}

// uploadSortKey is an entry's key or prefix: the stable sort keeps the
// backend's order among uploads of one key, which the model checks.
func uploadSortKey(e string) string {
	name := entryName(e)
	if strings.HasPrefix(e, "upload:") {
		name = name[:strings.LastIndexByte(name, ' ')]
	}
	return name
}
