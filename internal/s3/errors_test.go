package s3

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/checksum"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/objstore"
)

func TestErrorDocumentsHaveS3sShape(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/b/k", nil)
	e := errNoSuchKey.because("no object k", nil).with(Field{"Key", "k<&>"})
	writeError(w, r, e, "REQ1", "HOST1", false)
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>k&lt;&amp;&gt;</Key><RequestId>REQ1</RequestId><HostId>HOST1</HostId></Error>`
	if w.Code != 404 || w.Body.String() != want || w.Header().Get("Content-Type") != "application/xml" {
		t.Fatalf("status %d, type %q, body\n%s\nwant\n%s", w.Code, w.Header().Get("Content-Type"), w.Body.String(), want)
	}
	if fmt.Sprint(len(want)) != w.Header().Get("Content-Length") {
		t.Errorf("Content-Length %s, body is %d bytes", w.Header().Get("Content-Length"), len(want))
	}
}

func TestHeadAndNotModifiedAnswersCarryNoBody(t *testing.T) {
	for _, c := range []struct {
		method string
		err    *Error
	}{{http.MethodHead, errNoSuchKey}, {http.MethodGet, errNotModified}} {
		w := httptest.NewRecorder()
		writeError(w, httptest.NewRequest(c.method, "/b/k", nil), c.err, "R", "H", false)
		if w.Code != c.err.Status || w.Body.Len() != 0 {
			t.Errorf("%s %s: status %d with %d body bytes", c.method, c.err.Code, w.Code, w.Body.Len())
		}
	}
}

func TestTheReasonReachesTheCallerOnlyInExplainMode(t *testing.T) {
	e := errAccessDenied.because("no statement allows s3:GetObject", nil)
	for _, explain := range []bool{false, true} {
		w := httptest.NewRecorder()
		writeError(w, httptest.NewRequest(http.MethodGet, "/b/k", nil), e, "R", "H", explain)
		shown := strings.Contains(w.Body.String(), "no statement allows")
		if shown != explain {
			t.Errorf("explain=%v: reason shown=%v in %s", explain, shown, w.Body.String())
		}
	}
}

func TestDomainErrorsMapToTheirS3Codes(t *testing.T) {
	cases := []struct {
		err  error
		code string
	}{
		{fmt.Errorf("wrapped: %w", objstore.ErrNoSuchBucket), "NoSuchBucket"},
		{objstore.ErrBucketNotEmpty, "BucketNotEmpty"},
		{objstore.ErrKeyTooLong, "KeyTooLongError"},
		{objstore.ErrInvalidRange, "InvalidRange"},
		{objstore.ErrNoSuchUpload, "NoSuchUpload"},
		{objstore.ErrInvalidPartOrder, "InvalidPartOrder"},
		{objstore.ErrEntityTooSmall, "EntityTooSmall"},
		{objstore.ErrIncompleteBody, "IncompleteBody"},
		{&checksum.MismatchError{Algorithm: checksum.CRC32C, Expected: "a", Computed: "b"}, "BadDigest"},
		{&iam.Error{Kind: iam.KindAccessDenied, Reason: "r"}, "AccessDenied"},
		{fmt.Errorf("wrapped: %w", &iam.Error{Kind: iam.KindUnavailable, Reason: "store unavailable"}), "ServiceUnavailable"},
		{errors.New("disk on fire"), "InternalError"},
		{fmt.Errorf("upstream PutObject: 503 SlowDown: %w", objstore.ErrUnavailable), "ServiceUnavailable"},
	}
	for _, c := range cases {
		if got := s3Error(c.err); got.Code != c.code {
			t.Errorf("s3Error(%v) = %s, want %s", c.err, got.Code, c.code)
		}
	}
	if e := s3Error(errors.New("disk on fire")); e.Status != 500 || strings.Contains(e.Message, "fire") {
		t.Errorf("an internal error leaks its cause or has status %d: %q", e.Status, e.Message)
	}
	e := s3Error(fmt.Errorf("upstream GetObject: 500 InternalError: %w", objstore.ErrUnavailable))
	if e.Status != 503 || strings.Contains(e.Message+e.Reason, "upstream") {
		t.Errorf("an unavailable store answers %d with %q (%q): want 503 without the upstream's detail", e.Status, e.Message, e.Reason)
	}
}
