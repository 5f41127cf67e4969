package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"

	"github.com/inkan-dev/inkan/internal/config"
	"github.com/inkan-dev/inkan/internal/iam"
	"github.com/inkan-dev/inkan/internal/objstore"
	"github.com/inkan-dev/inkan/internal/objstore/localfs"
	"github.com/inkan-dev/inkan/internal/objstore/upstream"
	"github.com/inkan-dev/inkan/internal/s3"
	"github.com/inkan-dev/inkan/internal/server"
	"github.com/inkan-dev/inkan/internal/sigv4"
	"github.com/inkan-dev/inkan/internal/sse"
	"github.com/inkan-dev/inkan/internal/store"
)

// objectsFlags are serve's object-backend flags; each overrides its INKAN_* variable and
// the file's objects: section.
type objectsFlags struct {
	backend, region, caFile, bucketPrefix, keys string
	pathStyle, encryptAtRest                    bool
}

func (f *objectsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.backend, "objects", "", "object backend: local, or an upstream S3 URL s3+http://host:port or s3+https://host (INKAN_OBJECTS, default local)")
	fs.StringVar(&f.region, "upstream-region", "", "region upstream requests are signed for (INKAN_UPSTREAM_REGION, default us-east-1)")
	fs.BoolVar(&f.encryptAtRest, "encrypt-at-rest", true, "encrypt every new local object (SSE-S3) unless SSE-C is asked for; false: only what requests and bucket encryption configurations ask for (INKAN_ENCRYPT_AT_REST, default true)")
	fs.BoolVar(&f.pathStyle, "upstream-path-style", true, "address upstream buckets as host/bucket; false: bucket.host (INKAN_UPSTREAM_PATH_STYLE)")
	fs.StringVar(&f.caFile, "upstream-ca-file", "", "PEM roots for an https upstream (INKAN_UPSTREAM_CA_FILE)")
	fs.StringVar(&f.bucketPrefix, "upstream-bucket-prefix", "", "prefix of inkan's buckets upstream (INKAN_UPSTREAM_BUCKET_PREFIX)")
	fs.StringVar(&f.keys, "upstream-keys", "", "portable: refuse keys file-backed stores rename; any: send every key, for AWS S3 (INKAN_UPSTREAM_KEYS, default portable)")
}

// apply copies the flags given on the command line into cfg.
func (f *objectsFlags) apply(set map[string]bool, cfg *config.Objects) {
	for name, v := range map[string]struct {
		dst *string
		val string
	}{
		"objects": {&cfg.Backend, f.backend}, "upstream-region": {&cfg.Upstream.Region, f.region},
		"upstream-ca-file": {&cfg.Upstream.CAFile, f.caFile}, "upstream-bucket-prefix": {&cfg.Upstream.BucketPrefix, f.bucketPrefix},
		"upstream-keys": {&cfg.Upstream.Keys, f.keys},
	} {
		if set[name] {
			*v.dst = v.val
		}
	}
	if set["upstream-path-style"] {
		cfg.Upstream.PathStyle = f.pathStyle
	}
	if set["encrypt-at-rest"] {
		cfg.EncryptAtRest = f.encryptAtRest
	}
}

// openObjects opens the configured object backend and returns it with its closer.
func openObjects(ctx context.Context, cfg config.Config, logger *slog.Logger, obs upstream.Observer) (objstore.Backend, func() error, error) {
	endpoint, ok := cfg.Objects.UpstreamEndpoint()
	if !ok {
		b, err := localfs.Open(ctx, filepath.Join(cfg.DataDir, "objects"), localfs.Options{
			SweepInterval: time.Duration(cfg.Objects.SweepInterval), UploadMaxAge: time.Duration(cfg.Objects.UploadMaxAge), Logger: logger})
		if err != nil {
			return nil, nil, err
		}
		return b, b.Close, nil
	}
	u := cfg.Objects.Upstream
	creds, err := upstreamCredentials(ctx, u)
	if err != nil {
		return nil, nil, fmt.Errorf("upstream credentials: %w", err)
	}
	b, err := upstream.New(upstream.Options{Endpoint: endpoint, Region: u.Region, VirtualHosted: !u.PathStyle,
		CAFile: u.CAFile, BucketPrefix: u.BucketPrefix, StateBucket: u.StateBucket, AnyKey: u.Keys == "any", Credentials: creds,
		Observer: obs, Logger: logger})
	if err != nil {
		return nil, nil, err
	}
	logger.Info("objects are stored upstream", "endpoint", endpoint, "region", u.Region, "bucket_prefix", u.BucketPrefix)
	return b, func() error { return nil }, nil
}

