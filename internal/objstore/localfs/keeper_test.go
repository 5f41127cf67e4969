package localfs

import (
	"slices"
	"testing"
)

// recorder is a keeper whose removals are recorded.
func recorder() (*keeper, *[]blobID) {
	var removed []blobID
	return newKeeper(func(id blobID) { removed = append(removed, id) }), &removed
}

func TestARetiredBlobIsRemovedOnlyAfterReadersThatMaySeeItExit(t *testing.T) {
	k, removed := recorder()
	a, b := blobID{1}, blobID{2}
	early := k.enter()
	k.retire([]blobID{a})
	late := k.enter() // entered after a was retired: cannot have seen it
	if len(*removed) != 0 {
		t.Fatalf("removed %v while an earlier reader runs", *removed)
	}
	k.retire([]blobID{b})
	k.exit(late)
	if len(*removed) != 0 {
		t.Fatalf("removed %v while an earlier reader runs", *removed)
	}
	k.exit(early)
	if !slices.Equal(*removed, []blobID{a, b}) {
		t.Fatalf("removed %v, want both once the early reader exited", *removed)
	}
}

func TestARetiredBlobWithNoReadersIsRemovedAtOnce(t *testing.T) {
	k, removed := recorder()
	r := k.enter()
	k.exit(r)
	k.retire([]blobID{{7}})
	if !slices.Equal(*removed, []blobID{{7}}) {
		t.Fatalf("removed %v", *removed)
	}
}

func TestTheSweepMayNotTouchHeldOrRetiredBlobs(t *testing.T) {
	k, _ := recorder()
	held, retired, free := blobID{1}, blobID{2}, blobID{3}
	k.hold(held, held)
	r := k.enter()
	k.hold(retired)
	k.retire([]blobID{retired})
	for _, id := range []blobID{held, retired} {
		if k.sweepable(id, func() {}) {
			t.Fatalf("blob %s was sweepable", id)
		}
	}
	if !k.sweepable(free, func() {}) {
		t.Fatal("an unprotected blob was not sweepable")
	}
	k.release(held)
	if k.sweepable(held, func() {}) {
		t.Fatal("a blob held twice was sweepable after one release")
	}
	k.release(held)
	k.exit(r)
	for _, id := range []blobID{held, retired} {
		if !k.sweepable(id, func() {}) {
			t.Fatalf("blob %s still protected", id)
		}
	}
}

func TestBlobIDsParseOnlyTheirOwnSpelling(t *testing.T) {
	id := blobID{0xab, 0xcd, 0x01}
	if got, ok := parseBlobID(id.String()); !ok || got != id {
		t.Fatalf("parseBlobID(%q) = %v, %v", id.String(), got, ok)
	}
	for _, s := range []string{"", "abc", id.String()[:31], "ABCD010000000000000000000000000000"[:32], id.String() + "0", "zz" + id.String()[2:]} {
		if _, ok := parseBlobID(s); ok {
			t.Errorf("parseBlobID(%q) accepted", s)
		}
	}
}
