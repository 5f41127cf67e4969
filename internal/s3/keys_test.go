package s3_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"testing"
)

// send sends a raw request signed with the root keys and returns its status and error code
// (empty for a body without one).
func send(t *testing.T, e *env, method, path string, header http.Header) (int, string) {
	t.Helper()
	resp, err := e.server.Client().Do(signed(t, e, rootCredentials(), method, path, nil, emptySHA256, header))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var doc struct{ Code string }
	xml.Unmarshal(body, &doc)
	return resp.StatusCode, doc.Code
}

func TestKeysThatAreNotValidUTF8OrHoldNULAreRefusedAsInvalidURI(t *testing.T) {
	e := newEnv(t)
	e.bucket("data")
	for _, key := range []string{"%FF", "a%FFb", "a%AE%8A-", "nul%00byte", "%00", "a%00b", "%C0%AF", "a%C0%AFb", "a%ED%A0%80b", "a%E2%82"} {
		for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
			if status, code := send(t, e, method, "/data/"+key, nil); status != 400 || code != "InvalidURI" {
				t.Errorf("%s /data/%s: %d %s, want 400 InvalidURI", method, key, status, code)
			}
		}
		// HEAD answers a bare 400.
		if status, code := send(t, e, http.MethodHead, "/data/"+key, nil); status != 400 || code != "" {
			t.Errorf("HEAD /data/%s: %d %q, want a bare 400", key, status, code)
		}
		for _, param := range []string{"prefix", "delimiter", "start-after"} {
			path := "/data?list-type=2&" + param + "=" + key
			if status, code := send(t, e, http.MethodGet, path, nil); status != 400 || code != "InvalidURI" {
				t.Errorf("GET %s: %d %s, want 400 InvalidURI", path, status, code)
			}
		}
		for _, path := range []string{"/data?marker=" + key, "/data?uploads&key-marker=" + key} {
			if status, code := send(t, e, http.MethodGet, path, nil); status != 400 || code != "InvalidURI" {
				t.Errorf("GET %s: %d %s, want 400 InvalidURI", path, status, code)
			}
		}
		copyFrom := http.Header{"X-Amz-Copy-Source": {"/data/" + key}}
		if status, code := send(t, e, http.MethodPut, "/data/copy", copyFrom); status != 400 || code != "InvalidArgument" {
			t.Errorf("copy from /data/%s: %d %s, want 400 InvalidArgument", key, status, code)
		}
	}
	// Valid UTF-8 of U+0080..U+00FF and control characters other than NUL are keys.
	for _, key := range []string{"%C2%AE", "tab%09and%01"} {
		if status, code := send(t, e, http.MethodPut, "/data/"+key, nil); status != 200 {
			t.Errorf("PUT /data/%s: %d %s, want 200", key, status, code)
		}
	}
}
