//go:build inkan_testclock

package config

import (
	"testing"
	"time"
)

func TestATestClockBuildShiftsTheLifecycleClockFromTheEnvironment(t *testing.T) {
	c := Default()
	env := map[string]string{"INKAN_TEST_LIFECYCLE_CLOCK_OFFSET": "72h"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Lifecycle.TestClockOffset != 72*time.Hour {
		t.Fatalf("offset %v", c.Lifecycle.TestClockOffset)
	}
}
