// Command sts is inkan's load tool for the token exchange: it registers the seed's role on a
// running inkan (started with --dev, so its test identity provider mints the tokens), mints a
// pool of distinct GitHub-shaped tokens, then fires AssumeRoleWithWebIdentity from -c workers
// for -d and prints exchanges/s, p50/p99 latency and the server's CPU µs per exchange and RSS,
// read from its /metrics endpoint.
//
//	go run ./cmd/inkan serve --dev --log-level warn &
//	go run ./bench/sts -endpoint http://127.0.0.1:8750 -c 32 -d 20s
//
// Behind a load balancer, -endpoint is the balancer and -metrics lists the nodes, whose CPU
// is added up (RSS too):
//
//	go run ./bench/sts -endpoint http://127.0.0.1:8760 -metrics http://127.0.0.1:8751,http://127.0.0.1:8752
//
// Root credentials for registering the role come from INKAN_ROOT_ACCESS_KEY_ID and
// INKAN_ROOT_SECRET_ACCESS_KEY, or from -data-dir's root-credentials.json.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/inkan-dev/inkan/bench/loadutil"
)

func main() {
	endpoint := flag.String("endpoint", "http://127.0.0.1:8750", "inkan endpoint (loopback only)")
	conc := flag.Int("c", 32, "concurrent workers")
	dur := flag.Duration("d", 20*time.Second, "duration of the run")
	count := flag.Int64("n", 0, "stop after this many exchanges (0: no limit)")
	pool := flag.Int("tokens", 4000, "distinct tokens to mint and cycle through")
	dataDir := flag.String("data-dir", "./inkan-data", "server data directory, for root credentials when the environment has none")
	metrics := flag.String("metrics", "", "comma-separated node URLs whose /metrics CPU and RSS are added up (default: -endpoint)")
	flag.Parse()
	nodes := []string{*endpoint}
	if *metrics != "" {
		nodes = strings.Split(*metrics, ",")
	}
	if err := run(*endpoint, nodes, *conc, *dur, *count, *pool, *dataDir); err != nil {
		fmt.Fprintln(os.Stderr, "bench/sts:", err)
		os.Exit(1)
	}
}

func run(endpoint string, nodes []string, conc int, dur time.Duration, count int64, pool int, dataDir string) error {
	for _, e := range append([]string{endpoint}, nodes...) {
		if err := loadutil.CheckLoopback(e); err != nil {
			return err
		}
	}
	ctx := context.Background()
	client := &http.Client{Transport: &http.Transport{MaxIdleConns: conc * 2, MaxIdleConnsPerHost: conc * 2, IdleConnTimeout: time.Minute}}
	roleARN, err := setupRole(ctx, endpoint, dataDir)
	if err != nil {
		return fmt.Errorf("registering the role: %w", err)
	}
	fmt.Printf("role %s; minting %d tokens…\n", roleARN, pool)
	tokens, err := mintTokens(ctx, client, endpoint, pool)
	if err != nil {
		return err
	}
	// Warm up connections and caches, then measure.
	loadutil.Run(ctx, conc, 2*time.Second, int64(conc*20), func(ctx context.Context, _ int, i int64) error {
		return exchange(ctx, client, endpoint, roleARN, tokens[i%int64(len(tokens))])
	})
	before, err := loadutil.SumServerStats(ctx, client, nodes)
	if err != nil {
		return err
	}
	res := loadutil.Run(ctx, conc, dur, count, func(ctx context.Context, _ int, i int64) error {
		return exchange(ctx, client, endpoint, roleARN, tokens[i%int64(len(tokens))])
	})
	after, err := loadutil.SumServerStats(ctx, client, nodes)
	if err != nil {
		return err
	}
	fmt.Printf("exchanges: %d in %s with %d workers (%d errors)\n", res.Ops, res.Elapsed.Round(time.Millisecond), conc, res.Errors)
	if res.FirstError != "" {
		fmt.Printf("first error: %s\n", res.FirstError)
	}
	fmt.Printf("throughput: %.0f exchanges/s\n", res.Rate())
	fmt.Printf("latency: p50 %s, p99 %s, max %s\n", res.Percentile(50), res.Percentile(99), res.Percentile(100))
	if res.Ops > 0 {
		fmt.Printf("server CPU: %.0f µs per exchange\n", (after.CPUSeconds-before.CPUSeconds)*1e6/float64(res.Ops))
	}
	fmt.Printf("server RSS: %.1f MiB\n", after.RSSBytes/(1<<20))
	return nil
}

// exchange performs one unsigned AssumeRoleWithWebIdentity, as every SDK sends it.
func exchange(ctx context.Context, client *http.Client, endpoint, roleARN, token string) error {
	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {roleARN},
		"RoleSessionName": {"bench"}, "WebIdentityToken": {token}}
	req, err := http.NewRequestWithContext(ctx, "POST", endpoint+"/", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("<SessionToken>")) {
		return fmt.Errorf("status %d: %.300s", resp.StatusCode, body)
	}
	return nil
}

// setupRole creates (or reuses) the role bench-sts trusting the test identity provider with
// the seed's conditions.
func setupRole(ctx context.Context, endpoint, dataDir string) (string, error) {
	root, err := loadutil.RootCredentials(dataDir)
	if err != nil {
		return "", err
	}
	creds := aws.Credentials{AccessKeyID: root.AccessKeyID, SecretAccessKey: root.SecretAccessKey}
	c := iam.NewFromConfig(aws.Config{Region: "us-east-1", Credentials: credentials.StaticCredentialsProvider{Value: creds}},
		func(o *iam.Options) { o.BaseEndpoint = aws.String(endpoint) })
	if out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bench-sts")}); err == nil {
		return aws.ToString(out.Role.Arn), nil
	}
	providers, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	if err != nil {
		return "", err
	}
	host := strings.TrimPrefix(strings.TrimPrefix(endpoint, "http://"), "https://") + "/idp"
	var providerARN string
	for _, p := range providers.OpenIDConnectProviderList {
		if strings.HasSuffix(aws.ToString(p.Arn), ":oidc-provider/"+host) {
			providerARN = aws.ToString(p.Arn)
		}
	}
	if providerARN == "" {
		return "", errors.New("the test identity provider is not registered: start inkan with --dev")
	}
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + providerARN + `"},
	"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"` + host + `:aud":"sts.amazonaws.com"},
	"StringLike":{"` + host + `:sub":"repo:acme/app:*"}}}]}`
	out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench-sts"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Role.Arn), nil
}

// mintTokens asks the test identity provider for n tokens, each distinct (its own jti and
// run id).
func mintTokens(ctx context.Context, client *http.Client, endpoint string, n int) ([]string, error) {
	tokens := make([]string, n)
	var mu sync.Mutex
	var firstErr error
	loadutil.Run(ctx, 4, 10*time.Minute, int64(n), func(ctx context.Context, _ int, i int64) error {
		tok, err := loadutil.MintToken(ctx, client, endpoint, map[string]any{"repository": "acme/app", "ref": "refs/heads/deploy",
			"audience": "sts.amazonaws.com", "run_id": fmt.Sprint(1000000 + i), "lifetime_seconds": 3600})
		tokens[i] = tok
		if err != nil {
			mu.Lock()
			firstErr = errors.Join(firstErr, err)
			mu.Unlock()
		}
		return err
	})
	if firstErr != nil {
		return nil, fmt.Errorf("minting tokens: %w", firstErr)
	}
	return tokens, nil
}