// upstreamCredentials chooses the upstream keys: INKAN_UPSTREAM_* keys, else the
// credentials file, else the AWS SDK's default chain (which refreshes web-identity and
// instance credentials by itself).
func upstreamCredentials(ctx context.Context, u config.Upstream) (upstream.CredentialsProvider, error) {
	switch {
	case u.AccessKeyID != "":
		return upstream.StaticCredentials{AccessKeyID: u.AccessKeyID, SecretAccessKey: u.SecretAccessKey, SessionToken: u.SessionToken}, nil
	case u.CredentialsFile != "":
		return readCredentialsFile(u.CredentialsFile)
	}
	ac, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(u.Region))
	if err != nil {
		return nil, err
	}
	return sdkCredentials{aws.NewCredentialsCache(ac.Credentials)}, nil
}

// readCredentialsFile reads key=value lines (access_key_id, secret_access_key,
// session_token; aws_ prefixes accepted, # comments and [profile] headers ignored).
// Errors name the line, never a value.
func readCredentialsFile(path string) (upstream.StaticCredentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return upstream.StaticCredentials{}, err
	}
	defer f.Close()
	var c upstream.StaticCredentials
	sc := bufio.NewScanner(f)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' || text[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(text, "=")
		if !ok {
			return c, fmt.Errorf("%s:%d: want key = value", path, line)
		}
		switch strings.TrimPrefix(strings.ToLower(strings.TrimSpace(k)), "aws_") {
		case "access_key_id":
			c.AccessKeyID = strings.TrimSpace(v)
		case "secret_access_key":
			c.SecretAccessKey = strings.TrimSpace(v)
		case "session_token":
			c.SessionToken = strings.TrimSpace(v)
		default:
			return c, fmt.Errorf("%s:%d: unknown key %s", path, line, strconv.Quote(strings.TrimSpace(k)))
		}
	}
	if err := sc.Err(); err != nil {
		return c, err
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return c, fmt.Errorf("%s: needs access_key_id and secret_access_key", path)
	}
	return c, nil
}

// sdkCredentials adapts an AWS SDK credentials provider (cached) to upstream's.
type sdkCredentials struct{ p aws.CredentialsProvider }

func (s sdkCredentials) Credentials(ctx context.Context) (sigv4.Credentials, error) {
	c, err := s.p.Retrieve(ctx)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("AWS SDK credential chain: %w", err)
	}
	return sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}, nil
}

// openKeys opens the keyring of objects encrypted at rest, whose master keys live in the
// store; nil for an upstream backend, which keeps its own keys.
func openKeys(ctx context.Context, cfg config.Config, st store.Blobs) (s3.Keys, error) {
	if _, upstream := cfg.Objects.UpstreamEndpoint(); upstream {
		return nil, nil
	}
	k, err := sse.Open(ctx, sse.Options{Blobs: st})
	if err != nil {
		return nil, fmt.Errorf("encryption keys: %w", err)
	}
	return k, nil
}

// backendName names the object backend in the S3 layer's refusals.
func backendName(cfg config.Config) string {
	if _, upstream := cfg.Objects.UpstreamEndpoint(); upstream {
		return "upstream"
	}
	return "local"
}

// adminAPI is the admin API, with the encryption-key rotation where inkan keeps the keys.
func adminAPI(auth *iam.Service, decisions server.Finder, region string, keys s3.Keys) *server.Admin {
	a := server.NewAdmin(auth, decisions, region)
	if r, ok := keys.(server.KeyRotator); ok {
		a.WithEncryptionKeys(r)
	}
	return a
}
