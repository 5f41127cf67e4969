package upstream_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/upstream"
)

// secret is the fake upstream's secret key, which no error or log may show.
const secret = "wJalrXUtnFEMI-the-upstream-secret-K7MDENG"

// fakeUpstream answers every request with status and body, and counts them.
func fakeUpstream(t *testing.T, status int, body string) (*upstream.Backend, *bytes.Buffer) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	b, err := upstream.New(upstream.Options{Endpoint: srv.URL,
		Credentials: upstream.StaticCredentials{AccessKeyID: "AKIDUPSTREAM", SecretAccessKey: secret, SessionToken: "session-" + secret},
		Logger:      slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	return b, &logs
}

func s3ErrorDoc(code string) string {
	return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>upstream says ` + code +
		`</Message></Error>`
}

// every calls the operations a wire request can reach.
func every(b *upstream.Backend, t *testing.T) map[string]error {
	ctx := t.Context()
	out := map[string]error{}
	_, out["PutObject"] = b.PutObject(ctx, "bk", "k", strings.NewReader("data"), 4, objstore.PutOptions{})
	_, out["GetObject"] = b.GetObject(ctx, "bk", "k", objstore.GetOptions{})
	_, out["HeadObject"] = b.HeadObject(ctx, "bk", "k", "")
	_, out["ListObjects"] = b.ListObjects(ctx, "bk", objstore.ListOptions{MaxKeys: 10})
	_, out["DeleteObject"] = b.DeleteObject(ctx, "bk", "k", objstore.DeleteOptions{})
	_, out["ListBuckets"] = b.ListBuckets(ctx)
	_, out["CreateMultipartUpload"] = b.CreateMultipartUpload(ctx, "bk", "k", objstore.ObjectMeta{}, nil)
	return out
}

func TestAFailingUpstreamIsUnavailableAndNeverLeaksItsTextOrTheCredentials(t *testing.T) {
	cases := map[string]struct {
		status int
		body   string
	}{
		"500 InternalError":         {500, s3ErrorDoc("InternalError")},
		"503 SlowDown":              {503, s3ErrorDoc("SlowDown")},
		"503 without a body":        {503, ""},
		"502 from a proxy in HTML":  {502, "<html>bad gateway</html>"},
		"200 with garbage":          {200, "this is not XML"},
		"403 SignatureDoesNotMatch": {403, s3ErrorDoc("SignatureDoesNotMatch")},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b, logs := fakeUpstream(t, c.status, c.body)
			for op, err := range every(b, t) {
				if c.status == 200 && (op == "DeleteObject" || op == "PutObject") {
					continue // a 200 without a body is their success
				}
				if !errors.Is(err, objstore.ErrUnavailable) {
					t.Errorf("%s: got %v, want ErrUnavailable", op, err)
				}
				if err != nil && (strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "upstream says")) {
					t.Errorf("%s: error %q carries the secret or the upstream's message", op, err)
				}
			}
			if strings.Contains(logs.String(), secret) {
				t.Errorf("the log shows the secret:\n%s", logs)
			}
		})
	}
}

func TestAnUnreachableUpstreamIsUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	b, err := upstream.New(upstream.Options{Endpoint: "http://" + addr,
		Credentials: upstream.StaticCredentials{AccessKeyID: "AKID", SecretAccessKey: secret}})
	if err != nil {
		t.Fatal(err)
	}
	for op, err := range every(b, t) {
		if !errors.Is(err, objstore.ErrUnavailable) || strings.Contains(err.Error(), secret) {
			t.Errorf("%s: got %v, want ErrUnavailable without the secret", op, err)
		}
	}
}

func TestUpstreamErrorCodesMapToTheObjstoreSentinels(t *testing.T) {
	for code, want := range map[string]error{
		"NoSuchBucket":            objstore.ErrNoSuchBucket,
		"NoSuchKey":               objstore.ErrNoSuchKey,
		"PreconditionFailed":      objstore.ErrPreconditionFailed,
		"InvalidRange":            objstore.ErrInvalidRange,
		"BucketAlreadyOwnedByYou": objstore.ErrBucketExists,
		"BucketAlreadyExists":     objstore.ErrBucketExists,
		"BucketNotEmpty":          objstore.ErrBucketNotEmpty,
		"SlowDown":                objstore.ErrUnavailable,
		"AccessDenied":            objstore.ErrUnavailable,
	} {
		t.Run(code, func(t *testing.T) {
			status := map[string]int{"NoSuchBucket": 404, "NoSuchKey": 404, "PreconditionFailed": 412, "InvalidRange": 416,
				"SlowDown": 503, "AccessDenied": 403}[code]
			if status == 0 {
				status = 409
			}
			b, _ := fakeUpstream(t, status, s3ErrorDoc(code))
			var err error
			switch code {
			case "BucketAlreadyOwnedByYou", "BucketAlreadyExists":
				err = b.CreateBucket(t.Context(), "bk")
			case "BucketNotEmpty":
				err = b.DeleteBucket(t.Context(), "bk") // the emptiness check fails first, with the same code
			default:
				_, err = b.GetObject(t.Context(), "bk", "k", objstore.GetOptions{})
			}
			if !errors.Is(err, want) {
				t.Fatalf("got %v, want %v", err, want)
			}
		})
	}
}

func TestOptionsPrintWithoutTheSecret(t *testing.T) {
	o := upstream.Options{Credentials: upstream.StaticCredentials{AccessKeyID: "AKID", SecretAccessKey: secret}}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("options", "o", o)
	if strings.Contains(buf.String(), secret) {
		t.Fatalf("printed options show the secret: %s", buf.String())
	}
}

func TestAnUpstreamWithoutVersioningRefusesPutBucketVersioningAsNotImplemented(t *testing.T) {
	for _, status := range []int{http.StatusBadRequest, http.StatusNotImplemented} {
		b, _ := fakeUpstream(t, status, s3ErrorDoc("VersioningNotConfigured"))
		err := b.PutBucketVersioning(t.Context(), "bk", objstore.VersioningEnabled)
		if !errors.Is(err, objstore.ErrNotImplemented) || !strings.Contains(err.Error(), "VersioningNotConfigured") {
			t.Fatalf("status %d: PutBucketVersioning = %v, want ErrNotImplemented naming the upstream's code", status, err)
		}
	}
}
