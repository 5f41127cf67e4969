package s3_test

import (
	"context"
	"errors"
	"fmt"
	"github.com/inkan-dev/inkan/internal/testsupport/syncbuf"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	s3sdk "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/inkan-dev/inkan/internal/objstore"
)

// fullDisk is a backend whose writes fail as localfs's do on a full disk while full is
// set: ErrStorageFull wrapping ENOSPC on a path that must never reach a caller.
type fullDisk struct {
	objstore.Backend
	full atomic.Bool
}

const secretPath = "/srv/inkan-private/objects/blobs/3f/0000deadbeef"

func (f *fullDisk) err() error {
	return fmt.Errorf("%w: localfs: write data file: %w", objstore.ErrStorageFull,
		&os.PathError{Op: "write", Path: secretPath, Err: syscall.ENOSPC})
}

func (f *fullDisk) PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts objstore.PutOptions) (objstore.ObjectInfo, error) {
	if f.full.Load() {
		io.Copy(io.Discard, body)
		return objstore.ObjectInfo{}, f.err()
	}
	return f.Backend.PutObject(ctx, bucket, key, body, size, opts)
}

func (f *fullDisk) CreateBucket(ctx context.Context, bucket string) error {
	if f.full.Load() {
		return f.err()
	}
	return f.Backend.CreateBucket(ctx, bucket)
}

// fullCounter is an s3.Observer.
type fullCounter struct {
	mu  sync.Mutex
	ops []string
}

func (c *fullCounter) StorageFull(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops = append(c.ops, op)
}

func TestAFullDiskAnswersARetryable503WithoutInternalDetailAndRecovers(t *testing.T) {
	for _, explain := range []bool{false, true} {
		t.Run(fmt.Sprintf("explain=%v", explain), func(t *testing.T) {
			disk := &fullDisk{}
			logs := &syncbuf.Buffer{}
			counter := &fullCounter{}
			e := newEnv(t, envOptions{explain: explain, observer: counter,
				wrap:   func(b objstore.Backend) objstore.Backend { disk.Backend = b; return disk },
				logger: slog.New(slog.NewTextHandler(logs, nil))})
			e.bucket("data")
			client := e.client(rootCredentials(), func(o *s3sdk.Options) { o.RetryMaxAttempts = 1 })
			put := func(key, body string) error {
				_, err := client.PutObject(e.ctx, &s3sdk.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: strings.NewReader(body)})
				return err
			}
			if err := put("kept", "the first version"); err != nil {
				t.Fatal(err)
			}
			disk.full.Store(true)
			err := put("kept", "a version that does not fit")
			requireCode(t, err, "ServiceUnavailable", http.StatusServiceUnavailable)
			var re *awshttp.ResponseError
			if errors.As(err, &re) && re.Response.Header.Get("Retry-After") == "" {
				t.Error("the 503 carries no Retry-After")
			}
			// The raw bodies, PutObject and CreateBucket, name nothing of the server's.
			for _, req := range []*http.Request{
				signed(t, e, rootCredentials(), http.MethodPut, "/data/other", []byte("x"), sha256Hex([]byte("x")), nil),
				signed(t, e, rootCredentials(), http.MethodPut, "/newbucket", nil, emptySHA256, nil),
			} {
				resp, err := e.server.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 503 || !strings.Contains(string(body), "<Code>ServiceUnavailable</Code>") {
					t.Errorf("%s %s: %d %s, want 503 ServiceUnavailable", req.Method, req.URL.Path, resp.StatusCode, body)
				}
				for _, leak := range []string{"inkan-private", "blobs", "no space", "localfs", "objstore", "ENOSPC"} {
					if strings.Contains(string(body), leak) {
						t.Errorf("%s %s: the answer shows %q:\n%s", req.Method, req.URL.Path, leak, body)
					}
				}
			}
			logged := logs.String()
			if !strings.Contains(logged, "level=ERROR") || !strings.Contains(logged, secretPath) {
				t.Errorf("the operator's log lacks the detail:\n%s", logged)
			}
			counter.mu.Lock()
			if len(counter.ops) != 3 {
				t.Errorf("storage-full count %v, want 3", counter.ops)
			}
			counter.mu.Unlock()
			// Space is freed: writes work again and the stored version was never touched.
			disk.full.Store(false)
			obj, err := client.GetObject(e.ctx, &s3sdk.GetObjectInput{Bucket: aws.String("data"), Key: aws.String("kept")})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(obj.Body)
			obj.Body.Close()
			if string(got) != "the first version" {
				t.Errorf("after the full disk the object holds %q", got)
			}
			if err := put("kept", "second"); err != nil {
				t.Fatalf("PutObject after space was freed: %v", err)
			}
		})
	}
}
