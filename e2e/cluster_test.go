package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/inkan-dev/inkan/internal/awsclient"
)

// The acceptance of issue 10: three inkan serve processes on one PostgreSQL behind HAProxy,
// with their objects on one upstream S3 store (issue 11), so that every node is stateless.
// The cases share one cluster and run in order (the last ones kill a node and stop
// PostgreSQL).
func TestAClusterOfThreeNodesOnPostgreSQLBehindHAProxy(t *testing.T) {
	awsCLI(t)
	c := startCluster(t, 3, sharedSeaweed(t).nodeOptions())
	n1, n2, n3 := c.nodes[0], c.nodes[1], c.nodes[2]
	roleARN := createRole(t, c.lb, "deploy", seedTrustPolicy(c.lb, "repo:"+seedRepo+":*"), 0, seedPermissions())
	listAll := createRole(t, n1.server(), "lister", seedTrustPolicy(c.lb, "repo:"+seedRepo+":*"), 0,
		map[string]string{"list": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`})

	t.Run("the seed's flow runs through the balancer with the AWS CLI and the Go SDK", func(t *testing.T) {
		clusterSeedFlow(t, c, roleARN)
	})
	t.Run("a role created through node 1 is assumable on node 3 within a second", func(t *testing.T) {
		token := mintToken(t, c.lb, map[string]any{"repository": seedRepo})
		arn := createRole(t, n1.server(), "fresh", seedTrustPolicy(c.lb, "repo:"+seedRepo+":*"), 0, nil)
		took, err := within(time.Second, func() error { _, err := assumeWeb(context.Background(), n3.server(), arn, token, nil); return err })
		if err != nil {
			t.Fatalf("node 3: %v", err)
		}
		t.Logf("assumable on node 3 %s after CreateRole returned on node 1", took.Round(time.Millisecond))
	})
	t.Run("RevokeRoleSessions on node 2 refuses the sessions on nodes 1 and 3 within a second", func(t *testing.T) {
		creds := sessionOf(t, c.lb, listAll)
		for _, n := range []*node{n1, n3} {
			if err := listBuckets(n, creds); err != nil {
				t.Fatalf("%s before the revocation: %v", n.name, err)
			}
		}
		if _, err := admin(n2.URL).RevokeRoleSessions(context.Background(), "lister"); err != nil {
			t.Fatal(err)
		}
		for _, n := range []*node{n1, n3} {
			took, err := within(time.Second, func() error { return refused(listBuckets(n, creds)) })
			if err != nil {
				t.Fatalf("%s still accepts a revoked session: %v", n.name, err)
			}
			t.Logf("%s refuses the revoked session %s after the revocation", n.name, took.Round(time.Millisecond))
		}
	})
	t.Run("a sealing-key rotation on node 1 keeps old sessions valid everywhere", func(t *testing.T) {
		time.Sleep(1100 * time.Millisecond) // SessionsValidAfter has a second's precision
		before := sessionOf(t, n1.server(), listAll)
		if err := admin(n1.URL).RotateSealingKeys(context.Background()); err != nil {
			t.Fatal(err)
		}
		after := sessionOf(t, n1.server(), listAll)
		for _, n := range c.nodes {
			if err := listBuckets(n, before); err != nil {
				t.Errorf("%s refuses a session sealed before the rotation: %v", n.name, err)
			}
			if _, err := within(time.Second, func() error { return listBuckets(n, after) }); err != nil {
				t.Errorf("%s refuses a session sealed with the new key: %v", n.name, err)
			}
		}
	})
	t.Run("a decision made on node 2 is explained through node 1", func(t *testing.T) {
		clusterExplain(t, c, roleARN)
	})
	t.Run("kill -9 of a node during 2,000 exchanges through HAProxy fails none", func(t *testing.T) {
		clusterKill(t, c, roleARN)
	})
	t.Run("PostgreSQL stopped for 10 s during load: no exchange fails, IAM writes are refused retryably, then accepted", func(t *testing.T) {
		clusterOutage(t, c, roleARN, listAll)
	})
}

// clusterSeedFlow is issue 6's workflow with every call through the balancer; what it
// uploaded is read back through nodes 2 and 3.
func clusterSeedFlow(t *testing.T, c *cluster, roleARN string) {
	createSeedBucket(t, c.lb)
	runner := readEnvLines(mustInkan(t, nil, "idp", "runner-env", "--endpoint", c.lb.URL, "--repo", seedRepo, "--ref", seedRef, "--github-env"))
	files := t.TempDir()
	job := map[string]string{"GITHUB_ENV": filepath.Join(files, "env"), "GITHUB_OUTPUT": filepath.Join(files, "output"),
		"AWS_ENDPOINT_URL_STS": c.lb.URL, "AWS_REGION": "ap-northeast-1"}
	for k, v := range runner {
		job[k] = v
	}
	mustInkan(t, job, "assume", "--role-arn", roleARN, "--output", "github")
	jobEnv := readFileCommands(t, job["GITHUB_ENV"])
	deploy := map[string]string{"AWS_ACCESS_KEY_ID": jobEnv["AWS_ACCESS_KEY_ID"], "AWS_SECRET_ACCESS_KEY": jobEnv["AWS_SECRET_ACCESS_KEY"],
		"AWS_SESSION_TOKEN": jobEnv["AWS_SESSION_TOKEN"], "AWS_DEFAULT_REGION": "ap-northeast-1"}
	// The AWS CLI identifies the session through the balancer, on whichever node answers.
	for i := 0; i < 3; i++ {
		out, stderr, err := runAWS(t, deploy, "sts", "get-caller-identity", "--endpoint-url", c.lb.URL)
		if err != nil || !strings.Contains(out, "assumed-role/deploy/GitHubActions") {
			t.Fatalf("aws sts get-caller-identity: %v\n%s%s", err, out, stderr)
		}
	}
	workspace, srcKeys := checkout(t)
	syncSrc(t, c.lb, workspace, deploy)
	if got := bucketKeys(t, c.nodes[1].server()); !slices.Equal(got, srcKeys) {
		t.Fatalf("node 2 lists %v, want %v", got, srcKeys)
	}
	down := t.TempDir()
	mustS3CLI(t, c.nodes[2].server(), deploy, "s3", "sync", "--no-progress", "s3://"+seedBucket+"/src/", down)
	if diff := sameTree(readTree(t, filepath.Join(workspace, "src")), readTree(t, down)); diff != "" {
		t.Fatalf("what node 3 reads differs from what was uploaded through the balancer: %s", diff)
	}
	// aws-sdk-go-v2: an exchange and GetCallerIdentity through the balancer.
	token := mintToken(t, c.lb, map[string]any{"repository": seedRepo})
	out, err := assumeWeb(context.Background(), c.lb, roleARN, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := stsClient(c.lb, awsCreds(out)).GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil || !strings.HasSuffix(aws.ToString(id.Arn), "assumed-role/deploy/GitHubActions") {
		t.Fatalf("GetCallerIdentity through the balancer: %v %v", id, err)
	}
}

// sessionOf exchanges a fresh token for a session of role through srv.
func sessionOf(t *testing.T, srv *testServer, roleARN string) aws.Credentials {
	t.Helper()
	out, err := assumeWeb(context.Background(), srv, roleARN, mintToken(t, srv, map[string]any{"repository": seedRepo}), nil)
	if err != nil {
		t.Fatal(err)
	}
	return awsCreds(out)
}

// listBuckets calls ListBuckets on n with creds, without retries.
func listBuckets(n *node, creds aws.Credentials) error {
	c := s3.NewFromConfig(sessionConfig(creds), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle, o.RetryMaxAttempts = aws.String(n.URL), true, 1
	})
	_, err := c.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	return err
}

// refused turns an AccessDenied into nil and anything else into an error.
func refused(err error) error {
	if err == nil {
		return fmt.Errorf("accepted")
	}
	if !strings.Contains(err.Error(), "AccessDenied") {
		return fmt.Errorf("refused with something other than AccessDenied: %w", err)
	}
	return nil
}

// clusterExplain refuses an exchange on node 2 and reads the decision back through node 1.
func clusterExplain(t *testing.T, c *cluster, roleARN string) {
	n1, n2 := c.nodes[0], c.nodes[1]
	token := mintToken(t, c.lb, map[string]any{"repository": "evil/app"})
	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"}, "RoleArn": {roleARN},
		"RoleSessionName": {"GitHubActions"}, "WebIdentityToken": {token}}
	resp, err := http.PostForm(n2.URL+"/", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id := resp.Header.Get("x-amzn-RequestId")
	if resp.StatusCode != http.StatusForbidden || id == "" {
		t.Fatalf("node 2 answered %d with request id %q", resp.StatusCode, id)
	}
	var d *awsclient.Decision
	took, err := within(5*time.Second, func() (err error) { d, err = admin(n1.URL).Decision(context.Background(), id); return err })
	if err != nil {
		t.Fatalf("node 1 cannot explain node 2's decision %s: %v", id, err)
	}
	if d.Outcome != "deny" || !strings.Contains(d.Reason, "evil/app") {
		t.Fatalf("node 1 explains %s as %+v", id, d)
	}
	env := map[string]string{"INKAN_ROOT_ACCESS_KEY_ID": rootAccessKeyID, "INKAN_ROOT_SECRET_ACCESS_KEY": rootSecretKey}
	out := mustInkan(t, env, "explain", "--endpoint", n1.URL, id)
	if !strings.Contains(out, "verdict    denied") || !strings.Contains(out, "repo:evil/app") {
		t.Fatalf("inkan explain through node 1:\n%s", out)
	}
	t.Logf("node 2's decision readable through node 1 after %s", took.Round(time.Millisecond))
}
