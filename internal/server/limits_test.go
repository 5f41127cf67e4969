package server

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// refuser answers 403 without reading the body, as every refused upload does.
type refuser struct{}

func (refuser) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	http.Error(w, "AccessDenied", http.StatusForbidden)
}

// TestARefusedUploadThatExpectedAContinueIsAnsweredNotReset sends what Go's http.Transport
// sends with its default ExpectContinueTimeout of zero: "Expect: 100-continue" and then
// the body at once. Without the linger the connection was closed with the body unread and
// the client saw "connection reset by peer" instead of the refusal, most of the time.
func TestARefusedUploadThatExpectedAContinueIsAnsweredNotReset(t *testing.T) {
	ts := httptest.NewServer(New(Options{S3: refuser{}}))
	defer ts.Close()
	body := bytes.Repeat([]byte{'x'}, 6<<20)
	for i := range 20 {
		req, err := http.NewRequest(http.MethodPut, ts.URL+"/b/k", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Expect", "100-continue")
		client := &http.Client{Transport: &http.Transport{}}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("attempt %d: %v (want the 403)", i, err)
		}
		resp.Body.Close()
		client.CloseIdleConnections()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("attempt %d answered %d, want 403", i, resp.StatusCode)
		}
	}
}
