package upstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// CredentialsProvider returns the credentials upstream requests are signed
// with. It is called for every request, so it must be cheap and safe for
// concurrent use; it refreshes expiring credentials itself (the CLI adapts the
// AWS SDK's default chain to it). Errors must not carry secrets.
type CredentialsProvider interface {
	Credentials(ctx context.Context) (sigv4.Credentials, error)
}

// StaticCredentials is a CredentialsProvider of fixed keys.
type StaticCredentials sigv4.Credentials

// Credentials returns c.
func (c StaticCredentials) Credentials(context.Context) (sigv4.Credentials, error) {
	return sigv4.Credentials(c), nil
}

// String hides the secret, so that formatting the options never prints it.
func (c StaticCredentials) String() string { return "StaticCredentials{" + c.AccessKeyID + " ****}" }

// Options configure a Backend.
type Options struct {
	// Endpoint is the upstream's base URL, http:// or https://, with no path
	// (required).
	Endpoint string
	// Region signs requests; "us-east-1" when empty.
	Region string
	// VirtualHosted addresses buckets as bucket.host instead of host/bucket
	// (path style, the default, which every S3-compatible server accepts).
	VirtualHosted bool
	// CAFile names a PEM file of extra root certificates for https.
	CAFile string
	// BucketPrefix is prepended to every bucket name upstream; only upstream
	// buckets with the prefix are listed.
	BucketPrefix string
	// StateBucket is the upstream bucket holding what S3 cannot (see
	// state.go); BucketPrefix+"inkan-state" when empty. It is hidden from
	// ListBuckets, and inkan cannot create, delete or use a bucket that maps
	// to it.
	StateBucket string
	// AnyKey lifts the portable-key rule (see portableKey): keys with a
	// leading "/", "//", "." or ".." segments are sent as they are. Only for
	// upstreams that store them faithfully, such as AWS S3.
	AnyKey bool
	// Credentials sign every request (required).
	Credentials CredentialsProvider
	// Client sends the requests; one over NewTransport(CAFile) when nil.
	// Its Timeout must be zero: bodies stream for as long as they take, and
	// ctx bounds each call.
	Client *http.Client
	// SpoolDir holds bodies of unknown size while they are read whole;
	// os.TempDir() when empty.
	SpoolDir string
	// Observer is told of every upstream request, for metrics; nil = none.
	Observer Observer
	// Logger receives upstream failures (codes and messages, never
	// credentials); discarded when nil.
	Logger *slog.Logger
	// Now is the signing clock; time.Now when nil.
	Now func() time.Time
}

// Observer is told of every request to the upstream, for metrics. It must be
// cheap and safe for concurrent use.
type Observer interface {
	// UpstreamRequest reports one request: op names the S3 operation
	// ("PutObject"), outcome is "ok", "error" (an S3 error answer the
	// contract expects, such as NoSuchKey), "unavailable" (see
	// objstore.ErrUnavailable) or "retried" (an attempt that failed as
	// unavailable and was sent again; each attempt is reported), elapsed
	// runs until the response headers.
	UpstreamRequest(op, outcome string, elapsed time.Duration)
}

// Timeouts and pool sizes of the default transport. There is no overall
// timeout: a 5 GiB body streams as long as it takes, bounded by ctx.
const (
	dialTimeout           = 5 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 60 * time.Second
	idleConnTimeout       = 90 * time.Second
	maxIdleConnsPerHost   = 256
)

// NewTransport returns the transport the backend uses by default: keep-alive
// connections pooled per host (up to 256 idle), bounded dial, TLS handshake
// and response-header waits, no compression (bodies pass through as they
// are), and caFile's certificates added to the system roots when it is set.
func NewTransport(caFile string) (*http.Transport, error) {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       idleConnTimeout,
		MaxIdleConns:          4 * maxIdleConnsPerHost,
		MaxIdleConnsPerHost:   maxIdleConnsPerHost,
		DisableCompression:    true,
		ForceAttemptHTTP2:     true,
		WriteBufferSize:       64 << 10,
		ReadBufferSize:        64 << 10,
	}
	if caFile == "" {
		return t, nil
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("upstream: CA file: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("upstream: CA file %q holds no PEM certificate", caFile)
	}
	t.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	return t, nil
}

// withDefaults validates o and fills in its defaults.
func (o Options) withDefaults() (Options, *url.URL, error) {
	u, err := url.Parse(o.Endpoint)
	switch {
	case err != nil:
		return o, nil, fmt.Errorf("upstream: endpoint: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return o, nil, fmt.Errorf("upstream: endpoint %q: the scheme must be http or https", o.Endpoint)
	case u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.User != nil:
		return o, nil, fmt.Errorf("upstream: endpoint %q: want scheme://host[:port] only", o.Endpoint)
	case o.Credentials == nil:
		return o, nil, errors.New("upstream: no credentials")
	case o.Client != nil && o.Client.Timeout != 0:
		return o, nil, errors.New("upstream: the HTTP client must have no overall timeout")
	}
	u.Path = ""
	if o.Region == "" {
		o.Region = "us-east-1"
	}
	if o.StateBucket == "" {
		o.StateBucket = o.BucketPrefix + "inkan-state"
	}
	if o.Client == nil {
		t, err := NewTransport(o.CAFile)
		if err != nil {
			return o, nil, err
		}
		o.Client = &http.Client{Transport: newConnTransport(t)}
	}
	// Redirects would re-send a signed request elsewhere; S3 answers
	// PermanentRedirect errors instead, which map like any other.
	c := *o.Client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	o.Client = &c
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SpoolDir == "" {
		o.SpoolDir = os.TempDir()
	}
	o.Endpoint = strings.TrimSuffix(u.String(), "/")
	return o, u, nil
}
