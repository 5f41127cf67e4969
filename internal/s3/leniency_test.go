package s3_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestACreateBucketConfigurationThatIsNotS3sSchemaIsMalformedXML(t *testing.T) {
	e := newEnv(t)
	deep := "<CreateBucketConfiguration>" + strings.Repeat("<a>", 100_000) + strings.Repeat("</a>", 100_000) + "</CreateBucketConfiguration>"
	cases := map[string]string{
		"100,000 nested unknown elements":    deep,
		"an unknown element":                 "<CreateBucketConfiguration><Colour>blue</Colour></CreateBucketConfiguration>",
		"an unknown element inside Location": "<CreateBucketConfiguration><Location><Name>x</Name><Floor>3</Floor></Location></CreateBucketConfiguration>",
		"nesting past the limit in a known element": "<CreateBucketConfiguration><LocationConstraint>" + strings.Repeat("<b>", 10) +
			strings.Repeat("</b>", 10) + "</LocationConstraint></CreateBucketConfiguration>",
		"a document that does not parse": "<CreateBucketConfiguration><LocationConstraint>",
	}
	i := 0
	for name, body := range cases {
		i++
		bucket := fmt.Sprintf("malformed-%d", i)
		status, code := sendBody(t, e, http.MethodPut, "/"+bucket, body)
		if status != 400 || code != "MalformedXML" {
			t.Errorf("%s: %d %s, want 400 MalformedXML", name, status, code)
		}
		if status, _ := send(t, e, http.MethodHead, "/"+bucket, nil); status != 404 {
			t.Errorf("%s: the bucket exists (HEAD %d)", name, status)
		}
	}
	// The schema's own elements still create a bucket.
	ok := `<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint></LocationConstraint></CreateBucketConfiguration>`
	if status, code := sendBody(t, e, http.MethodPut, "/well-formed", ok); status != 200 {
		t.Errorf("a valid configuration: %d %s", status, code)
	}
}

// sendBody is send with a body, signed with its SHA-256.
func sendBody(t *testing.T, e *env, method, path, body string) (int, string) {
	t.Helper()
	resp, err := e.server.Client().Do(signed(t, e, rootCredentials(), method, path, []byte(body), sha256Hex([]byte(body)), nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, errorCode(t, resp)
}

func TestAPutWithNeitherContentLengthNorTransferEncodingIs411(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	for _, path := range []string{"/data/unframed", "/data/part?partNumber=1&uploadId=x", "/another-bucket"} {
		req := signed(t, e, rootCredentials(), http.MethodPut, path, nil, emptySHA256, nil)
		conn, err := net.Dial("tcp", e.server.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		// Written by hand: Go's client always frames a PUT.
		fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\n", req.URL.RequestURI(), req.Host)
		for k, vs := range req.Header {
			for _, v := range vs {
				fmt.Fprintf(conn, "%s: %s\r\n", k, v)
			}
		}
		fmt.Fprint(conn, "\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		code := errorCode(t, resp)
		conn.Close()
		if resp.StatusCode != 411 || code != "MissingContentLength" {
			t.Errorf("PUT %s: %d %s, want 411 MissingContentLength", path, resp.StatusCode, code)
		}
	}
	if _, err := e.backend.HeadObject(e.ctx, "data", "unframed", ""); err == nil {
		t.Error("the unframed PUT stored an object")
	}
}
