package config

import (
	"fmt"
	"strconv"
	"time"
)

// Decisions tunes the decision log kept in the store, which lets any node explain a
// decision made on another (docs/operations.md). The audit file is sized by Audit.
type Decisions struct {
	// MaxAge removes records older than this; 0 keeps them whatever their age.
	MaxAge Duration `yaml:"max_age"`
	// MaxRecords keeps at most this many records; 0 = no limit.
	MaxRecords int `yaml:"max_records"`
	// QueueSize bounds the records waiting to be written on one node; beyond it they are
	// dropped and counted (inkan_decisions_dropped_total).
	QueueSize int `yaml:"queue_size"`
	// S3Allows says which allowed S3 requests are recorded: "off", "sampled" (a
	// S3AllowRate share of them) or "all". STS and IAM decisions and S3 denials always are.
	S3Allows string `yaml:"s3_allows"`
	// S3AllowRate is the share of allowed S3 requests recorded with "sampled", in (0, 1].
	S3AllowRate float64 `yaml:"s3_allow_rate"`
}

func defaultDecisions() Decisions {
	return Decisions{MaxAge: Duration(30 * 24 * time.Hour), MaxRecords: 1_000_000, QueueSize: 10_000, S3Allows: "off", S3AllowRate: 0.01}
}

// envVars maps the INKAN_DECISIONS_* variables to their settings.
func (d *Decisions) envVars() map[string]func(string) error {
	integer := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.Atoi(v)
			*p = n
			return err
		}
	}
	return map[string]func(string) error{
		"INKAN_DECISIONS_MAX_AGE": func(v string) error {
			t, err := time.ParseDuration(v)
			d.MaxAge = Duration(t)
			return err
		},
		"INKAN_DECISIONS_MAX_RECORDS": integer(&d.MaxRecords),
		"INKAN_DECISIONS_QUEUE_SIZE":  integer(&d.QueueSize),
		"INKAN_DECISIONS_S3_ALLOWS":   func(v string) error { d.S3Allows = v; return nil },
		"INKAN_DECISIONS_S3_ALLOW_RATE": func(v string) error {
			r, err := strconv.ParseFloat(v, 64)
			d.S3AllowRate = r
			return err
		},
	}
}

// validate reports each bad field by its name in the file.
func (d *Decisions) validate() []error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("decisions.%s: %s", field, fmt.Sprintf(format, a...)))
	}
	if d.MaxAge < 0 {
		bad("max_age", "%v must not be negative", d.MaxAge)
	}
	if d.MaxRecords < 0 {
		bad("max_records", "%d must not be negative", d.MaxRecords)
	}
	if d.QueueSize < 1 {
		bad("queue_size", "%d must be at least 1", d.QueueSize)
	}
	switch d.S3Allows {
	case "off", "all":
	case "sampled":
		if !(d.S3AllowRate > 0 && d.S3AllowRate <= 1) {
			bad("s3_allow_rate", "%v must be in (0, 1] with s3_allows: sampled", d.S3AllowRate)
		}
	default:
		bad("s3_allows", "%q must be off, sampled or all", d.S3Allows)
	}
	return errs
}
