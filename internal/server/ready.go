package server

import (
	"encoding/xml"
	"net/http"

	"github.com/inkan-dev/inkan/internal/awsquery"
	"github.com/inkan-dev/inkan/internal/reqid"
)

// Health and readiness, for load balancers and supervisors:
//
//   - GET /healthz answers 200 while the process serves HTTP at all (restart it otherwise).
//   - GET /readyz answers 200 once the node holds a configuration snapshot, and 503 before
//     (send it no traffic). It never reflects the health of the shared store: with the
//     database down, every node that has a snapshot stays ready and serves from it, or a
//     balancer would drop them all at once.
//
// A Server always holds a snapshot (it is built from one), so it is always ready; Starting
// is what a node serves before it has one.

// unavailableMessage tells a caller of a node still starting to try again.
const unavailableMessage = "The service is starting and cannot handle requests yet. Try again."

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write([]byte(text))
}

func healthz(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ok\n") }

func readyz(w http.ResponseWriter, _ *http.Request) { writeText(w, http.StatusOK, "ready\n") }

// Starting returns the handler of a node that has no configuration snapshot yet (its store
// was unreachable at start): /healthz 200, /readyz 503, and every other request a
// retryable ServiceUnavailable (503, Retry-After: 1) in its own protocol, query-protocol
// XML or S3's error document, so that SDKs and the AWS CLI retry it.
func Starting() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusServiceUnavailable, "starting: no configuration snapshot yet\n")
	})
	mux.HandleFunc("/", serveUnavailable)
	return mux
}

func serveUnavailable(w http.ResponseWriter, r *http.Request) {
	id := reqid.New()
	w.Header().Set("x-amz-request-id", id)
	w.Header().Set("x-amzn-RequestId", id)
	w.Header().Set("Retry-After", "1")
	if awsquery.IsQuery(r) {
		awsquery.WriteError(w, "https://sts.amazonaws.com/doc/2011-06-15/", &awsquery.Error{Code: "ServiceUnavailable",
			Message: unavailableMessage, Status: http.StatusServiceUnavailable, Receiver: true}, id)
		return
	}
	// S3's error document (package s3 owns the full catalogue; this is its 503).
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method == http.MethodHead {
		return
	}
	body, _ := xml.Marshal(struct {
		XMLName   xml.Name `xml:"Error"`
		Code      string
		Message   string
		RequestID string `xml:"RequestId"`
	}{Code: "ServiceUnavailable", Message: unavailableMessage, RequestID: id})
	w.Write([]byte(xml.Header))
	w.Write(body)
}
