//go:build inkan_testclock

package config

import "time"

// testClockVars lets a binary built with -tags inkan_testclock shift the lifecycle clock
// by INKAN_TEST_LIFECYCLE_CLOCK_OFFSET (a Go duration, such as 72h): the end-to-end
// tests run a real inkan serve whose worker lives days ahead, then SIGKILL it. Decision:
// a build tag rather than a documented setting, because a setting that expires objects
// early is a footgun on any production node, and a tag keeps it out of every release
// binary (`inkan serve` logs a warning when it is set).
func testClockVars(l *Lifecycle) map[string]func(string) error {
	return map[string]func(string) error{
		"INKAN_TEST_LIFECYCLE_CLOCK_OFFSET": func(v string) error {
			d, err := time.ParseDuration(v)
			l.TestClockOffset = d
			return err
		},
	}
}
