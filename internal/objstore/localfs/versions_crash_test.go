package localfs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// crashVersioned is the child of the versioned crash tests: "vput" stalls
// mid-PutObject; "vloop" writes versions, delete markers and deletes of
// versions by id forever, printing each acknowledged one.
func crashVersioned(ctx context.Context, b *Backend, mode string) error {
	if mode == "vput" {
		_, err := b.PutObject(ctx, crashBucket, crashKey, &stallingReader{left: bigSize, stallAt: bigSize / 2}, bigSize, objstore.PutOptions{})
		return err
	}
	fmt.Println("started")
	var live []string
	for v := uint64(1); ; v++ {
		switch {
		case v%4 == 0:
			res, err := b.DeleteObject(ctx, crashBucket, crashKey, objstore.DeleteOptions{})
			if err != nil {
				return err
			}
			fmt.Println("marker", res.VersionID)
		case v%5 == 0 && len(live) > 0:
			fmt.Println("removing", live[0]) // a kill before "removed" may or may not undo it
			if _, err := b.DeleteObject(ctx, crashBucket, crashKey, objstore.DeleteOptions{VersionID: live[0]}); err != nil {
				return err
			}
			fmt.Println("removed", live[0])
			live = live[1:]
		default:
			data := smallVersion(v)
			info, err := b.PutObject(ctx, crashBucket, crashKey, bytes.NewReader(data), int64(len(data)), objstore.PutOptions{})
			if err != nil {
				return err
			}
			fmt.Println("put", v, info.VersionID)
			live = append(live, info.VersionID)
		}
	}
}

// smallVersion is the bytes of the child's version v.
func smallVersion(v uint64) []byte {
	r := rand.New(rand.NewPCG(v, 7))
	data := make([]byte, 1000+int(v%13)*4096)
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	return data
}

// versionedSetup is crashSetup, then versioning enabled: the previous
// version is the key's null version.
func versionedSetup(t *testing.T, dir string, previous []byte) string {
	t.Helper()
	crashSetup(t, dir, previous)
	b, err := Open(t.Context(), dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.PutBucketVersioning(t.Context(), crashBucket, objstore.VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	return objstore.NullVersion
}

func TestCrashMidVersionedPutObjectKeepsThePreviousVersionCurrentAndAlone(t *testing.T) {
	eachTempKind(t, func(t *testing.T, named bool) {
		dir := t.TempDir()
		previous := []byte("the previous version")
		vid := versionedSetup(t, dir, previous)
		runChild(t, "vput", dir, named, "stalled", 0)
		wantCrashLeftovers(t, dir, named, 1)
		b := openTest(t, dir, Options{})
		if data, info := readKey(t, b); !bytes.Equal(data, previous) || info.VersionID != vid {
			t.Fatalf("after the crash the key holds %d bytes as version %q, want the previous version %s", len(data), info.VersionID, vid)
		}
		res, err := b.ListObjectVersions(t.Context(), crashBucket, objstore.ListVersionsOptions{MaxKeys: 10})
		if err != nil || len(res.Versions) != 1 || res.Versions[0].VersionID != vid {
			t.Fatalf("versions after the crash: %+v, %v", res.Versions, err)
		}
		fsck(t, b)
	})
}

func TestCrashAtRandomMomentsOfVersionedWritesAndDeletesLosesNothingAcknowledged(t *testing.T) {
	eachTempKind(t, func(t *testing.T, named bool) {
		dir := t.TempDir()
		first := versionedSetup(t, dir, []byte("first"))
		rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
		puts := map[string]uint64{}
		markers := map[string]bool{}
		removed := map[string]bool{}
		removing := map[string]bool{}
		for round := range 3 {
			delay := time.Duration(50+rng.IntN(400)) * time.Millisecond
			for _, l := range runChild(t, "vloop", dir, named, "started", delay) {
				var v uint64
				var id string
				switch {
				case strings.HasPrefix(l, "put "):
					fmt.Sscanf(l, "put %d %s", &v, &id)
					puts[id] = v
				case strings.HasPrefix(l, "marker "):
					markers[strings.TrimPrefix(l, "marker ")] = true
				case strings.HasPrefix(l, "removed "):
					removed[strings.TrimPrefix(l, "removed ")] = true
				case strings.HasPrefix(l, "removing "):
					removing[strings.TrimPrefix(l, "removing ")] = true
				}
			}
			b, err := Open(t.Context(), dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			checkAcknowledged(t, b, puts, markers, removed, removing)
			if data := readVersion(t, b, first); string(data) != "first" {
				t.Fatalf("round %d: the first version holds %q", round, data)
			}
			fsck(t, b)
			t.Logf("round %d: killed after %v; %d versions, %d markers, %d removed acknowledged so far",
				round, delay, len(puts), len(markers), len(removed))
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// checkAcknowledged checks every acknowledged write and delete after a crash:
// versions written hold their bytes unless removed, markers are markers,
// removed versions are gone. A version being removed when the process was
// killed (removing, not yet removed) may be there, whole, or gone.
func checkAcknowledged(t *testing.T, b *Backend, puts map[string]uint64, markers, removed, removing map[string]bool) {
	t.Helper()
	for id, v := range puts {
		if removing[id] && !removed[id] {
			if _, err := b.HeadObject(t.Context(), crashBucket, crashKey, id); errors.Is(err, objstore.ErrNoSuchVersion) {
				continue
			}
		}
		if removed[id] {
			_, err := b.HeadObject(t.Context(), crashBucket, crashKey, id)
			if !errors.Is(err, objstore.ErrNoSuchVersion) {
				t.Fatalf("removed version %s reads as %v", id, err)
			}
			continue
		}
		if data := readVersion(t, b, id); !bytes.Equal(data, smallVersion(v)) {
			t.Fatalf("version %s (%d) holds %d other bytes", id, v, len(data))
		}
	}
	for id := range markers {
		_, err := b.HeadObject(t.Context(), crashBucket, crashKey, id)
		var dm *objstore.DeleteMarkerError
		if !errors.As(err, &dm) || !dm.Named {
			t.Fatalf("acknowledged delete marker %s reads as %v", id, err)
		}
	}
}

func readVersion(t *testing.T, b *Backend, id string) []byte {
	t.Helper()
	obj, err := b.GetObject(t.Context(), crashBucket, crashKey, objstore.GetOptions{VersionID: id})
	if err != nil {
		t.Fatalf("GetObject(version %s) after the crash: %v", id, err)
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
