package server

import (
	"sync"
	"time"
)

// lastHour tallies this node's decisions by minute over the last hour, for the console's
// overview: Prometheus counters only grow, and "in the last hour" should not need a
// Prometheus server to answer.
type lastHour struct {
	mu      sync.Mutex
	minutes [60]minuteTally // indexed by minute of the epoch modulo 60
}

type minuteTally struct {
	minute                     int64 // minutes since the epoch; a stale slot holds an older one
	exchanges, denials, errors int
}

// isExchange reports the STS actions that trade credentials.
func isExchange(action string) bool {
	return action == "sts:AssumeRoleWithWebIdentity" || action == "sts:AssumeRole"
}

func (h *lastHour) add(now time.Time, action, outcome string) {
	m := now.Unix() / 60
	h.mu.Lock()
	defer h.mu.Unlock()
	t := &h.minutes[m%60]
	if t.minute != m {
		*t = minuteTally{minute: m}
	}
	if isExchange(action) {
		t.exchanges++
	}
	switch outcome {
	case "deny":
		t.denials++
	case "error":
		t.errors++
	}
}

// sum adds up the minutes of the hour ending at now.
func (h *lastHour) sum(now time.Time) (exchanges, denials, errors int) {
	m := now.Unix() / 60
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.minutes {
		if age := m - t.minute; age >= 0 && age < 60 {
			exchanges, denials, errors = exchanges+t.exchanges, denials+t.denials, errors+t.errors
		}
	}
	return exchanges, denials, errors
}

// DecisionsLastHour returns the exchanges (AssumeRoleWithWebIdentity and AssumeRole, any
// outcome), denials and errors this node decided in the last 60 minutes (to the minute).
func (m *Metrics) DecisionsLastHour() (exchanges, denials, errors int) {
	return m.hour.sum(time.Now())
}
