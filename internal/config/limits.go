package config

import (
	"fmt"
	"strconv"
	"time"
)

// Limits bound what one client can hold of the server; docs/security.md explains each.
type Limits struct {
	// BodyIdleTimeout ends a request body that sends no byte for this long (400
	// RequestTimeout); each byte restarts the clock, so steady uploads of any size and
	// speed complete. 0 disables it.
	BodyIdleTimeout Duration `yaml:"body_idle_timeout"`
	// MaxRequestsPerClient caps the requests one client address has in flight (S3: 503
	// SlowDown; STS and IAM: 400 Throttling). Behind a proxy, the proxy is the client.
	// 0 disables it.
	MaxRequestsPerClient int `yaml:"max_requests_per_client"`
}

func defaultLimits() Limits {
	return Limits{BodyIdleTimeout: Duration(30 * time.Second), MaxRequestsPerClient: 256}
}

// envVars maps the INKAN_* variables of the limits.
func (l *Limits) envVars() map[string]func(string) error {
	return map[string]func(string) error{
		"INKAN_BODY_IDLE_TIMEOUT": func(v string) error {
			d, err := time.ParseDuration(v)
			l.BodyIdleTimeout = Duration(d)
			return err
		},
		"INKAN_MAX_REQUESTS_PER_CLIENT": func(v string) error {
			n, err := strconv.Atoi(v)
			l.MaxRequestsPerClient = n
			return err
		},
	}
}

// validate reports each bad field by its name in the file.
func (l *Limits) validate() []error {
	var errs []error
	if l.BodyIdleTimeout < 0 {
		errs = append(errs, fmt.Errorf("limits.body_idle_timeout: %v must not be negative", l.BodyIdleTimeout))
	} else if l.BodyIdleTimeout > 0 && time.Duration(l.BodyIdleTimeout) < time.Second {
		errs = append(errs, fmt.Errorf("limits.body_idle_timeout: %v must be at least 1s (or 0 to disable)", l.BodyIdleTimeout))
	}
	if l.MaxRequestsPerClient < 0 {
		errs = append(errs, fmt.Errorf("limits.max_requests_per_client: %d must not be negative", l.MaxRequestsPerClient))
	}
	return errs
}
