package lifecycle_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/inkan-dev/inkan/internal/objstore"
)

// versions lists key's versions, newest first: "v<size>" for objects, "marker" for delete
// markers, so that tests name versions by the bytes they wrote.
func (w *world) versions(bucket, key string) []string {
	w.t.Helper()
	res, err := w.backend.ListObjectVersions(w.ctx, bucket, objstore.ListVersionsOptions{Prefix: key, MaxKeys: 1000})
	if err != nil {
		w.t.Fatal(err)
	}
	var got []string
	for _, v := range res.Versions {
		if v.Key != key {
			continue
		}
		if v.DeleteMarker {
			got = append(got, "marker")
		} else {
			got = append(got, "v"+strconv.FormatInt(v.Size, 10))
		}
	}
	return got
}

func (w *world) versioned(bucket string) {
	w.t.Helper()
	w.bucket(bucket)
	if err := w.backend.PutBucketVersioning(w.ctx, bucket, objstore.VersioningEnabled); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) del(bucket, key string) {
	w.t.Helper()
	if _, err := w.backend.DeleteObject(w.ctx, bucket, key, objstore.DeleteOptions{}); err != nil {
		w.t.Fatal(err)
	}
}

func TestNoncurrentVersionsExpireOnScheduleCountedFromTheirSuccessor(t *testing.T) {
	w := newWorld(t)
	w.versioned("b")
	w.configure("b", `<Rule><ID>noncurrent</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>`)
	w.put("b", "k", "1")               // 2026-05-01 10:30
	w.clock.set(day0.AddDate(0, 0, 2)) // 2026-05-03 10:30: v1 noncurrent from now, due 2026-05-05 00:00
	w.put("b", "k", "22")
	w.clock.set(day0.AddDate(0, 0, 4)) // 2026-05-05 10:30: v2 noncurrent from now, due 2026-05-07 00:00
	w.put("b", "k", "333")
	wk := w.worker("n", lifecycle.Options{})

	w.clock.set(time.Date(2026, 5, 4, 23, 59, 59, 0, time.UTC))
	w.pass(wk)
	if got := w.versions("b", "k"); !slices.Equal(got, []string{"v3", "v2", "v1"}) {
		t.Fatalf("before v1 is due: %v", got)
	}
	w.clock.set(time.Date(2026, 5, 6, 0, 0, 0, 0, time.UTC))
	if s := w.pass(wk); s.Expired != 1 {
		t.Fatalf("pass when v1 is due: %+v", s)
	}
	if got := w.versions("b", "k"); !slices.Equal(got, []string{"v3", "v2"}) {
		t.Fatalf("when v1 is due: %v", got)
	}
	w.clock.set(time.Date(2026, 5, 7, 0, 0, 0, 0, time.UTC))
	w.pass(wk)
	if got := w.versions("b", "k"); !slices.Equal(got, []string{"v3"}) {
		t.Fatalf("when v2 is due: %v", got)
	}
	w.audit.mu.Lock()
	defer w.audit.mu.Unlock()
	if r := w.audit.recs[0]; r.Action != "s3:Lifecycle:ExpireNoncurrentVersion" || r.Code != "noncurrent" || !strings.Contains(r.Reason, "noncurrent since 2026-05-03T10:30:00Z") {
		t.Fatalf("audit record %+v", r)
	}
}

func TestNewerNoncurrentVersionsAreKept(t *testing.T) {
	w := newWorld(t)
	w.versioned("b")
	w.configure("b", `<Rule><ID>keep 2</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`)
	for i := 1; i <= 5; i++ {
		w.put("b", "k", strings.Repeat("x", i))
	}
	w.clock.set(day0.AddDate(0, 0, 30))
	w.pass(w.worker("n", lifecycle.Options{}))
	if got := w.versions("b", "k"); !slices.Equal(got, []string{"v5", "v4", "v3"}) {
		t.Fatalf("versions left %v, want the current one and the 2 newest noncurrent", got)
	}
}

func TestExpiredDeleteMarkersAreRemovedAndOthersKept(t *testing.T) {
	w := newWorld(t)
	w.versioned("b")
	w.configure("b", `<Rule><ID>markers</ID><Filter/><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>`)
	w.del("b", "only-a-marker")
	w.put("b", "deleted", "1")
	w.del("b", "deleted")
	w.put("b", "live", "1")
	w.del("b", "live")
	w.clock.set(day0.AddDate(0, 0, 1))
	w.put("b", "live", "22")
	wk := w.worker("n", lifecycle.Options{})
	w.pass(wk)
	// The marker with nothing under it goes at once; "deleted"'s version is not due yet, so
	// its marker stays; "live" is current.
	if got := w.versions("b", "only-a-marker"); len(got) != 0 {
		t.Fatalf("only-a-marker: %v", got)
	}
	if got := w.versions("b", "deleted"); !slices.Equal(got, []string{"marker", "v1"}) {
		t.Fatalf("deleted: %v", got)
	}
	w.clock.set(day0.AddDate(0, 0, 5))
	w.pass(wk)
	// Its version expired, then the marker left alone was removed in the same pass.
	if got := w.versions("b", "deleted"); len(got) != 0 {
		t.Fatalf("deleted after its version expired: %v", got)
	}
	if got := w.versions("b", "live"); !slices.Equal(got, []string{"v2"}) {
		t.Fatalf("live: %v", got)
	}
}

func TestExpiringTheCurrentVersionOfAVersionedBucketPlacesADeleteMarker(t *testing.T) {
	w := newWorld(t)
	w.versioned("b")
	w.configure("b", `<Rule><ID>days</ID><Filter/><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	w.put("b", "k", "1")
	w.clock.set(day0.AddDate(0, 0, 3))
	w.pass(w.worker("n", lifecycle.Options{}))
	if got := w.versions("b", "k"); !slices.Equal(got, []string{"marker", "v1"}) {
		t.Fatalf("versions %v, want a delete marker over the kept version", got)
	}
}

func TestANoncurrentVersionMadeCurrentAgainIsKept(t *testing.T) {
	w := newWorld(t)
	w.versioned("b")
	w.configure("b", `<Rule><ID>noncurrent</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>`)
	w.put("b", "k", "1")
	latest := w.put("b", "k", "22")
	w.clock.set(day0.AddDate(0, 0, 5))
	rb := &racing{Backend: w.backend}
	// After the listing, someone deletes the current version by id: v1 is current again.
	rb.onHead = func() {
		if _, err := w.backend.DeleteObject(w.ctx, "b", "k", objstore.DeleteOptions{VersionID: latest.VersionID}); err != nil {
			t.Error(err)
		}
	}
	if s := w.pass(w.worker("n", lifecycle.Options{Backend: rb})); s.Expired != 0 || s.Changed != 1 {
		t.Fatalf("pass: %+v", s)
	}
	if got := w.versions("b", "k"); !slices.Equal(got, []string{"v1"}) {
		t.Fatalf("versions %v", got)
	}
}

func TestAnUnversionedBucketHasNoNoncurrentVersions(t *testing.T) {
	w := newWorld(t)
	w.bucket("b")
	w.configure("b", `<Rule><ID>noncurrent</ID><Filter/><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>`)
	w.put("b", "k", "1")
	w.put("b", "k", "22")
	w.clock.set(day0.AddDate(0, 0, 30))
	if s := w.pass(w.worker("n", lifecycle.Options{})); s.Expired != 0 || s.Examined != 0 {
		t.Fatalf("pass: %+v", s)
	}
	if got := w.keys("b"); !slices.Equal(got, []string{"k"}) {
		t.Fatalf("keys %v", got)
	}
}
