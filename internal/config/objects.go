package config

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Upstream configures the upstream S3 backend (objects.backend: s3+http://… or s3+https://…).
//
// Decision: the settings live under objects.upstream in YAML, beside objects.backend, so
// that files written before the upstream backend existed (objects: {upload_max_age,
// sweep_interval}) stay valid and mean what they meant.
type Upstream struct {
	// Region signs upstream requests (default us-east-1).
	Region string `yaml:"region"`
	// PathStyle addresses buckets as host/bucket (default); false uses bucket.host.
	PathStyle bool `yaml:"path_style"`
	// CAFile adds PEM root certificates for an https upstream.
	CAFile string `yaml:"ca_file"`
	// BucketPrefix maps inkan's bucket b to upstream bucket BucketPrefix+b.
	BucketPrefix string `yaml:"bucket_prefix"`
	// Keys is "portable" (default): keys that S3-compatible file stores rename or lose
	// (a leading "/", "//", "." and ".." segments, a trailing "/", characters XML cannot
	// carry) are refused; "any" sends every key, for upstreams that store them all
	// (AWS S3). See docs/upstream.md.
	Keys string `yaml:"keys"`
	// StateBucket holds upload records and checksums S3 cannot (default
	// BucketPrefix+"inkan-state").
	StateBucket string `yaml:"state_bucket"`
	// CredentialsFile names a file of upstream keys: lines access_key_id=…,
	// secret_access_key=…, optionally session_token=… (as in an AWS credentials file's
	// profile, without the header).
	CredentialsFile string `yaml:"credentials_file"`
	// AccessKeyID, SecretAccessKey and SessionToken come from the environment only
	// (INKAN_UPSTREAM_*), never from the file or a flag, so they stay out of ps and of
	// committed configuration. With neither keys nor a file, the AWS SDK's default chain
	// is used (environment, shared files, web identity, IMDS).
	AccessKeyID     string `yaml:"-"`
	SecretAccessKey string `yaml:"-"`
	SessionToken    string `yaml:"-"`
}

func defaultUpstream() Upstream {
	return Upstream{Region: "us-east-1", PathStyle: true, Keys: "portable"}
}

// String hides the keys, so that a printed configuration never shows them.
func (u Upstream) String() string {
	return fmt.Sprintf("{region %s path_style %v bucket_prefix %q}", u.Region, u.PathStyle, u.BucketPrefix)
}

// UpstreamEndpoint returns the upstream's http(s) URL, and ok false for the local backend.
func (o Objects) UpstreamEndpoint() (endpoint string, ok bool) {
	rest, ok := strings.CutPrefix(o.Backend, "s3+")
	return rest, ok
}

// envVars maps the INKAN_* variables of the object settings.
func (o *Objects) envVars() map[string]func(string) error {
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	u := &o.Upstream
	return map[string]func(string) error{
		"INKAN_OBJECTS":                    str(&o.Backend),
		"INKAN_UPSTREAM_REGION":            str(&u.Region),
		"INKAN_UPSTREAM_KEYS":              str(&u.Keys),
		"INKAN_UPSTREAM_CA_FILE":           str(&u.CAFile),
		"INKAN_UPSTREAM_BUCKET_PREFIX":     str(&u.BucketPrefix),
		"INKAN_UPSTREAM_STATE_BUCKET":      str(&u.StateBucket),
		"INKAN_UPSTREAM_CREDENTIALS_FILE":  str(&u.CredentialsFile),
		"INKAN_UPSTREAM_ACCESS_KEY_ID":     str(&u.AccessKeyID),
		"INKAN_UPSTREAM_SECRET_ACCESS_KEY": str(&u.SecretAccessKey),
		"INKAN_UPSTREAM_SESSION_TOKEN":     str(&u.SessionToken),
		"INKAN_ENCRYPT_AT_REST": func(v string) error {
			b, err := strconv.ParseBool(v)
			o.EncryptAtRest = b
			return err
		},
		"INKAN_UPSTREAM_PATH_STYLE": func(v string) error {
			b, err := strconv.ParseBool(v)
			u.PathStyle = b
			return err
		},
	}
}

// validate checks the object settings; errors name the field.
func (o *Objects) validate() []error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, a...)))
	}
	if o.Backend == "" {
		o.Backend = "local"
	}
	endpoint, upstream := o.UpstreamEndpoint()
	if o.Backend != "local" && !upstream {
		bad("objects.backend", "%q must be local, s3+http://host[:port] or s3+https://host[:port]", o.Backend)
	}
	if upstream {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.User != nil {
			bad("objects.backend", "%q must be s3+http://host[:port] or s3+https://host[:port]", o.Backend)
		}
	}
	up := o.Upstream
	if (up.AccessKeyID == "") != (up.SecretAccessKey == "") {
		bad("INKAN_UPSTREAM_ACCESS_KEY_ID", "and INKAN_UPSTREAM_SECRET_ACCESS_KEY go together")
	}
	if up.AccessKeyID != "" && up.CredentialsFile != "" {
		bad("objects.upstream.credentials_file", "and INKAN_UPSTREAM_ACCESS_KEY_ID exclude each other")
	}
	if up.Keys != "portable" && up.Keys != "any" {
		bad("objects.upstream.keys", "%q must be portable or any", up.Keys)
	}
	if o.Upstream.Region == "" {
		o.Upstream.Region = "us-east-1"
	}
	return errs
}
