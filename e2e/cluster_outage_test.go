package e2e

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/inkan-dev/inkan/internal/awsclient"
)

// load runs exchanges through the balancer from workers until total are done or stop is
// closed, with the SDK's standard retries, and counts those that still failed.
type load struct {
	done, failed atomic.Int64
	mu           sync.Mutex
	firstErr     error
	wg           sync.WaitGroup
}

func (l *load) fail(err error) {
	l.failed.Add(1)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.firstErr == nil {
		l.firstErr = err
	}
}

// wait waits for the workers and fails t if any exchange failed.
func (l *load) wait(t *testing.T) {
	t.Helper()
	l.wg.Wait()
	if n := l.failed.Load(); n != 0 {
		t.Errorf("%d of %d exchanges failed; the first: %v", n, l.done.Load(), l.firstErr)
	}
}

func runLoad(t *testing.T, c *cluster, roleARN string, workers int, total int64, stop <-chan struct{}) *load {
	t.Helper()
	tokens := make([]string, 16)
	for i := range tokens {
		tokens[i] = mintToken(t, c.lb, map[string]any{"repository": seedRepo})
	}
	client := sts.NewFromConfig(aws.Config{Region: "ap-northeast-1"}, func(o *sts.Options) { o.BaseEndpoint = aws.String(c.lb.URL) })
	l := &load{}
	var next atomic.Int64
	for w := 0; w < workers; w++ {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := next.Add(1); i <= total; i = next.Add(1) {
				select {
				case <-stop:
					return
				default:
				}
				in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(roleARN), RoleSessionName: aws.String("load"),
					WebIdentityToken: aws.String(tokens[i%int64(len(tokens))])}
				if _, err := client.AssumeRoleWithWebIdentity(context.Background(), in); err != nil {
					l.fail(err)
				}
				l.done.Add(1)
			}
		}()
	}
	t.Cleanup(l.wg.Wait)
	return l
}

// waitDone waits until the load has done n exchanges, for at most d.
func (l *load) waitDone(t *testing.T, n int64, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for l.done.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("only %d exchanges after %s", l.done.Load(), d)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// clusterKill kills node 2 with SIGKILL a quarter of the way through 2,000 exchanges.
func clusterKill(t *testing.T, c *cluster, roleARN string) {
	start := time.Now()
	l := runLoad(t, c, roleARN, 8, 2000, nil)
	l.waitDone(t, 500, 60*time.Second)
	c.nodes[1].kill9(t)
	l.wait(t)
	if err := c.proxy.WaitStates(5*time.Second, "DOWN", "node2"); err != nil {
		t.Error(err)
	}
	stats, err := c.proxy.Stats()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d exchanges in %s, node 2 killed after 500; %d failed; HAProxy retried %s and redispatched %s requests",
		l.done.Load(), time.Since(start).Round(time.Millisecond), l.failed.Load(), stats["BACKEND"]["wretr"], stats["BACKEND"]["wredis"])
}

