package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// paced yields data in steps of step bytes every interval: a slow but steady client.
type paced struct {
	data     []byte
	step     int
	interval time.Duration
	started  bool
}

func (p *paced) Read(b []byte) (int, error) {
	if len(p.data) == 0 {
		return 0, io.EOF
	}
	if p.started {
		time.Sleep(p.interval)
	}
	p.started = true
	n := copy(b[:min(len(b), p.step)], p.data)
	p.data = p.data[n:]
	return n, nil
}

// stalledPut opens a connection that sends a signed PutObject's headers and the first
// bytes of its body, then nothing: the server waits for the rest.
func stalledPut(t *testing.T, srv *testServer, key string) net.Conn {
	t.Helper()
	body := randomBytes(7, 4096)
	raw := signRaw(t, srv, "s3", http.MethodPut, "/limits/"+key, nil, body, "UNSIGNED-PAYLOAD")
	conn := dial(t, srv)
	if _, err := conn.Write(raw[:len(raw)-len(body)+10]); err != nil {
		t.Fatal(err)
	}
	return conn
}

// trickleUntil writes a byte to conn every 300 ms until stop is closed: a body that is
// slow, but never silent for a second.
func trickleUntil(conn net.Conn, stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		case <-time.After(300 * time.Millisecond):
			conn.Write([]byte{'x'})
		}
	}
}

func TestASlowButSteadyUploadCompletesAndAStalledBodyIsEndedWithRequestTimeout(t *testing.T) {
	srv := startServer(t, "--body-idle-timeout", "1s")
	createBuckets(t, srv, "limits")
	// 640 KiB at 64 KiB every 400 ms: four seconds, four times the idle timeout.
	data := randomBytes(3, 640<<10)
	body := &paced{data: data, step: 64 << 10, interval: 400 * time.Millisecond}
	if err := <-sendSigned(t, srv, http.MethodPut, "/limits/steady", "", body, int64(len(data)), "UNSIGNED-PAYLOAD"); err != nil {
		t.Fatalf("the slow steady upload failed: %v", err)
	}
	obj, err := rootS3(srv).GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("limits"), Key: aws.String("steady")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !bytes.Equal(got, data) {
		t.Fatalf("the steady upload stored %d bytes that differ from the %d sent", len(got), len(data))
	}

	conn := stalledPut(t, srv, "stalled")
	defer conn.Close()
	start := time.Now()
	conn.SetDeadline(time.Now().Add(15 * time.Second))
	ans := readAnswer(conn, nil)
	if ans.status != 400 || ans.code != "RequestTimeout" {
		t.Fatalf("a stalled body: %d %q, want 400 RequestTimeout\n%s", ans.status, ans.code, ans.body)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the stalled body was ended after %v, want about the 1s idle timeout", d)
	}
	if objects := bucketObjects(t, srv, "limits", ""); len(objects) != 1 {
		t.Errorf("after the stalled upload the bucket holds %v", objects)
	}
	if strings.Contains(srv.stderr.String(), "level=ERROR") {
		t.Errorf("a stalled client logged an error:\n%s", srv.stderr.String())
	}
}

func TestOneClientAddressMayHaveOnlySoManyRequestsInFlight(t *testing.T) {
	srv := startServer(t, "--max-requests-per-client", "4", "--body-idle-timeout", "2s")
	createBuckets(t, srv, "limits")
	// Four uploads trickle a byte every 300 ms, well within the idle timeout, until the
	// checks are done: they hold their slots however slowly this machine runs.
	var held []net.Conn
	stop := make(chan struct{})
	var trickling sync.WaitGroup
	for i := range 4 {
		c := stalledPut(t, srv, fmt.Sprintf("held-%d", i))
		held = append(held, c)
		trickling.Add(1)
		go func() { defer trickling.Done(); trickleUntil(c, stop) }()
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// The slots are taken once the server reads the requests' headers; a probe sent before
	// the last of them arrives would take its slot, so give them a second.
	time.Sleep(time.Second)
	var ans rawAnswer
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		ans = exchange(t, srv, signRaw(t, srv, "s3", http.MethodGet, "/limits?list-type=2", nil, nil, ""))
		if ans.status == 503 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if ans.status != 503 || ans.code != "SlowDown" || ans.header.Get("Retry-After") == "" {
		t.Fatalf("a fifth request: %d %q (Retry-After %q), want 503 SlowDown\n%s", ans.status, ans.code, ans.header.Get("Retry-After"), ans.body)
	}
	sts := exchange(t, srv, signRaw(t, srv, "sts", http.MethodPost, "/", http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
		[]byte("Action=GetCallerIdentity&Version=2011-06-15"), ""))
	if sts.status != 400 || sts.code != "Throttling" {
		t.Errorf("an STS call over the cap: %d %q, want 400 Throttling", sts.status, sts.code)
	}
	if code, _ := get(t, http.DefaultClient, srv.URL+"/healthz"); code != 200 {
		t.Errorf("/healthz over the cap: %d", code)
	}
	// Once they stop, the idle timeout ends the held bodies and the slots come back.
	close(stop)
	trickling.Wait()
	var wg sync.WaitGroup
	for _, c := range held {
		wg.Add(1)
		go func() { defer wg.Done(); c.SetDeadline(time.Now().Add(15 * time.Second)); readAnswer(c, nil) }()
	}
	wg.Wait()
	if ans := exchange(t, srv, signRaw(t, srv, "s3", http.MethodGet, "/limits?list-type=2", nil, nil, "")); ans.status != 200 {
		t.Fatalf("after the held requests ended: %d %s", ans.status, ans.body)
	}
}

func TestARefusedRequestWhoseBodyTricklesIsAnsweredWithinTheIdleTimeout(t *testing.T) {
	srv := startServer(t, "--body-idle-timeout", "1s")
	createBuckets(t, srv, "limits")
	// A PUT whose signature is wrong is refused without its body being read; net/http then
	// drains the body before answering, which must not wait on a client that trickles.
	body := randomBytes(9, 4096)
	raw := signRaw(t, srv, "s3", http.MethodPut, "/limits/refused", nil, body, "UNSIGNED-PAYLOAD")
	raw = bytes.Replace(raw, []byte("Signature="), []byte("Signature=0"), 1)
	conn := dial(t, srv)
	defer conn.Close()
	conn.Write(raw[:len(raw)-len(body)+10])
	stop := make(chan struct{})
	defer close(stop)
	go trickleUntil(conn, stop)
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	ans := readAnswer(conn, nil)
	if ans.status != 403 || ans.code != "SignatureDoesNotMatch" {
		t.Fatalf("a refused trickling PUT: %d %q, want 403 SignatureDoesNotMatch", ans.status, ans.code)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the refusal came after %v, want about the 1s idle timeout", d)
	}
}
