//go:build !inkan_testclock

package config

import "testing"

func TestAReleaseBuildCannotShiftTheLifecycleClock(t *testing.T) {
	c := Default()
	env := map[string]string{"INKAN_TEST_LIFECYCLE_CLOCK_OFFSET": "72h"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if c.Lifecycle.TestClockOffset != 0 {
		t.Fatal("a release build let the environment shift the lifecycle clock")
	}
}
