package e2e

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Issue 13's crash acceptance for versioning, like issue 5's above: a real inkan process on
// the local backend (where inkan itself keeps the versions), killed with SIGKILL in the
// middle of a versioned PUT, and at a random moment among versioned PUTs and DELETEs, then
// restarted on the same data directory. Every acknowledged version, delete marker and
// delete by version id survives; nothing unacknowledged is half there.

// versionedCrashStart starts a server on a fresh data directory with the crash bucket
// versioned.
func versionedCrashStart(t *testing.T, bin string) (string, *process) {
	t.Helper()
	dir := t.TempDir()
	srv := startProcess(t, bin, dir, objectBackend{name: "local"})
	createBuckets(t, srv.testServer, crashBucket)
	if err := enableVersioning(context.Background(), rootS3(srv.testServer), crashBucket); err != nil {
		t.Fatal(err)
	}
	return dir, srv
}

// versionsOf lists the crash key's versions, then its delete markers ("M:" before their ids).
func versionsOf(t *testing.T, c *s3.Client) []string {
	t.Helper()
	var out []string
	in := &s3.ListObjectVersionsInput{Bucket: aws.String(crashBucket)}
	for {
		page, err := c.ListObjectVersions(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range page.Versions {
			out = append(out, aws.ToString(v.VersionId))
		}
		for _, m := range page.DeleteMarkers {
			out = append(out, "M:"+aws.ToString(m.VersionId))
		}
		if !aws.ToBool(page.IsTruncated) {
			return out
		}
		in.KeyMarker, in.VersionIdMarker = page.NextKeyMarker, page.NextVersionIdMarker
	}
}

func TestAServerKilledDuringVersionedWritesAndDeletesLosesNoAcknowledgedVersion(t *testing.T) {
	bin := buildInkan(t)
	t.Run("in the middle of a versioned 100 MiB PutObject", func(t *testing.T) { crashVersionedPut(t, bin) })
	t.Run("at random moments among versioned PUTs and DELETEs", func(t *testing.T) { crashVersionedLoop(t, bin) })
}

func crashVersionedPut(t *testing.T, bin string) {
	dir, srv := versionedCrashStart(t, bin)
	c := rootS3(srv.testServer)
	ctx := context.Background()
	v1 := randomBytes(1, 1<<20)
	put := func(data []byte) string {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), Body: bytes.NewReader(data)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.VersionId)
	}
	id1 := put(v1)
	del, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey)})
	if err != nil {
		t.Fatal(err)
	}
	v2 := randomBytes(2, 1<<20)
	id2 := put(v2)
	before := versionsOf(t, c)

	v3 := randomBytes(3, 100<<20)
	stop := make(chan struct{})
	defer close(stop)
	body := &trickle{data: v3, fast: 60 << 20, stop: stop}
	outcome := sendSigned(t, srv.testServer, "PUT", "/"+crashBucket+"/"+crashKey, "", body, int64(len(v3)), hashHex(v3))
	waitForPartialWrite(t, srv, outcome, 48<<20)
	srv.kill(t)
	if err := <-outcome; err == nil {
		t.Fatal("the killed PutObject was acknowledged")
	}
	wantNoWholeTempFile(t, dir, len(v3))

	srv = startProcess(t, bin, dir, objectBackend{name: "local"})
	wantNoTempFiles(t, dir)
	c = rootS3(srv.testServer)
	wantVersion(t, srv.testServer, v2, quotedMD5(v2))
	if after := versionsOf(t, c); !slices.Equal(after, before) || len(after) != 3 {
		t.Fatalf("versions after the restart %v, before the crash %v", after, before)
	}
	for id, want := range map[string][]byte{id1: v1, id2: v2} {
		if got := readVersionOf(t, c, id); !bytes.Equal(got, want) {
			t.Fatalf("version %s holds %d other bytes", id, len(got))
		}
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), VersionId: del.VersionId}); !isStatus(err, 405) {
		t.Fatalf("HEAD of the delete marker after the restart: %v", err)
	}
	if n := dataFiles(t, dir); n != 2 {
		t.Errorf("%d data files after the restart, want the two versions'", n)
	}
}

func crashVersionedLoop(t *testing.T, bin string) {
	dir, srv := versionedCrashStart(t, bin)
	puts := map[string][]byte{}
	var markers, removed []string
	// inFlight are versions whose DELETE by id the kill cut off: not acknowledged, so it may
	// or may not have happened.
	inFlight := map[string]bool{}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	for round := range 3 {
		c := rootS3(srv.testServer)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		var live []string
		go func() {
			defer close(done)
			for i := uint64(0); ctx.Err() == nil; i++ {
				switch {
				case i%4 == 3:
					out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey)})
					if err != nil {
						return
					}
					markers = append(markers, aws.ToString(out.VersionId))
				case i%5 == 4 && len(live) > 0:
					_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), VersionId: aws.String(live[0])})
					if err != nil {
						inFlight[live[0]] = true
						return
					}
					removed, live = append(removed, live[0]), live[1:]
				default:
					data := randomBytes(uint64(round)<<32|i, 2000+int(i%7)*3000)
					out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), Body: bytes.NewReader(data)})
					if err != nil {
						return
					}
					puts[aws.ToString(out.VersionId)] = data
					live = append(live, aws.ToString(out.VersionId))
				}
			}
		}()
		time.Sleep(time.Duration(200+rng.IntN(500)) * time.Millisecond)
		srv.kill(t)
		<-done
		cancel()
		srv = startProcess(t, bin, dir, objectBackend{name: "local"})
		checkAcknowledgedVersions(t, rootS3(srv.testServer), puts, markers, removed, inFlight)
		t.Logf("round %d: %d versions, %d markers, %d removed acknowledged so far", round, len(puts), len(markers), len(removed))
	}
}

// checkAcknowledgedVersions checks, after a restart, every acknowledged write and delete;
// a version in inFlight may be there, whole, or gone.
func checkAcknowledgedVersions(t *testing.T, c *s3.Client, puts map[string][]byte, markers, removed []string, inFlight map[string]bool) {
	t.Helper()
	gone := map[string]bool{}
	for _, id := range removed {
		gone[id] = true
	}
	for id, data := range puts {
		if inFlight[id] && !gone[id] {
			_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), VersionId: aws.String(id)})
			if isStatus(err, 404) {
				continue // the cut-off DELETE happened
			}
		}
		if gone[id] {
			_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), VersionId: aws.String(id)})
			if !isStatus(err, 404) {
				t.Fatalf("removed version %s after the restart: %v", id, err)
			}
			continue
		}
		if got := readVersionOf(t, c, id); !bytes.Equal(got, data) {
			t.Fatalf("version %s holds %d other bytes after the restart", id, len(got))
		}
	}
	for _, id := range markers {
		_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), VersionId: aws.String(id)})
		if !isStatus(err, 405) {
			t.Fatalf("delete marker %s after the restart: %v", id, err)
		}
	}
}

func readVersionOf(t *testing.T, c *s3.Client, id string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(crashBucket), Key: aws.String(crashKey), VersionId: aws.String(id)})
	if err != nil {
		t.Fatalf("GET version %s: %v", id, err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// isStatus reports whether err is an HTTP answer with status.
func isStatus(err error, status int) bool {
	var re interface{ HTTPStatusCode() int }
	return errors.As(err, &re) && re.HTTPStatusCode() == status
}
