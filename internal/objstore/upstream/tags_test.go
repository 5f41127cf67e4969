package upstream_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/upstream"
)

// TestAnUpstreamWithoutObjectTaggingRefusesItAsNotImplemented pins the refusal of an
// upstream that answers PutObjectTagging with NotImplemented (as S3-compatible servers
// without tagging do): objstore.ErrNotImplemented, which the wire layer answers 501, never
// a 503 that a client would retry.
func TestAnUpstreamWithoutObjectTaggingRefusesItAsNotImplemented(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.URL.Query().Has("tagging") {
			w.WriteHeader(http.StatusNotImplemented)
			io.WriteString(w, s3ErrorDoc("NotImplemented"))
			return
		}
		w.Header().Set("ETag", `"0123456789abcdef0123456789abcdef"`)
		w.Header().Set("Last-Modified", time.Now().UTC().Format(http.TimeFormat))
		w.Header().Set("Content-Length", "4")
	}))
	t.Cleanup(srv.Close)
	b, err := upstream.New(upstream.Options{Endpoint: srv.URL,
		Credentials: upstream.StaticCredentials{AccessKeyID: "AKIDUPSTREAM", SecretAccessKey: secret}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = b.PutObjectTags(t.Context(), "bk", "k", "", map[string]string{"a": "b"})
	if !errors.Is(err, objstore.ErrNotImplemented) || errors.Is(err, objstore.ErrUnavailable) {
		t.Fatalf("PutObjectTags = %v, want ErrNotImplemented", err)
	}
	_, err = b.PutObjectTags(t.Context(), "bk", "k", "", nil)
	if !errors.Is(err, objstore.ErrNotImplemented) {
		t.Fatalf("PutObjectTags (delete) = %v, want ErrNotImplemented", err)
	}
}
