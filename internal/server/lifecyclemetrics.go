package server

import (
	"time"

	"github.com/inkan-dev/inkan/internal/lifecycle"
	"github.com/prometheus/client_golang/prometheus"
)

// lifecycleMetrics say what this node's lifecycle worker did (docs/operations.md).
type lifecycleMetrics struct {
	passes   *prometheus.CounterVec
	examined prometheus.Counter
	expired  prometheus.Counter
	aborted  prometheus.Counter
	changed  prometheus.Counter
	errors   prometheus.Counter
	last     prometheus.Gauge
	duration prometheus.Gauge
}

func newLifecycleMetrics(reg *prometheus.Registry) *lifecycleMetrics {
	counter := func(name, help string) prometheus.Counter {
		return prometheus.NewCounter(prometheus.CounterOpts{Name: name, Help: help})
	}
	m := &lifecycleMetrics{
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "inkan_lifecycle_passes_total",
			Help: "Lifecycle passes by result: complete, partial (stopped at its budget; the next goes on), skipped (another node held the lease), error."},
			[]string{"result"}),
		examined: counter("inkan_lifecycle_examined_total", "Objects and multipart uploads the lifecycle worker looked at."),
		expired:  counter("inkan_lifecycle_objects_expired_total", "Objects the lifecycle worker expired."),
		aborted:  counter("inkan_lifecycle_uploads_aborted_total", "Incomplete multipart uploads the lifecycle worker aborted."),
		changed: counter("inkan_lifecycle_changed_total",
			"Due objects and uploads left alone because they changed between listing and action (overwritten, deleted, completed)."),
		errors: counter("inkan_lifecycle_errors_total", "Lifecycle actions and passes that failed."),
		last: prometheus.NewGauge(prometheus.GaugeOpts{Name: "inkan_lifecycle_last_pass_timestamp_seconds",
			Help: "Unix time at which this node's last lifecycle pass (not skipped) started."}),
		duration: prometheus.NewGauge(prometheus.GaugeOpts{Name: "inkan_lifecycle_last_pass_duration_seconds",
			Help: "How long this node's last lifecycle pass (not skipped) took."}),
	}
	reg.MustRegister(m.passes, m.examined, m.expired, m.aborted, m.changed, m.errors, m.last, m.duration)
	return m
}

// LifecyclePass records one pass; it makes *Metrics a lifecycle.Observer.
func (m *Metrics) LifecyclePass(s lifecycle.Stats, start time.Time, took time.Duration) {
	l := m.lifecycle
	result := "partial"
	switch {
	case s.Skipped:
		l.passes.WithLabelValues("skipped").Inc()
		return
	case s.Errors > 0 && !s.Complete:
		result = "error"
	case s.Complete:
		result = "complete"
	}
	l.passes.WithLabelValues(result).Inc()
	l.examined.Add(float64(s.Examined))
	l.expired.Add(float64(s.Expired))
	l.aborted.Add(float64(s.Aborted))
	l.changed.Add(float64(s.Changed))
	l.errors.Add(float64(s.Errors))
	l.last.Set(float64(start.Unix()))
	l.duration.Set(took.Seconds())
}
