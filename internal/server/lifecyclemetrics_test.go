package server

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/inkan-dev/inkan/internal/lifecycle"
)

func TestLifecyclePassesAreCountedByResultAndTheirWork(t *testing.T) {
	m := NewMetrics()
	start := time.Unix(1_800_000_000, 0)
	m.LifecyclePass(lifecycle.Stats{Complete: true, Examined: 10, Expired: 3, Aborted: 1, Changed: 2}, start, 1500*time.Millisecond)
	m.LifecyclePass(lifecycle.Stats{Examined: 5, Expired: 5}, start.Add(time.Hour), 2*time.Second)
	m.LifecyclePass(lifecycle.Stats{Skipped: true}, start.Add(2*time.Hour), 0)
	m.LifecyclePass(lifecycle.Stats{Errors: 1}, start.Add(3*time.Hour), time.Second)
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	body := rec.Body.String()
	for _, want := range []string{
		`inkan_lifecycle_passes_total{result="complete"} 1`,
		`inkan_lifecycle_passes_total{result="partial"} 1`,
		`inkan_lifecycle_passes_total{result="skipped"} 1`,
		`inkan_lifecycle_passes_total{result="error"} 1`,
		"inkan_lifecycle_examined_total 15",
		"inkan_lifecycle_objects_expired_total 8",
		"inkan_lifecycle_uploads_aborted_total 1",
		"inkan_lifecycle_changed_total 2",
		"inkan_lifecycle_errors_total 1",
		"inkan_lifecycle_last_pass_timestamp_seconds 1.8000108e+09",
		"inkan_lifecycle_last_pass_duration_seconds 1",
	} {
		if !strings.Contains(body, want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
