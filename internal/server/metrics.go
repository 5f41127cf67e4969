package server

import (
	"net/http"
	"time"

	"github.com/inkan-dev/inkan/internal/oidc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds inkan's Prometheus collectors on a registry of its own (no global state).
type Metrics struct {
	reg        *prometheus.Registry
	requests   *prometheus.CounterVec
	latency    *prometheus.HistogramVec
	decisions  *prometheus.CounterVec
	jwks       *prometheus.CounterVec
	keyLookups *prometheus.CounterVec
	full       *prometheus.CounterVec
	upstream   upstreamMetrics
	store      storeGauges

	decisionLog *decisionLogMetrics
	hour        lastHour
	lifecycle   *lifecycleMetrics
}

// NewMetrics registers inkan's collectors and the Go and process collectors.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "inkan_http_requests_total",
			Help: "HTTP requests by service (query, s3, idp, admin, internal) and status code; code \"canceled\" counts requests the client abandoned."}, []string{"service", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "inkan_http_request_duration_seconds",
			Help: "HTTP request latency by service.", Buckets: prometheus.ExponentialBuckets(0.0001, 2.5, 14)}, []string{"service"}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "inkan_decisions_total",
			Help: "Authorization decisions by action and outcome (allow, deny, error)."}, []string{"action", "outcome"}),
		jwks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "inkan_oidc_fetches_total",
			Help: "Issuer discovery and JWKS fetches by issuer, resource and result (ok, error)."}, []string{"issuer", "resource", "result"}),
		keyLookups: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "inkan_oidc_key_lookups_total",
			Help: "Issuer key cache lookups by issuer and outcome."}, []string{"issuer", "outcome"}),
	}
	m.full = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "inkan_storage_full_total",
		Help: "S3 requests refused with 503 because the object store had no room left, by operation."}, []string{"op"})
	m.store = newStoreGauges(m.reg)
	m.reg.MustRegister(m.requests, m.latency, m.decisions, m.jwks, m.keyLookups, m.full,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.decisionLog = newDecisionLogMetrics(m.reg)
	m.lifecycle = newLifecycleMetrics(m.reg)
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

func (m *Metrics) observeRequest(service, code string, d time.Duration) {
	m.requests.WithLabelValues(service, code).Inc()
	m.latency.WithLabelValues(service).Observe(d.Seconds())
}

// Decision counts one decision; it makes *Metrics an iam.Observer.
func (m *Metrics) Decision(action, outcome string) {
	m.decisions.WithLabelValues(action, outcome).Inc()
	m.hour.add(time.Now(), action, outcome)
}

// Fetched counts one issuer discovery or key fetch; with Lookup it makes *Metrics an
// oidc.Observer.
func (m *Metrics) Fetched(issuer string, r oidc.Resource, err error, _ time.Duration) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.jwks.WithLabelValues(issuer, string(r), result).Inc()
}

// Lookup counts one key-cache lookup by outcome (hit, stale, fetched, throttled, unavailable).
func (m *Metrics) Lookup(issuer string, o oidc.CacheOutcome) {
	m.keyLookups.WithLabelValues(issuer, string(o)).Inc()
}

// StorageFull counts one request refused for want of space; it makes *Metrics an
// s3.Observer.
func (m *Metrics) StorageFull(op string) {
	m.full.WithLabelValues(op).Inc()
}
