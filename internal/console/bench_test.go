package console

import (
	"net/http"
	"testing"
	"time"
)

// BenchmarkDecisionsPage measures the server time of the Decisions page over 100,000
// recorded decisions: the first page, a later page, and each filter. Run it with
//
//	go test ./internal/console -run '^$' -bench DecisionsPage -benchtime 200x
func BenchmarkDecisionsPage(b *testing.B) {
	f := newFixture(b)
	fill(b, f.st, 100_000, time.Now())
	f.signIn(b, testSecret)
	for _, q := range []struct{ name, query string }{
		{"first page", ""},
		{"page 100", "?before=95000"},
		{"outcome", "?outcome=deny"},
		{"service", "?service=s3"},
		{"role", "?role=role-7"},
		{"subject", "?subject=repo:acme/app-42:ref:refs/heads/main"},
		{"source address", "?source_ip=10.0.0.9"},
		{"request id", "?request_id=REQ-0012345"},
		{"time range", "?since=2h&until=1h"},
		{"no match", "?role=nobody&outcome=deny"},
		{"every filter", "?outcome=deny&service=sts&role=role-4&source_ip=10.0.0.4&since=7d"},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				if w := f.do(http.MethodGet, "/console/decisions"+q.query, nil); w.Code != http.StatusOK {
					b.Fatalf("%s: %d\n%s", q.query, w.Code, w.Body)
				}
			}
		})
	}
}
