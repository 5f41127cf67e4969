package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/inkan-dev/inkan/bench/loadutil"
	"github.com/inkan-dev/inkan/internal/awsclient"
	"github.com/inkan-dev/inkan/internal/sigv4"
)

// roleName is the role the load runs as.
const roleName = "bench-s3"

// session is what the load runs with: an endpoint, a bucket, and the temporary credentials
// of a role session that may read and write the bucket's objects.
type session struct {
	endpoint, region, bucket string
	creds                    sigv4.Credentials
	arn                      string
}

// newSession registers (or reuses) the role bench-s3 trusting the test identity provider,
// with permission to list and read and write bucket, creates bucket, and exchanges a
// freshly minted token for the role's temporary credentials through inkan's STS.
func newSession(ctx context.Context, client *http.Client, endpoint, region, bucket, dataDir string) (*session, error) {
	root, err := loadutil.RootCredentials(dataDir)
	if err != nil {
		return nil, err
	}
	admin := &awsclient.Client{Endpoint: endpoint, Region: region, Creds: root, HTTPClient: client}
	roleARN, err := ensureRole(ctx, admin, endpoint, bucket)
	if err != nil {
		return nil, fmt.Errorf("registering the role: %w", err)
	}
	// A server that has just started may answer 503 while its store settles (an upstream
	// still starting): retried for about 10 s.
	err = awsclient.Retry{MaxAttempts: 10, Base: 20 * time.Millisecond}.Do(ctx, awsclient.IsRetryable,
		func(ctx context.Context) error { return admin.CreateBucket(ctx, bucket) })
	if err != nil && awsclient.ErrorCode(err) != "BucketAlreadyOwnedByYou" {
		return nil, fmt.Errorf("creating the bucket: %w", err)
	}
	token, err := loadutil.MintToken(ctx, client, endpoint, map[string]any{"repository": "acme/app", "ref": "refs/heads/deploy",
		"audience": "sts.amazonaws.com", "lifetime_seconds": 300})
	if err != nil {
		return nil, err
	}
	sts := &awsclient.Client{Endpoint: endpoint, Region: region, HTTPClient: client}
	out, err := sts.AssumeRoleWithWebIdentity(ctx, awsclient.AssumeRoleWithWebIdentityInput{RoleArn: roleARN,
		RoleSessionName: "bench", WebIdentityToken: token, DurationSeconds: 3600})
	if err != nil {
		return nil, fmt.Errorf("assuming the role: %w", err)
	}
	return &session{endpoint: strings.TrimRight(endpoint, "/"), region: region, bucket: bucket,
		creds: out.Credentials.Signing(), arn: out.AssumedRoleUser.Arn}, nil
}

// ensureRole creates the role when it is missing and (re)writes its permissions for bucket.
func ensureRole(ctx context.Context, admin *awsclient.Client, endpoint, bucket string) (string, error) {
	permissions := `{"Version":"2012-10-17","Statement":[
	{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::` + bucket + `"},
	{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:DeleteObject"],"Resource":"arn:aws:s3:::` + bucket + `/*"}]}`
	role, err := admin.GetRole(ctx, roleName)
	if awsclient.ErrorCode(err) == "NoSuchEntity" {
		role, err = createRole(ctx, admin, endpoint)
	}
	if err != nil {
		return "", err
	}
	return role.Arn, admin.PutRolePolicy(ctx, roleName, "s3", permissions)
}

