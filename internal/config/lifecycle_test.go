package config

import (
	"strings"
	"testing"
	"time"
)

func TestTheLifecycleSettingsLoadFromTheFileAndTheEnvironment(t *testing.T) {
	c := Default()
	if c.Lifecycle.Worker != "on" || time.Duration(c.Lifecycle.Interval) != time.Hour || c.Lifecycle.BatchSize != 100 {
		t.Fatalf("defaults: %+v", c.Lifecycle)
	}
	if err := c.LoadFile(writeFile(t, "lifecycle:\n  interval: 10m\n  max_examined: 500\n  max_actions: 50\n  batch_size: 5\n  batch_pause: 100ms\n  lease_ttl: 1m\n")); err != nil {
		t.Fatal(err)
	}
	l := c.Lifecycle
	if time.Duration(l.Interval) != 10*time.Minute || l.MaxExamined != 500 || l.MaxActions != 50 || l.BatchSize != 5 ||
		time.Duration(l.BatchPause) != 100*time.Millisecond || time.Duration(l.LeaseTTL) != time.Minute {
		t.Fatalf("from the file: %+v", l)
	}
	env := map[string]string{"INKAN_LIFECYCLE_WORKER": "off", "INKAN_LIFECYCLE_INTERVAL": "2h", "INKAN_LIFECYCLE_MAX_ACTIONS": "7",
		"INKAN_LIFECYCLE_LEASE_TTL": "30s"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if l := c.Lifecycle; l.Worker != "off" || time.Duration(l.Interval) != 2*time.Hour || l.MaxActions != 7 || time.Duration(l.LeaseTTL) != 30*time.Second {
		t.Fatalf("from the environment: %+v", l)
	}
	fresh := Default()
	if err := fresh.LoadFile(writeFile(t, "lifecycle:\n  test_clock_offset: 72h\n")); err == nil {
		t.Fatal("the file can shift the lifecycle clock")
	}
}

func TestBadLifecycleSettingsAreNamed(t *testing.T) {
	for _, bad := range []func(*Lifecycle){
		func(l *Lifecycle) { l.Worker = "yes" },
		func(l *Lifecycle) { l.Interval = Duration(time.Millisecond) },
		func(l *Lifecycle) { l.MaxExamined = 0 },
		func(l *Lifecycle) { l.MaxActions = -1 },
		func(l *Lifecycle) { l.BatchSize = 0 },
		func(l *Lifecycle) { l.BatchPause = Duration(-time.Second) },
		func(l *Lifecycle) { l.LeaseTTL = 0 },
	} {
		c := Default()
		bad(&c.Lifecycle)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "lifecycle.") {
			t.Errorf("Validate(%+v) = %v, want it to name the setting", c.Lifecycle, err)
		}
	}
}
