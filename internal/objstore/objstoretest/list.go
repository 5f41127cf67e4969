package objstoretest

import (
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/inkan-dev/inkan/internal/objstore"
)

var listTests = []test{
	{"a listing is sorted in byte order, not by Unicode or case", func(f *fixture) {
		keys := []string{"b", "B", "a", "é", "\U0010ffff", "\uffff", "a\x01", "a/", "Z", "_", "~"}
		stored := f.putEach(keys, func(int) []byte { return nil })
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{MaxKeys: 100})
		noErr(f.t, err)
		if got, want := objectKeys(res.Objects), stored; !equalStrings(got, want) {
			f.t.Fatalf("listing %q, want %q", got, want)
		}
		if res.IsTruncated || res.NextAfter != "" {
			f.t.Fatalf("complete listing reports truncation: %+v", res)
		}
		if res.Objects[0].ETag != md5Hex(nil) || res.Objects[0].Size != 0 || res.Objects[0].LastModified.IsZero() {
			f.t.Fatalf("listing entry %+v lacks its description", res.Objects[0])
		}
	}},
	{"a delimiter rolls keys up into common prefixes after the prefix", func(f *fixture) {
		for _, k := range []string{"photos/2024/a.jpg", "photos/2024/b.jpg", "photos/2025/c.jpg", "photos/d.jpg", "readme", "photos0"} {
			f.put(k, nil)
		}
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{Delimiter: "/", MaxKeys: 100})
		noErr(f.t, err)
		if got := objectKeys(res.Objects); !equalStrings(got, []string{"photos0", "readme"}) || !equalStrings(res.CommonPrefixes, []string{"photos/"}) {
			f.t.Fatalf("objects %q prefixes %q", got, res.CommonPrefixes)
		}
		res, err = f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{Prefix: "photos/", Delimiter: "/", MaxKeys: 100})
		noErr(f.t, err)
		if got := objectKeys(res.Objects); !equalStrings(got, []string{"photos/d.jpg"}) ||
			!equalStrings(res.CommonPrefixes, []string{"photos/2024/", "photos/2025/"}) {
			f.t.Fatalf("objects %q prefixes %q", got, res.CommonPrefixes)
		}
	}},
	{"a marker inside or equal to a common prefix skips that prefix", func(f *fixture) {
		for _, k := range []string{"a/1", "a/2", "a/3", "b", "c/1"} {
			f.put(k, nil)
		}
		for _, after := range []string{"a/", "a/1", "a/2"} {
			res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{Delimiter: "/", After: after, MaxKeys: 100})
			noErr(f.t, err)
			if got := objectKeys(res.Objects); !equalStrings(got, []string{"b"}) || !equalStrings(res.CommonPrefixes, []string{"c/"}) {
				f.t.Fatalf("after %q: objects %q prefixes %q", after, got, res.CommonPrefixes)
			}
		}
	}},
	{"MaxKeys 0 yields an empty untruncated page", func(f *fixture) {
		f.put("k", nil)
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{})
		noErr(f.t, err)
		if len(res.Objects) != 0 || res.IsTruncated {
			f.t.Fatalf("ListObjects = %+v", res)
		}
	}},
	{"pages of every size concatenate to the full listing", func(f *fixture) {
		rng := rand.New(rand.NewPCG(7, 7))
		keys := f.putEach(randomKeys(rng, 150), func(int) []byte { return nil })
		for _, c := range listingCases() {
			want := modelListing(keys, c.prefix, c.delimiter)
			for _, max := range []int{1, 2, 3, 7, 1000} {
				got := f.listAll(c.prefix, c.delimiter, max)
				if !equalStrings(got, want) {
					f.t.Fatalf("prefix %q delimiter %q max %d:\n got %q\nwant %q", c.prefix, c.delimiter, max, got, want)
				}
			}
		}
	}},
}

type listingCase struct{ prefix, delimiter string }

func listingCases() []listingCase {
	var out []listingCase
	for _, p := range []string{"", "a", "a/", "b/-", "\U0010ffff", "/", "zz"} {
		for _, d := range []string{"", "/", "-", "ab", "\U0010ffff"} {
			out = append(out, listingCase{p, d})
		}
	}
	return out
}

// randomKeys draws n distinct keys from an alphabet rich in delimiters and
// characters that sort oddly (a control character, the last code point).
func randomKeys(rng *rand.Rand, n int) []string {
	alphabet := []string{"a", "b", "/", "-", "\U0010ffff", "\x01", "é"}
	seen := map[string]bool{}
	var keys []string
	for len(keys) < n {
		var sb strings.Builder
		for range 1 + rng.IntN(6) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		if k := sb.String(); !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	return keys
}

// modelListing is the listing S3 defines, computed naively: entries are
// "key:<key>" or "prefix:<common prefix>".
func modelListing(keys []string, prefix, delimiter string) []string {
	var out []string
	for _, k := range sortedUnique(keys) {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		rest := k[len(prefix):]
		if i := strings.Index(rest, delimiter); delimiter != "" && i >= 0 {
			e := "prefix:" + prefix + rest[:i+len(delimiter)]
			if len(out) == 0 || out[len(out)-1] != e {
				out = append(out, e)
			}
			continue
		}
		out = append(out, "key:"+k)
	}
	return out
}

// listAll pages through a listing, checking each page's invariants, and
// returns its entries in the model's form.
func (f *fixture) listAll(prefix, delimiter string, max int) []string {
	f.t.Helper()
	var all []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 10_000 {
			f.t.Fatal("listing does not end")
		}
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{Prefix: prefix, Delimiter: delimiter, After: after, MaxKeys: max})
		noErr(f.t, err)
		if !slices.IsSorted(objectKeys(res.Objects)) || !slices.IsSorted(res.CommonPrefixes) {
			f.t.Fatalf("unsorted page: objects %q prefixes %q", objectKeys(res.Objects), res.CommonPrefixes)
		}
		page := mergeEntries(objectKeys(res.Objects), res.CommonPrefixes)
		if len(page) > max {
			f.t.Fatalf("page of %d entries with MaxKeys %d", len(page), max)
		}
		all = append(all, page...)
		if !res.IsTruncated {
			return all
		}
		if len(page) == 0 || entryName(page[len(page)-1]) != res.NextAfter {
			f.t.Fatalf("truncated page %q has NextAfter %q", page, res.NextAfter)
		}
		after = res.NextAfter
	}
}

// mergeEntries merges keys and prefixes into one sorted entry list.
func mergeEntries(keys, prefixes []string) []string {
	var out []string
	for _, k := range keys {
		out = append(out, "key:"+k)
	}
	for _, p := range prefixes {
		out = append(out, "prefix:"+p)
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(entryName(a), entryName(b)) })
	return out
}

func entryName(e string) string {
	_, name, _ := strings.Cut(e, ":")
	return name
}

func objectKeys(objs []objstore.ObjectInfo) []string {
	out := make([]string, len(objs))
	for i, o := range objs {
		out[i] = o.Key
	}
	return out
}

func sortedUnique(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return slices.Compact(out)
}

func equalStrings(a, b []string) bool { return slices.Equal(a, b) }
