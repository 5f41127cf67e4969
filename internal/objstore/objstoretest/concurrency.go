package objstoretest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/inkan-dev/inkan/internal/objstore"
)

var concurrencyTests = []test{
	{"concurrent writers of one key leave exactly one writer's bytes, and readers never see a mix", func(f *fixture) {
		const writers, rounds = 16, 6
		versions := map[string]bool{} // MD5s of every version written
		var bodies [writers][rounds][]byte
		for w := range writers {
			for r := range rounds {
				data := randomBytes(uint64(1000*w+r), 1+(w*7919+r*104729)%(256<<10))
				bodies[w][r] = data
				versions[md5Hex(data)] = true
			}
		}
		f.put("k", bodies[0][0])
		var done atomic.Bool
		var wg sync.WaitGroup
		errs := make(chan error, writers+4)
		for w := range writers {
			wg.Go(func() {
				for r := range rounds {
					data := bodies[w][r]
					if _, err := f.b.PutObject(f.ctx, bucket, "k", bytes.NewReader(data), int64(len(data)), objstore.PutOptions{}); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		var readers sync.WaitGroup
		for range 4 {
			readers.Go(func() {
				for !done.Load() {
					if err := readConsistent(f, versions); err != nil {
						errs <- err
						return
					}
				}
			})
		}
		wg.Wait()
		done.Store(true)
		readers.Wait()
		close(errs)
		for err := range errs {
			f.t.Fatal(err)
		}
		noErr(f.t, readConsistent(f, versions))
	}},
	{"of concurrent If-None-Match creates exactly one succeeds", func(f *fixture) {
		const racers = 16
		var wins, losses atomic.Int32
		var wg sync.WaitGroup
		for i := range racers {
			wg.Go(func() {
				data := []byte(fmt.Sprint(i))
				_, err := f.b.PutObject(f.ctx, bucket, "k", bytes.NewReader(data), int64(len(data)),
					objstore.PutOptions{Precondition: objstore.Precondition{IfNoneMatch: "*"}})
				switch {
				case err == nil:
					wins.Add(1)
				case errors.Is(err, objstore.ErrPreconditionFailed):
					losses.Add(1)
				default:
					f.t.Error(err)
				}
			})
		}
		wg.Wait()
		if wins.Load() != 1 || losses.Load() != racers-1 {
			f.t.Fatalf("%d creates won and %d lost, want 1 and %d", wins.Load(), losses.Load(), racers-1)
		}
	}},
	{"concurrent writers of distinct keys all land", func(f *fixture) {
		const writers, each = 16, 20
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					key := fmt.Sprintf("w%02d/%03d", w, i)
					data := []byte(key)
					if _, err := f.b.PutObject(f.ctx, bucket, key, bytes.NewReader(data), int64(len(data)), objstore.PutOptions{}); err != nil {
						f.t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		res, err := f.b.ListObjects(f.ctx, bucket, objstore.ListOptions{MaxKeys: 1000})
		noErr(f.t, err)
		if len(res.Objects) != writers*each {
			f.t.Fatalf("listed %d objects, want %d", len(res.Objects), writers*each)
		}
		for _, o := range res.Objects {
			f.wantContent(o.Key, []byte(o.Key))
		}
	}},
	{"concurrent copies, deletes and overwrites never break a readable copy", func(f *fixture) {
		data := randomBytes(40, 64<<10)
		f.put("src", data)
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				dst := fmt.Sprint("copy", i%2)
				for range 10 {
					if _, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, bucket, dst, objstore.CopyOptions{}); err != nil {
						f.t.Error(err)
					}
					if _, err := f.b.DeleteObject(f.ctx, bucket, dst, objstore.DeleteOptions{}); err != nil {
						f.t.Error(err)
					}
				}
			})
		}
		wg.Wait()
		_, err := f.b.CopyObject(f.ctx, objstore.CopySource{Bucket: bucket, Key: "src"}, bucket, "final", objstore.CopyOptions{})
		noErr(f.t, err)
		f.put("src", []byte("overwritten"))
		f.wantContent("final", data)
	}},
}

// readConsistent reads k and checks that its bytes are one whole version
// and match the ETag reported with them.
func readConsistent(f *fixture, versions map[string]bool) error {
	obj, err := f.b.GetObject(f.ctx, bucket, "k", objstore.GetOptions{})
	if err != nil {
		return err
	}
	defer obj.Body.Close()
	data, err := io.ReadAll(obj.Body)
	if err != nil {
		return err
	}
	sum := md5Hex(data)
	if !versions[sum] || sum != obj.Info.ETag || int64(len(data)) != obj.Info.Size {
		return fmt.Errorf("read %d bytes with MD5 %s under ETag %s (size %d): not one writer's version",
			len(data), sum, obj.Info.ETag, obj.Info.Size)
	}
	return nil
}
