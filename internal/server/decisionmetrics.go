package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// decisionLogMetrics measure the writer of the decision log in the store.
type decisionLogMetrics struct {
	queued      prometheus.Gauge
	written     prometheus.Counter
	dropped     prometheus.Counter
	writeErrors prometheus.Counter
	latency     prometheus.Histogram
}

func newDecisionLogMetrics(reg *prometheus.Registry) *decisionLogMetrics {
	d := &decisionLogMetrics{
		queued: prometheus.NewGauge(prometheus.GaugeOpts{Name: "inkan_decisions_queued",
			Help: "Decision records waiting on this node to be written to the store."}),
		written: prometheus.NewCounter(prometheus.CounterOpts{Name: "inkan_decisions_written_total",
			Help: "Decision records written to the store."}),
		dropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "inkan_decisions_dropped_total",
			Help: "Decision records that never reached the store (queue full, unstorable, or lost at shutdown); the audit file still has them."}),
		writeErrors: prometheus.NewCounter(prometheus.CounterOpts{Name: "inkan_decision_write_errors_total",
			Help: "Failed batch writes of decision records (retried)."}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "inkan_decision_write_duration_seconds",
			Help: "Latency of one batch write of decision records.", Buckets: prometheus.ExponentialBuckets(0.0005, 2.5, 12)}),
	}
	reg.MustRegister(d.queued, d.written, d.dropped, d.writeErrors, d.latency)
	return d
}

// DecisionsQueued sets the queue gauge; with DecisionsWritten and DecisionsDropped it
// makes *Metrics a decisionlog.Observer.
func (m *Metrics) DecisionsQueued(n int) { m.decisionLog.queued.Set(float64(n)) }

// DecisionsWritten observes one batch write.
func (m *Metrics) DecisionsWritten(n int, took time.Duration, err error) {
	m.decisionLog.latency.Observe(took.Seconds())
	if err != nil {
		m.decisionLog.writeErrors.Inc()
		return
	}
	m.decisionLog.written.Add(float64(n))
}

// DecisionsDropped counts records that will never reach the store.
func (m *Metrics) DecisionsDropped(n int) { m.decisionLog.dropped.Add(float64(n)) }
