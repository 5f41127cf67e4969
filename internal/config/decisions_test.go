package config

import (
	"strings"
	"testing"
	"time"
)

func TestTheDecisionsSectionLoadsFromTheFileAndTheEnvironment(t *testing.T) {
	c := Default()
	if c.Decisions.S3Allows != "off" || c.Decisions.MaxRecords != 1_000_000 || time.Duration(c.Decisions.MaxAge) != 30*24*time.Hour {
		t.Fatalf("defaults: %+v", c.Decisions)
	}
	if err := c.LoadFile(writeFile(t, "decisions:\n  s3_allows: off\n  max_age: 72h\n  queue_size: 500\n")); err != nil {
		t.Fatal(err)
	}
	if c.Decisions.S3Allows != "off" || c.Decisions.QueueSize != 500 || time.Duration(c.Decisions.MaxAge) != 72*time.Hour {
		t.Fatalf("from the file: %+v", c.Decisions)
	}
	env := map[string]string{"INKAN_DECISIONS_S3_ALLOWS": "sampled", "INKAN_DECISIONS_S3_ALLOW_RATE": "0.25", "INKAN_DECISIONS_MAX_RECORDS": "42"}
	if err := c.ApplyEnv(func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Decisions.S3Allows != "sampled" || c.Decisions.S3AllowRate != 0.25 || c.Decisions.MaxRecords != 42 {
		t.Fatalf("from the environment: %+v", c.Decisions)
	}
}

func TestBadDecisionSettingsAreNamed(t *testing.T) {
	c := Default()
	c.Decisions = Decisions{MaxAge: -1, MaxRecords: -1, QueueSize: 0, S3Allows: "sampled", S3AllowRate: 2}
	err := c.Validate()
	for _, want := range []string{"decisions.max_age", "decisions.max_records", "decisions.queue_size", "decisions.s3_allow_rate"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want it to name %s", err, want)
		}
	}
	c.Decisions = defaultDecisions()
	c.Decisions.S3Allows = "some"
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "decisions.s3_allows") {
		t.Errorf("Validate = %v", err)
	}
}
