package server

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// upstreamMetrics describe the upstream S3 backend's requests. They are registered on the
// first upstream request, so a server on the local backend exports none of them.
type upstreamMetrics struct {
	once     sync.Once
	up       prometheus.Gauge
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func (u *upstreamMetrics) register(reg *prometheus.Registry) {
	u.once.Do(func() {
		u.up = prometheus.NewGauge(prometheus.GaugeOpts{Name: "inkan_upstream_up",
			Help: "1 when the last upstream S3 request got an S3 answer, 0 when it failed or found the upstream unavailable."})
		u.requests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "inkan_upstream_requests_total",
			Help: "Upstream S3 requests by operation and outcome (ok, error: an S3 error the contract expects, unavailable, retried: failed as unavailable and sent again)."},
			[]string{"op", "outcome"})
		u.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "inkan_upstream_request_duration_seconds",
			Help: "Upstream S3 request latency until the response headers, by operation.", Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14)},
			[]string{"op"})
		reg.MustRegister(u.up, u.requests, u.latency)
	})
}

// UpstreamRequest counts one upstream S3 request; it makes *Metrics an upstream.Observer.
// Upstream health is reported here only, never through readiness: the upstream is shared
// by every node, and STS must keep serving while it is down.
func (m *Metrics) UpstreamRequest(op, outcome string, elapsed time.Duration) {
	u := &m.upstream
	u.register(m.reg)
	if outcome == "unavailable" || outcome == "retried" {
		u.up.Set(0)
	} else {
		u.up.Set(1)
	}
	u.requests.WithLabelValues(op, outcome).Inc()
	u.latency.WithLabelValues(op).Observe(elapsed.Seconds())
}
