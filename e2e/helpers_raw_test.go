package e2e

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// rawRegion is the region raw requests are signed for; the servers of these tests accept any.
const rawRegion = "us-east-1"

// rawAnswer is what a server said to a raw request: its status, the error code of an S3 or
// query error document ("" without one), and the whole body.
type rawAnswer struct {
	status int
	code   string
	body   string
	header http.Header
}

// signRaw returns the bytes of an HTTP/1.1 request to srv signed with the root keys for
// service, whose body is body with payloadHash ("" = the hex SHA-256 of body). header is
// set before signing; the request line's target is target as given (raw, not re-escaped).
func signRaw(t testing.TB, srv *testServer, service, method, target string, header http.Header, body []byte, payloadHash string) []byte {
	t.Helper()
	req := rawRequest(t, srv, method, target, header, body)
	if payloadHash == "" {
		payloadHash = hashHex(body)
	}
	creds := sigv4.Credentials{AccessKeyID: rootAccessKeyID, SecretAccessKey: rootSecretKey}
	if err := sigv4.Sign(req, creds, rawRegion, service, payloadHash, time.Now()); err != nil {
		t.Fatal(err)
	}
	return wireBytes(t, req)
}

// rawRequest is an unsigned request to srv; target is kept byte for byte on the wire.
func rawRequest(t testing.TB, srv *testServer, method, target string, header http.Header, body []byte) *http.Request {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(method, srv.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	path, query, _ := strings.Cut(target, "?")
	req.URL = &url.URL{Scheme: u.Scheme, Host: u.Host, RawQuery: query}
	if p, err := url.PathUnescape(path); err == nil {
		req.URL.Path, req.URL.RawPath = p, path // signed and sent as given
	} else {
		req.URL.Opaque = path // not valid escaping: sent as given, signed as "/"
	}
	req.ContentLength = int64(len(body))
	if body == nil {
		req.Body = http.NoBody
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return req
}

// wireBytes serializes req as an HTTP/1.1 client would.
func wireBytes(t testing.TB, req *http.Request) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := req.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// exchange sends raw to srv on a new connection and reads one response; the connection is
// closed afterwards. A server that closes without answering yields status 0.
func exchange(t testing.TB, srv *testServer, raw []byte) rawAnswer {
	t.Helper()
	conn := dial(t, srv)
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	// A server may answer before it has read the whole body (a refusal: a full disk, a bad
	// signature) and stop reading; the write then fails, and the answer is still there to
	// read, as an SDK reads it.
	conn.Write(raw)
	return readAnswer(conn, raw)
}

func dial(t testing.TB, srv *testServer) net.Conn {
	t.Helper()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// readAnswer reads one response from conn to the request raw (HEAD answers have no body).
func readAnswer(conn net.Conn, raw []byte) rawAnswer {
	var req *http.Request
	if bytes.HasPrefix(raw, []byte("HEAD ")) {
		req = &http.Request{Method: http.MethodHead}
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return rawAnswer{}
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return rawAnswer{status: resp.StatusCode, code: codeOf(string(data)), body: string(data), header: resp.Header}
}

// codeOf is the <Code> of an S3 or query error document.
func codeOf(body string) string {
	_, rest, ok := strings.Cut(body, "<Code>")
	if !ok {
		return ""
	}
	code, _, _ := strings.Cut(rest, "</Code>")
	return code
}
