package server

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// storeGauges say how this node sees the shared store: whether its last call reached it,
// and how old the node's configuration snapshot may be.
type storeGauges struct {
	up  prometheus.Gauge
	age prometheus.Gauge
}

func newStoreGauges(reg *prometheus.Registry) storeGauges {
	g := storeGauges{
		up: prometheus.NewGauge(prometheus.GaugeOpts{Name: "inkan_store_up",
			Help: "1 when this node's last configuration check reached the store, 0 while it cannot."}),
		age: prometheus.NewGauge(prometheus.GaugeOpts{Name: "inkan_snapshot_age_seconds",
			Help: "Seconds since this node last confirmed that its configuration snapshot is current."}),
	}
	reg.MustRegister(g.up, g.age)
	return g
}

// StoreChecked records the outcome of one check of the store: whether it answered, and how
// long ago the snapshot was last confirmed current. With StoreChecked, *Metrics is what the
// refresh loop reports to.
func (m *Metrics) StoreChecked(up bool, snapshotAge time.Duration) {
	v := 0.0
	if up {
		v = 1
	}
	m.store.up.Set(v)
	m.store.age.Set(snapshotAge.Seconds())
}
