package oidc

import (
	"log/slog"
	"net/http"
	"time"
)

// Defaults for Options fields left at zero.
const (
	DefaultLeeway          = 5 * time.Minute // AWS's skew past exp (reference §2 item 6)
	DefaultRefreshInterval = 10 * time.Second
	DefaultMaxStale        = 24 * time.Hour
	DefaultNegativeTTL     = 5 * time.Second
	DefaultFetchTimeout    = 10 * time.Second
	// MaxResponseBytes caps a discovery document or JWKS.
	MaxResponseBytes = 256 << 10
)

// Cache lifetimes taken from Cache-Control: max-age are clamped to
// [minCacheTTL, maxCacheTTL]; without max-age, defaultCacheTTL applies.
const (
	minCacheTTL     = time.Minute
	maxCacheTTL     = 24 * time.Hour
	defaultCacheTTL = time.Hour
	maxRedirects    = 5
	// failureLogInterval spaces the warnings about one issuer's failing
	// refreshes; every failure is still reported to the Observer.
	failureLogInterval = time.Minute
)

// Options configures a Verifier. Zero values select the defaults above.
type Options struct {
	// HTTPClient supplies the base transport and timeout for discovery and
	// JWKS fetches. When its Transport is an *http.Transport (or nil, meaning
	// http.DefaultTransport) it is cloned per issuer and the provider's TLS
	// rules are layered on it; its TLSClientConfig.RootCAs, when set, replace
	// the system roots. Any other RoundTripper is used as is, and the
	// provider's Thumbprints and CABundle then have no effect (which can only
	// refuse more, never accept more). Its CheckRedirect and Jar are not used.
	HTTPClient *http.Client
	// Now is the clock for token times and cache lifetimes (not for TLS
	// certificate validity). Default time.Now.
	Now func() time.Time
	// Leeway is the clock skew allowed past exp and before nbf and iat.
	// Default 5 minutes; a negative value means none.
	Leeway time.Duration
	// RefreshInterval is the least time between two fetches for one issuer
	// triggered by tokens whose kid is not in the cached JWKS.
	RefreshInterval time.Duration
	// MaxStale is how long after their last successful fetch keys keep
	// verifying tokens while refreshes fail.
	MaxStale time.Duration
	// NegativeTTL is how long a failed fetch is remembered before a token may
	// trigger another attempt.
	NegativeTTL time.Duration
	// FetchTimeout bounds one refresh: the discovery document (when due)
	// and the JWKS together.
	FetchTimeout time.Duration
	// InsecureAllowHTTPLoopback accepts http issuer and JWKS URLs whose host
	// is localhost or a loopback IP (the server's --dev mode).
	InsecureAllowHTTPLoopback bool
	// Logger receives refresh failures (at most one warning per issuer per
	// minute) and recoveries. Default: discard.
	Logger *slog.Logger
	// Observer receives metrics events. Default: none.
	Observer Observer
}

// withDefaults returns o with every zero field replaced by its default.
func (o Options) withDefaults() Options {
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	o.Leeway = durationOr(o.Leeway, DefaultLeeway)
	if o.Leeway < 0 {
		o.Leeway = 0
	}
	o.RefreshInterval = durationOr(o.RefreshInterval, DefaultRefreshInterval)
	o.MaxStale = durationOr(o.MaxStale, DefaultMaxStale)
	o.NegativeTTL = durationOr(o.NegativeTTL, DefaultNegativeTTL)
	o.FetchTimeout = durationOr(o.FetchTimeout, DefaultFetchTimeout)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Observer == nil {
		o.Observer = nopObserver{}
	}
	return o
}

func durationOr(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// Resource names what a fetch retrieved.
type Resource string

// The fetched resources.
const (
	ResourceDiscovery Resource = "discovery"
	ResourceJWKS      Resource = "jwks"
)

// CacheOutcome says how Verify obtained keys for one token.
type CacheOutcome string

// The cache outcomes.
const (
	// CacheHit: the cached keys held the token's key, and either were within
	// their TTL or were just past it with a background refresh started.
	CacheHit CacheOutcome = "hit"
	// CacheStale: the cached keys were past their TTL and the last refresh
	// had failed; they were used anyway, within MaxStale.
	CacheStale CacheOutcome = "stale"
	// CacheFetched: the token waited for a fetch (cold cache, unknown kid or
	// keys older than MaxStale).
	CacheFetched CacheOutcome = "fetched"
	// CacheThrottled: the kid was unknown and a refetch was not allowed yet.
	CacheThrottled CacheOutcome = "throttled"
	// CacheUnavailable: no usable keys; Verify returned ErrKeysUnavailable
	// or ErrThumbprint.
	CacheUnavailable CacheOutcome = "unavailable"
)

// Observer receives the events a server turns into metrics. Methods are
// called synchronously, possibly concurrently, Lookup on every Verify that
// reaches the key cache: they must be safe for concurrent use and fast.
// Issuer values are Provider URLs, so their number is bounded by the number of
// registered providers.
type Observer interface {
	// Fetched is called after every discovery or JWKS fetch attempt with
	// its outcome (nil on success) and duration.
	Fetched(issuer string, r Resource, err error, elapsed time.Duration)
	// Lookup is called once per key-cache lookup with its outcome.
	Lookup(issuer string, o CacheOutcome)
}

type nopObserver struct{}

func (nopObserver) Fetched(string, Resource, error, time.Duration) {}
func (nopObserver) Lookup(string, CacheOutcome)                    {}
