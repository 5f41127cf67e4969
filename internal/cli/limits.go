package cli

import (
	"flag"
	"time"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/server"
)

// limitsFlags are serve's flags of config.Limits; each overrides its INKAN_* variable and
// the file's limits: section.
type limitsFlags struct {
	bodyIdleTimeout      time.Duration
	maxRequestsPerClient int
}

func (f *limitsFlags) register(fs *flag.FlagSet) {
	fs.DurationVar(&f.bodyIdleTimeout, "body-idle-timeout", 30*time.Second, "end a request body that sends no byte for this long; 0 disables (INKAN_BODY_IDLE_TIMEOUT)")
	fs.IntVar(&f.maxRequestsPerClient, "max-requests-per-client", 256, "requests one client address may have in flight; 0 disables (INKAN_MAX_REQUESTS_PER_CLIENT)")
}

// apply copies the flags given on the command line into cfg.
func (f *limitsFlags) apply(set map[string]bool, cfg *config.Limits) {
	if set["body-idle-timeout"] {
		cfg.BodyIdleTimeout = config.Duration(f.bodyIdleTimeout)
	}
	if set["max-requests-per-client"] {
		cfg.MaxRequestsPerClient = f.maxRequestsPerClient
	}
}

// serverLimits is the server's form of the settings.
func serverLimits(l config.Limits) server.Limits {
	return server.Limits{BodyIdleTimeout: time.Duration(l.BodyIdleTimeout), MaxRequestsPerClient: l.MaxRequestsPerClient}
}
