package server

import (
	"testing"
	"time"
)

// The last hour's tally counts what fell in the 60 minutes before now and forgets older
// minutes, including those whose slot a newer minute has not reused yet.
func TestTheLastHourCountsSixtyMinutes(t *testing.T) {
	var h lastHour
	start := time.Date(2026, 12, 3, 10, 0, 30, 0, time.UTC)
	h.add(start, "sts:AssumeRoleWithWebIdentity", "allow")
	h.add(start, "sts:AssumeRoleWithWebIdentity", "deny")
	h.add(start.Add(10*time.Minute), "s3:GetObject", "deny")
	h.add(start.Add(20*time.Minute), "sts:AssumeRole", "error")
	for _, c := range []struct {
		at                         time.Duration
		exchanges, denials, errors int
	}{
		{0, 2, 1, 0},
		{30 * time.Minute, 3, 2, 1},
		{59 * time.Minute, 3, 2, 1},
		{60 * time.Minute, 1, 1, 1},  // the first minute has left the hour
		{75 * time.Minute, 1, 0, 1},  // so has the tenth
		{125 * time.Minute, 0, 0, 0}, // every slot is stale
	} {
		e, d, errs := h.sum(start.Add(c.at))
		if e != c.exchanges || d != c.denials || errs != c.errors {
			t.Errorf("after %s: %d exchanges, %d denials, %d errors; want %d, %d, %d", c.at, e, d, errs, c.exchanges, c.denials, c.errors)
		}
	}
	h.add(start.Add(120*time.Minute), "s3:PutObject", "deny") // reuses the first minute's slot
	if e, d, _ := h.sum(start.Add(120 * time.Minute)); e != 0 || d != 1 {
		t.Errorf("a reused slot: %d exchanges, %d denials; want 0, 1", e, d)
	}
}
