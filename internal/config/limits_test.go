package config

import (
	"strings"
	"testing"
	"time"
)

func TestTheLimitsLoadFromTheFileAndTheEnvironment(t *testing.T) {
	c := Default()
	if time.Duration(c.Limits.BodyIdleTimeout) != 30*time.Second || c.Limits.MaxRequestsPerClient != 256 {
		t.Fatalf("defaults: %+v", c.Limits)
	}
	if err := c.LoadFile(writeFile(t, "limits:\n  body_idle_timeout: 45s\n  max_requests_per_client: 64\n")); err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Limits.BodyIdleTimeout) != 45*time.Second || c.Limits.MaxRequestsPerClient != 64 {
		t.Fatalf("from the file: %+v", c.Limits)
	}
	env := map[string]string{"INKAN_BODY_IDLE_TIMEOUT": "2m", "INKAN_MAX_REQUESTS_PER_CLIENT": "0"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if time.Duration(c.Limits.BodyIdleTimeout) != 2*time.Minute || c.Limits.MaxRequestsPerClient != 0 {
		t.Fatalf("from the environment: %+v", c.Limits)
	}
}

func TestBadLimitsAreNamed(t *testing.T) {
	for _, l := range []Limits{{BodyIdleTimeout: Duration(-time.Second)}, {BodyIdleTimeout: Duration(time.Millisecond)}, {MaxRequestsPerClient: -1}} {
		c := Default()
		c.Limits = l
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "limits.") {
			t.Errorf("Validate(%+v) = %v, want it to name the limit", l, err)
		}
	}
}
