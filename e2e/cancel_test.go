package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// halfClose sends raw, closes the connection's sending side at once, as a client that
// gives up does, and returns the status it still reads (0 for none).
func halfClose(t *testing.T, srv *testServer, raw []byte) int {
	t.Helper()
	return halfCloseAnswer(t, srv, raw).status
}

// halfCloseAnswer is exchange with the sending side closed after raw.
func halfCloseAnswer(t *testing.T, srv *testServer, raw []byte) rawAnswer {
	t.Helper()
	conn := dial(t, srv)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	conn.Write(raw)
	conn.(*net.TCPConn).CloseWrite()
	return readAnswer(conn, raw)
}

// metric returns the value lines of the metrics page that start with prefix.
func metricLines(t *testing.T, srv *testServer, prefix string) []string {
	t.Helper()
	_, page := get(t, http.DefaultClient, srv.URL+"/metrics")
	var out []string
	for line := range strings.SplitSeq(page, "\n") {
		if strings.HasPrefix(line, prefix) {
			out = append(out, line)
		}
	}
	return out
}

func TestAClientThatHalfClosesIsNeverAServerFailure(t *testing.T) {
	srv := startServer(t)
	createBuckets(t, srv, "halfclose")
	client := rootS3(srv)
	ctx := context.Background()
	const rounds = 25
	statuses := map[int]int{}
	bodies := map[string][]byte{}
	for i := range rounds {
		statuses[halfClose(t, srv, signRaw(t, srv, "s3", http.MethodGet, "/halfclose?list-type=2", nil, nil, ""))]++
		key := fmt.Sprintf("put-%02d", i)
		bodies[key] = randomBytes(uint64(i), 256<<10)
		statuses[halfClose(t, srv, signRaw(t, srv, "s3", http.MethodPut, "/halfclose/"+key, nil, bodies[key], ""))]++

		mkey := fmt.Sprintf("mpu-%02d", i)
		up, err := client.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("halfclose"), Key: aws.String(mkey)})
		if err != nil {
			t.Fatal(err)
		}
		bodies[mkey] = randomBytes(uint64(1000+i), 64<<10)
		part, err := client.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("halfclose"), Key: aws.String(mkey), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: bytes.NewReader(bodies[mkey])})
		if err != nil {
			t.Fatal(err)
		}
		complete := fmt.Sprintf("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></CompleteMultipartUpload>", aws.ToString(part.ETag))
		statuses[halfClose(t, srv, signRaw(t, srv, "s3", http.MethodPost, "/halfclose/"+mkey+"?uploadId="+aws.ToString(up.UploadId), nil, []byte(complete), ""))]++
	}
	t.Logf("statuses the half-closed clients read: %v", statuses)
	for status := range statuses {
		if status >= 500 {
			t.Errorf("a half-closed client was answered %d", status)
		}
	}
	if lines := metricLines(t, srv, `inkan_http_requests_total{code="5`); len(lines) > 0 {
		t.Errorf("half-closed requests were counted as server failures: %v", lines)
	}
	if strings.Contains(srv.stderr.String(), "level=ERROR") {
		t.Errorf("half-closed requests logged errors:\n%s", srv.stderr.String())
	}
	// Whatever each operation committed, it committed whole: an object is absent or all
	// of what was sent; an upload not completed is still listed.
	listed := listObjects(t, client, "halfclose", "")
	uploads, err := client.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("halfclose")})
	if err != nil {
		t.Fatal(err)
	}
	pending := map[string]bool{}
	for _, u := range uploads.Uploads {
		pending[aws.ToString(u.Key)] = true
	}
	for key, want := range bodies {
		if _, ok := listed[key]; !ok {
			if strings.HasPrefix(key, "mpu-") && !pending[key] {
				t.Errorf("%s: neither completed nor pending", key)
			}
			continue
		}
		wantObject(t, client, key, want)
	}
	t.Logf("%d of %d objects committed, %d uploads pending", len(listed), len(bodies), len(pending))
}

func wantObject(t *testing.T, client *s3.Client, key string, want []byte) {
	t.Helper()
	obj, err := client.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("halfclose"), Key: aws.String(key),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil {
		t.Fatalf("GetObject %s: %v", key, err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, want) {
		t.Errorf("%s holds %d bytes that differ from the %d sent", key, len(got), len(want))
	}
}