// createRole creates the role with the seed's trust policy on the test identity provider.
func createRole(ctx context.Context, admin *awsclient.Client, endpoint string) (*awsclient.Role, error) {
	providers, err := admin.ListOpenIDConnectProviders(ctx)
	if err != nil {
		return nil, err
	}
	host := strings.TrimPrefix(strings.TrimPrefix(strings.TrimRight(endpoint, "/"), "http://"), "https://") + "/idp"
	var providerARN string
	for _, arn := range providers {
		if strings.HasSuffix(arn, ":oidc-provider/"+host) {
			providerARN = arn
		}
	}
	if providerARN == "" {
		return nil, errors.New("the test identity provider is not registered: start inkan with --dev")
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},
	"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + host + `:aud":"sts.amazonaws.com"},
	"StringLike":{"` + host + `:sub":"repo:acme/app:*"}}}]}`
	return admin.CreateRole(ctx, awsclient.CreateRoleInput{RoleName: roleName, AssumeRolePolicyDocument: trust})
}

// newDirectBench is the bench of the upstream itself: the same phases, signed with the
// upstream's own keys (BENCH_DIRECT_*), on o.directBucket, which it creates if missing.
func newDirectBench(ctx context.Context, o options, out io.Writer) (*bench, error) {
	if err := loadutil.CheckLoopback(o.directEndpoint); err != nil {
		return nil, err
	}
	creds := sigv4.Credentials{AccessKeyID: os.Getenv("BENCH_DIRECT_ACCESS_KEY_ID"), SecretAccessKey: os.Getenv("BENCH_DIRECT_SECRET_ACCESS_KEY")}
	if creds.AccessKeyID == "" || creds.SecretAccessKey == "" {
		return nil, errors.New("-direct-endpoint needs BENCH_DIRECT_ACCESS_KEY_ID and BENCH_DIRECT_SECRET_ACCESS_KEY")
	}
	hc := newHTTPClient(max(o.conc, o.largeConc) * 2)
	admin := &awsclient.Client{Endpoint: o.directEndpoint, Region: o.region, Creds: creds, HTTPClient: hc}
	if err := admin.CreateBucket(ctx, o.directBucket); err != nil && awsclient.ErrorCode(err) != "BucketAlreadyOwnedByYou" &&
		awsclient.ErrorCode(err) != "BucketAlreadyExists" {
		return nil, fmt.Errorf("creating the direct bucket: %w", err)
	}
	s := &session{endpoint: strings.TrimRight(o.directEndpoint, "/"), region: o.region, bucket: o.directBucket, creds: creds, arn: "direct"}
	b := withSession(o, out, s, hc)
	b.direct = true
	switch c := b.c.(type) {
	case *client:
		c.anyETag = o.directAnyETag
	case *sdkClient:
		c.anyETag = o.directAnyETag
	}
	return b, nil
}

// compare prints inkan's figures beside the direct ones: throughput as a fraction of
// direct, and the p50 latency inkan adds.
func compare(out io.Writer, inkan, direct *bench) {
	fmt.Fprintf(out, "\n%-12s %14s %14s %8s %12s %12s %10s\n", "phase", "inkan", "direct", "ratio", "p50 inkan", "p50 direct", "added p50")
	for _, name := range inkan.names {
		i, d := inkan.results[name], direct.results[name]
		ri, rd := median(i, (*loadutil.Result).Rate), median(d, (*loadutil.Result).Rate)
		if rd == 0 {
			continue
		}
		unit, scale := "ops/s", 1.0
		if inkan.isLarge(name) {
			unit, scale = "MB/s", float64(inkan.o.largeSize)/1e6
		}
		p50 := func(r *loadutil.Result) float64 { return float64(r.Percentile(50)) }
		p50i, p50d := time.Duration(median(i, p50)), time.Duration(median(d, p50))
		fmt.Fprintf(out, "%-12s %8.1f %-5s %8.1f %-5s %8.2f %12s %12s %10s\n", name, ri*scale, unit, rd*scale, unit,
			ri/rd, p50i.Round(time.Microsecond), p50d.Round(time.Microsecond), (p50i - p50d).Round(time.Microsecond))
	}
	fmt.Fprintf(out, "\n%-12s %28s %28s\n", "CPU per MB", "server ms: inkan / direct", "load tool ms: inkan / direct")
	for _, name := range inkan.names {
		if !inkan.isLarge(name) || len(direct.results[name]) == 0 {
			continue
		}
		perMB := func(b *bench, side func(cpuUse) float64) string {
			v := make([]float64, len(b.results[name]))
			for i, r := range b.results[name] {
				if c := side(b.cpu[name][i]); c >= 0 && r.Ops > 0 {
					v[i] = c * 1e3 / (float64(r.Ops) * float64(b.o.largeSize) / 1e6)
				} else {
					return "-"
				}
			}
			return fmt.Sprintf("%.2f", middle(v))
		}
		server := func(c cpuUse) float64 { return c.server }
		client := func(c cpuUse) float64 { return c.client }
		fmt.Fprintf(out, "%-12s %13s / %-12s %13s / %-12s\n", name, perMB(inkan, server), perMB(direct, server),
			perMB(inkan, client), perMB(direct, client))
	}
	if len(inkan.names) > 0 && len(inkan.results[inkan.names[0]]) > 1 {
		n := len(inkan.results[inkan.names[0]])
		fmt.Fprintf(out, "(medians of %d rounds)\n", n)
	}
}

// isLarge reports whether the measurement name is of a large-object phase.
func (b *bench) isLarge(name string) bool {
	return strings.HasPrefix(name, sizeName(b.o.largeSize)+" ")
}

// median returns the median of f over rs (the mean of the middle two for an even count).
func median(rs []*loadutil.Result, f func(*loadutil.Result) float64) float64 {
	if len(rs) == 0 {
		return 0
	}
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return middle(v)
}

// middle returns the median of v (the mean of the middle two for an even count), sorting v.
func middle(v []float64) float64 {
	slices.Sort(v)
	return (v[(len(v)-1)/2] + v[len(v)/2]) / 2
}