// clusterOutage stops PostgreSQL for 10 s under load: exchanges go on, IAM writes are
// refused with a retryable code and accepted once it is back, and node 2, started while it
// is down, becomes ready when it comes back.
func clusterOutage(t *testing.T, c *cluster, roleARN, listerARN string) {
	stop := make(chan struct{})
	l := runLoad(t, c, roleARN, 4, 1_000_000, stop)
	defer func() {
		select {
		case <-stop:
		default:
			close(stop)
		}
	}()
	l.waitDone(t, 100, 30*time.Second)
	session := sessionOf(t, c.lb, listerARN)
	if err := c.pg.Stop(); err != nil {
		t.Fatal(err)
	}
	down := time.Now()
	n2 := c.nodes[1]
	n2.start(t)
	if _, err := within(10*time.Second, func() error {
		if statusOf(n2.URL+"/healthz") != 200 {
			return errors.New("no answer to /healthz")
		}
		return nil
	}); err != nil {
		t.Fatalf("node 2, started with PostgreSQL down, does not listen: %v\n%s", err, n2.stderr.String())
	}
	cliRefusal(t, c)
	// The test identity provider keeps its keys in the store (--dev): its JWKS and mint
	// endpoints are not part of the degraded mode, so this only reports them.
	t.Logf("with PostgreSQL down the test IdP answers /idp/.well-known/jwks %d", statusOf(c.lb.URL+"/idp/.well-known/jwks"))
	refusals := 0
	for time.Since(down) < 10*time.Second {
		degraded(t, c, session)
		refusals++
		time.Sleep(500 * time.Millisecond)
	}
	during := l.done.Load()
	if _, body := httpGet(t, c.nodes[0].URL+"/metrics"); !strings.Contains(body, "\ninkan_store_up 0\n") {
		t.Error("node 1's inkan_store_up is not 0 with PostgreSQL down")
	}
	if err := c.pg.Start(); err != nil {
		t.Fatal(err)
	}
	up := time.Now()
	lb := admin(c.lb.URL)
	if _, err := within(10*time.Second, func() error {
		_, err := lb.CreateRole(context.Background(), awsclient.CreateRoleInput{RoleName: "during-outage", AssumeRolePolicyDocument: seedTrustPolicy(c.lb, "repo:x/y:*")})
		return err
	}); err != nil {
		t.Fatalf("CreateRole after PostgreSQL came back: %v", err)
	}
	accepted := time.Since(up)
	n2.waitReady(t, 20*time.Second)
	ready := time.Since(up)
	close(stop)
	l.wait(t)
	for _, n := range []*node{c.nodes[0], c.nodes[2]} {
		logs := n.stderr.String()
		if strings.Count(logs, "store unreachable") != 1 || strings.Count(logs, "store reachable again") != 1 {
			t.Errorf("%s logged the outage other than once at its start and once at its end:\n%s", n.name, logs)
		}
	}
	t.Logf("PostgreSQL down %s: %d exchanges meanwhile, %d IAM writes refused with ServiceFailure 503; writes accepted %s and node 2 ready %s after it came back; %d exchanges in all, %d failed",
		up.Sub(down).Round(time.Millisecond), during, refusals, accepted.Round(time.Millisecond), ready.Round(time.Millisecond), l.done.Load(), l.failed.Load())
}

// cliRefusal: with PostgreSQL down, the AWS CLI retries an IAM write on its own, then
// reports IAM's code.
func cliRefusal(t *testing.T, c *cluster) {
	t.Helper()
	_, stderr, err := runAWS(t, withEnv(rootEnv(), "AWS_MAX_ATTEMPTS", "2"), "iam", "create-role", "--role-name", "during-outage",
		"--endpoint-url", c.lb.URL, "--assume-role-policy-document", seedTrustPolicy(c.lb, "repo:x/y:*"))
	if err == nil || !strings.Contains(stderr, "(ServiceFailure)") || !strings.Contains(stderr, "reached max retries") {
		t.Fatalf("aws iam create-role with PostgreSQL down: %v\n%s", err, stderr)
	}
}

// degraded checks, with PostgreSQL down, that IAM writes are refused with a retryable code,
// that GetCallerIdentity and S3 authorization go on, that the nodes with a snapshot stay
// ready and that node 2, started without one, is alive but not ready.
func degraded(t *testing.T, c *cluster, session aws.Credentials) {
	t.Helper()
	_, err := admin(c.lb.URL).CreateRole(context.Background(), awsclient.CreateRoleInput{RoleName: "during-outage",
		AssumeRolePolicyDocument: seedTrustPolicy(c.lb, "repo:x/y:*")})
	if code, status := errorCode(err); code != "ServiceFailure" || status != 503 {
		t.Fatalf("CreateRole with PostgreSQL down: %v, want ServiceFailure 503", err)
	}
	if _, err := stsClient(c.lb, session).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("GetCallerIdentity with PostgreSQL down: %v", err)
	}
	if err := listBuckets(c.nodes[0], session); err != nil {
		t.Fatalf("S3 with PostgreSQL down: %v", err)
	}
	n1, n2, n3 := c.nodes[0], c.nodes[1], c.nodes[2]
	if r1, r3 := n1.readyz(), n3.readyz(); r1 != 200 || r3 != 200 {
		t.Fatalf("nodes with a snapshot answer /readyz %d and %d with PostgreSQL down, want 200", r1, r3)
	}
	if got, alive := n2.readyz(), statusOf(n2.URL+"/healthz"); got != 503 || alive != 200 {
		t.Fatalf("node 2, started with PostgreSQL down, answers /readyz %d and /healthz %d", got, alive)
	}
}
