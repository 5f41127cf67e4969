package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxFetchURLLength bounds jwks_uri and redirect targets.
const maxFetchURLLength = 2048

// fetcher performs the HTTP side of one issuer: discovery and JWKS.
type fetcher struct {
	issuer        string
	discoveryURL  string
	client        *http.Client
	allowLoopback bool
	now           func() time.Time
}

func newFetcher(p *Provider, o *Options) *fetcher {
	f := &fetcher{
		issuer:        p.URL,
		discoveryURL:  p.discoveryURL(),
		allowLoopback: o.InsecureAllowHTTPLoopback,
		now:           o.Now,
	}
	f.client = &http.Client{
		Transport:     transportFor(o.HTTPClient.Transport, p),
		Timeout:       o.HTTPClient.Timeout,
		CheckRedirect: f.checkRedirect,
	}
	return f
}

// checkRedirect follows at most maxRedirects redirects, each to a URL that
// passes the same rules as jwks_uri.
func (f *fetcher) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("more than %d redirects", maxRedirects)
	}
	if err := checkFetchURL(req.URL, f.allowLoopback); err != nil {
		return fmt.Errorf("redirect to %s refused: %w", req.URL.Redacted(), err)
	}
	return nil
}

// checkFetchURL applies the issuer URL's scheme rules to a URL inkan is
// about to fetch. Queries are allowed here (some IdPs put one in jwks_uri).
func checkFetchURL(u *url.URL, allowLoopback bool) error {
	switch {
	case len(u.String()) > maxFetchURLLength:
		return urlError("longer than 2048 bytes")
	case u.Host == "" || u.Opaque != "":
		return urlError("has no host")
	case u.User != nil:
		return urlError("must not contain user info")
	}
	return checkScheme(u, allowLoopback)
}

// discovery is the part of an OpenID Provider configuration inkan uses.
type discovery struct {
	jwksURI string
	fetched time.Time
	expires time.Time
}

// fetchDiscovery GETs the configuration and checks that its issuer is the
// provider URL exactly (OpenID Connect Discovery 1.0 §4.3) and that jwks_uri
// is a URL inkan may fetch.
func (f *fetcher) fetchDiscovery(ctx context.Context) (*discovery, error) {
	body, ttl, err := f.do(ctx, f.discoveryURL)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, f.wrap(err, "discovery document is not JSON")
	}
	if doc.Issuer != f.issuer {
		return nil, f.wrap(nil, "discovery issuer %s is not the provider URL", excerpt(doc.Issuer))
	}
	u, err := url.Parse(doc.JWKSURI)
	if err == nil {
		err = checkFetchURL(u, f.allowLoopback)
	}
	if err != nil {
		return nil, f.wrap(err, "discovery jwks_uri %s is not acceptable", excerpt(doc.JWKSURI))
	}
	now := f.now()
	return &discovery{jwksURI: doc.JWKSURI, fetched: now, expires: now.Add(ttl)}, nil
}

// fetchJWKS GETs and parses the key set.
func (f *fetcher) fetchJWKS(ctx context.Context, uri string) (*keySet, time.Duration, error) {
	body, ttl, err := f.do(ctx, uri)
	if err != nil {
		return nil, 0, err
	}
	ks, err := parseJWKS(body)
	if err != nil {
		return nil, 0, f.wrap(err, "JWKS at %s is unusable", uri)
	}
	return ks, ttl, nil
}

// do GETs uri: status 200, at most MaxResponseBytes; the TTL comes from
// Cache-Control.
func (f *fetcher) do(ctx context.Context, uri string) ([]byte, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
	if err != nil {
		return nil, 0, f.wrap(err, "GET %s: bad request", uri)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, 0, f.wrap(err, "GET %s failed", uri)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, 0, f.wrap(nil, "GET %s: status %d", uri, resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBytes+1))
	if err != nil {
		return nil, 0, f.wrap(err, "GET %s: reading the body failed", uri)
	}
	if len(body) > MaxResponseBytes {
		return nil, 0, f.wrap(nil, "GET %s: body larger than %d bytes", uri, MaxResponseBytes)
	}
	return body, cacheTTL(resp.Header), nil
}

// wrap makes a fetch failure an *Error: ErrThumbprint when the certificate
// was not trusted, ErrKeysUnavailable otherwise.
func (f *fetcher) wrap(cause error, format string, args ...any) *Error {
	e := fail(ErrKeysUnavailable, format, args...)
	e.Err = cause
	if cause != nil {
		if isTrustError(cause) {
			e.Kind = ErrThumbprint
		}
		e.Reason += ": " + rootCause(cause).Error()
	}
	return e
}

// rootCause strips url.Error's repetition of method and URL.
func rootCause(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// cacheTTL reads max-age from Cache-Control, clamped to [1 min, 24 h];
// no-store and no-cache give the minimum, absence the 1 h default.
func cacheTTL(h http.Header) time.Duration {
	ttl := defaultCacheTTL
	for _, line := range h.Values("Cache-Control") {
		for _, d := range strings.Split(line, ",") {
			d = strings.ToLower(strings.TrimSpace(d))
			switch {
			case d == "no-store" || d == "no-cache":
				return minCacheTTL
			case strings.HasPrefix(d, "max-age="):
				if secs, ok := deltaSeconds(strings.Trim(d[len("max-age="):], `"`)); ok {
					ttl = clampTTL(secs)
				}
			}
		}
	}
	return ttl
}

// deltaSeconds parses a Cache-Control delta-seconds value; one too large to
// represent counts as the largest (RFC 9111 §1.2.2).
func deltaSeconds(v string) (int64, bool) {
	secs, err := strconv.ParseInt(v, 10, 64)
	if errors.Is(err, strconv.ErrRange) && secs > 0 {
		return secs, true // ParseInt returned math.MaxInt64
	}
	return secs, err == nil
}

func clampTTL(secs int64) time.Duration {
	switch {
	case secs < int64(minCacheTTL/time.Second):
		return minCacheTTL
	case secs > int64(maxCacheTTL/time.Second):
		return maxCacheTTL
	}
	return time.Duration(secs) * time.Second
}
