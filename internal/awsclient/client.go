package awsclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/internal/sigv4"
)

// DefaultRegion is the signing region when Client.Region is empty: the region of AWS's
// global STS and IAM endpoints.
const DefaultRegion = "us-east-1"

// maxResponseBytes bounds what a call reads of an answer; inkan's largest answers (IAM
// listings, S3 listings of 1000 keys) are far smaller.
const maxResponseBytes = 16 << 20

// defaultTimeout bounds one attempt when Client.HTTPClient is nil.
const defaultTimeout = 30 * time.Second

// Client calls one endpoint. The zero value is not usable: Endpoint is required. A Client
// is safe for concurrent use if its HTTPClient is; its fields must not change while calls
// are in flight.
type Client struct {
	// Endpoint is the base URL, e.g. http://127.0.0.1:8750 or https://sts.amazonaws.com.
	// inkan serves STS, IAM, S3 and its admin API on the same one. A path is kept as a
	// prefix (e.g. behind a reverse proxy).
	Endpoint string

	// Region is the signing region; "" means DefaultRegion.
	Region string

	// Creds sign every call but AssumeRoleWithWebIdentity. Empty credentials make signed
	// calls fail before anything is sent.
	Creds sigv4.Credentials

	// HTTPClient sends the requests; nil means a client with a 30 s timeout per attempt.
	HTTPClient *http.Client

	// Retry says how failed attempts are retried; the zero value is the default policy.
	Retry Retry

	// Now is the signing clock; nil means time.Now.
	Now func() time.Time
}

// request is one call, kept as bytes so every attempt sends the same thing.
type request struct {
	op          string // for errors: "sts:GetCallerIdentity", "s3:PutObject", …
	method      string
	path        string // unescaped, below the endpoint's path
	query       url.Values
	header      http.Header
	body        []byte
	service     string // signing name; "" sends the request unsigned
	payloadHash string // "" means the hex SHA-256 of body
}

// response is a successful answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do sends req, retrying per c.Retry, and returns the first 2xx answer or the last error.
func (c *Client) do(ctx context.Context, req request) (*response, error) {
	var resp *response
	err := c.Retry.Do(ctx, IsRetryable, func(ctx context.Context) error {
		var err error
		resp, err = c.attempt(ctx, req)
		return err
	})
	return resp, err
}

// attempt sends req once. An answer outside 2xx becomes *Error.
func (c *Client) attempt(ctx context.Context, req request) (*response, error) {
	r, err := c.newHTTPRequest(ctx, req)
	if err != nil {
		return nil, err
	}
	hr, err := c.httpClient().Do(r)
	if err != nil {
		return nil, &NetworkError{Op: req.op, Err: err}
	}
	defer hr.Body.Close()
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxResponseBytes+1))
	if err != nil {
		return nil, &NetworkError{Op: req.op, Err: err}
	}
	if len(body) > maxResponseBytes {
		return nil, fmt.Errorf("%s: the answer is larger than %d bytes", req.op, maxResponseBytes)
	}
	if hr.StatusCode < 200 || hr.StatusCode > 299 {
		return nil, parseError(req.op, hr.StatusCode, hr.Header, body)
	}
	return &response{status: hr.StatusCode, header: hr.Header, body: body}, nil
}

// newHTTPRequest builds and, when req names a service, signs one attempt.
func (c *Client) newHTTPRequest(ctx context.Context, req request) (*http.Request, error) {
	u, err := c.url(req.path, req.query)
	if err != nil {
		return nil, err
	}
	r, err := http.NewRequestWithContext(ctx, req.method, u.String(), bytes.NewReader(req.body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", req.op, err)
	}
	r.URL = u // keep the path exactly as built; String() and back may re-encode it
	if len(req.body) == 0 {
		r.Body, r.ContentLength = http.NoBody, 0
	}
	for name, values := range req.header {
		r.Header[name] = append([]string(nil), values...)
	}
	r.Header.Set("User-Agent", "inkan")
	if req.service == "" {
		return r, nil
	}
	hash := req.payloadHash
	if hash == "" {
		hash = sigv4.PayloadHash(req.body)
	}
	if err := sigv4.Sign(r, c.Creds, c.region(), req.service, hash, c.now()); err != nil {
		return nil, fmt.Errorf("%s: %w", req.op, err)
	}
	return r, nil
}

// url joins the endpoint and an unescaped path; net/url escapes it once.
func (c *Client) url(path string, query url.Values) (*url.URL, error) {
	base, err := url.Parse(c.Endpoint)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("awsclient: endpoint %q is not an http(s) URL", c.Endpoint)
	}
	u := &url.URL{Scheme: base.Scheme, Host: base.Host, Path: strings.TrimRight(base.Path, "/") + path}
	if query != nil {
		u.RawQuery = query.Encode()
	}
	return u, nil
}

func (c *Client) httpClient() *http.Client {
	if c.HTTPClient != nil {
		return c.HTTPClient
	}
	return &http.Client{Timeout: defaultTimeout}
}

func (c *Client) region() string {
	if c.Region == "" {
		return DefaultRegion
	}
	return c.Region
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// NetworkError is a failure to reach the endpoint or read its answer: always retryable.
type NetworkError struct {
	Op  string
	Err error
}

// Error implements error.
func (e *NetworkError) Error() string { return e.Op + ": " + e.Err.Error() }

// Unwrap returns the transport's error.
func (e *NetworkError) Unwrap() error { return e.Err }

// isContextError reports whether err is the caller giving up, which is never retried.
func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
