package config

import (
	"fmt"
	"maps"
	"strconv"
	"time"
)

// Lifecycle tunes the background worker that executes S3 lifecycle configurations
// (docs/operations.md). Every node runs it; a lease in the store lets one node of a
// cluster run a pass at a time.
type Lifecycle struct {
	// Worker is "on" (the default) or "off": with off, configurations are stored and
	// answered but nothing expires on this node.
	Worker string `yaml:"worker"`
	// Interval is the time between the starts of two passes.
	Interval Duration `yaml:"interval"`
	// MaxExamined bounds the objects and uploads one pass looks at, MaxActions the
	// deletions and aborts it makes; the next pass continues where one stopped.
	MaxExamined int `yaml:"max_examined"`
	MaxActions  int `yaml:"max_actions"`
	// BatchSize actions are made between pauses of BatchPause.
	BatchSize  int      `yaml:"batch_size"`
	BatchPause Duration `yaml:"batch_pause"`
	// LeaseTTL is how long a node that stops renewing its lease (it died) keeps the others
	// from running a pass.
	LeaseTTL Duration `yaml:"lease_ttl"`
	// TestClockOffset shifts the lifecycle clock. Only a binary built with the
	// inkan_testclock tag can set it (INKAN_TEST_LIFECYCLE_CLOCK_OFFSET), for end-to-end
	// tests of expiry by days; a release binary has no way to set it (testclock_off.go).
	TestClockOffset time.Duration `yaml:"-"`
}

func defaultLifecycle() Lifecycle {
	return Lifecycle{Worker: "on", Interval: Duration(time.Hour), MaxExamined: 100_000, MaxActions: 10_000,
		BatchSize: 100, BatchPause: Duration(time.Second), LeaseTTL: Duration(5 * time.Minute)}
}

// envVars maps the INKAN_LIFECYCLE_* variables to their settings.
func (l *Lifecycle) envVars() map[string]func(string) error {
	integer := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			*p = n
			return err
		}
	}
	dur := func(p *Duration) func(string) error {
		return func(v string) error {
			d, err := time.ParseDuration(v)
			*p = Duration(d)
			return err
		}
	}
	vars := map[string]func(string) error{
		"INKAN_LIFECYCLE_WORKER":       func(v string) error { l.Worker = v; return nil },
		"INKAN_LIFECYCLE_INTERVAL":     dur(&l.Interval),
		"INKAN_LIFECYCLE_MAX_EXAMINED": integer(&l.MaxExamined),
		"INKAN_LIFECYCLE_MAX_ACTIONS":  integer(&l.MaxActions),
		"INKAN_LIFECYCLE_BATCH_SIZE":   integer(&l.BatchSize),
		"INKAN_LIFECYCLE_BATCH_PAUSE":  dur(&l.BatchPause),
		"INKAN_LIFECYCLE_LEASE_TTL":    dur(&l.LeaseTTL),
	}
	maps.Copy(vars, testClockVars(l))
	return vars
}

// validate reports each bad field by its name in the file.
func (l *Lifecycle) validate() []error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("lifecycle.%s: %s", field, fmt.Sprintf(format, a...)))
	}
	if l.Worker != "on" && l.Worker != "off" {
		bad("worker", "%q must be on or off", l.Worker)
	}
	if time.Duration(l.Interval) < time.Second {
		bad("interval", "%v must be at least 1s", l.Interval)
	}
	for _, f := range []struct {
		name string
		v    int
	}{{"max_examined", l.MaxExamined}, {"max_actions", l.MaxActions}, {"batch_size", l.BatchSize}} {
		if f.v < 1 {
			bad(f.name, "%d must be at least 1", f.v)
		}
	}
	if l.BatchPause < 0 {
		bad("batch_pause", "%v must not be negative", l.BatchPause)
	}
	if time.Duration(l.LeaseTTL) < time.Second {
		bad("lease_ttl", "%v must be at least 1s", l.LeaseTTL)
	}
	return errs
}
