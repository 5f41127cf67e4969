package upstream_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/upstream"
)

// countingUpstream answers every request 503 SlowDown and counts them by method.
func countingUpstream(t *testing.T) (*upstream.Backend, map[string]*atomic.Int32) {
	t.Helper()
	counts := map[string]*atomic.Int32{http.MethodGet: {}, http.MethodPut: {}, http.MethodHead: {}, http.MethodDelete: {}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		counts[r.Method].Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, s3ErrorDoc("SlowDown"))
	}))
	t.Cleanup(srv.Close)
	b, err := upstream.New(upstream.Options{Endpoint: srv.URL, Credentials: upstream.StaticCredentials{AccessKeyID: "AKID", SecretAccessKey: secret}})
	if err != nil {
		t.Fatal(err)
	}
	return b, counts
}

func TestIdempotentRequestsAreRetriedTwiceAndStreamedBodiesNever(t *testing.T) {
	b, counts := countingUpstream(t)
	ctx := t.Context()
	if _, err := b.GetObject(ctx, "bk", "k", objstore.GetOptions{}); !errors.Is(err, objstore.ErrUnavailable) {
		t.Fatalf("GetObject: %v", err)
	}
	if n := counts[http.MethodGet].Load(); n != 3 {
		t.Errorf("GET sent %d times, want 3 (two retries)", n)
	}
	body := strings.Repeat("x", 2<<20) // over the size read whole: streamed with its last byte held back
	if _, err := b.PutObject(ctx, "bk", "k", strings.NewReader(body), int64(len(body)), objstore.PutOptions{}); !errors.Is(err, objstore.ErrUnavailable) {
		t.Fatalf("PutObject: %v", err)
	}
	if n := counts[http.MethodPut].Load(); n != 1 {
		t.Errorf("a streamed PUT was sent %d times, want once", n)
	}
}
