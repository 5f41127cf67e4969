package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/inkan-dev/inkan/internal/cli"
)

func get(t *testing.T, client *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthAndMetricsAnswerOnTheSameEndpoint(t *testing.T) {
	srv := startServer(t)
	roleARN := createRole(t, srv, "deploy", seedTrustPolicy(srv, "repo:acme/app:*"), 0, nil)
	if _, err := assumeWeb(context.Background(), srv, roleARN, mintToken(t, srv, map[string]any{"repository": "evil/app"}), nil); err == nil {
		t.Fatal("evil/app assumed the role")
	}
	if code, body := get(t, http.DefaultClient, srv.URL+"/healthz"); code != 200 || body != "ok\n" {
		t.Fatalf("/healthz: %d %q", code, body)
	}
	code, body := get(t, http.DefaultClient, srv.URL+"/metrics")
	for _, want := range []string{`inkan_decisions_total{action="sts:AssumeRoleWithWebIdentity",outcome="deny"} 1`,
		`inkan_http_requests_total{code="403",service="query"} 1`, "inkan_oidc_fetches_total", "process_resident_memory_bytes"} {
		if code != 200 || !strings.Contains(body, want) {
			t.Errorf("/metrics (%d) lacks %s", code, want)
		}
	}
}

func TestAPinnedRegionRefusesOtherRegions(t *testing.T) {
	srv := startServer(t, "--region", "eu-west-1")
	ctx := context.Background()
	in := &sts.GetCallerIdentityInput{}
	good := sts.NewFromConfig(rootConfig(srv), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL); o.Region = "eu-west-1" })
	if _, err := good.GetCallerIdentity(ctx, in); err != nil {
		t.Fatalf("signed for the pinned region: %v", err)
	}
	bad := sts.NewFromConfig(rootConfig(srv), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL); o.Region = "ap-northeast-1" })
	_, err := bad.GetCallerIdentity(ctx, in)
	if code, msg := apiCode(t, err); code != "SignatureDoesNotMatch" || !strings.Contains(msg, "Region") {
		t.Fatalf("signed for another region: %s %s", code, msg)
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their paths and a pool.
func selfSigned(t *testing.T) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "inkan test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

func TestServingTLS(t *testing.T) {
	certPath, keyPath, pool := selfSigned(t)
	srv := startServer(t, "--tls-cert", certPath, "--tls-key", keyPath)
	if !strings.HasPrefix(srv.URL, "https://127.0.0.1:") {
		t.Fatalf("URL %s", srv.URL)
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c := sts.NewFromConfig(rootConfig(srv), func(o *sts.Options) { o.BaseEndpoint = aws.String(srv.URL); o.HTTPClient = client })
	id, err := c.GetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity over TLS: %v", err)
	}
	if aws.ToString(id.Arn) != "arn:aws:iam::"+testAccount+":root" {
		t.Fatalf("Arn %s", aws.ToString(id.Arn))
	}
}

const declared = `
providers:
  - url: https://token.actions.githubusercontent.com
    client_ids: [sts.amazonaws.com]
    claim_tags: {repository: repository}
policies:
  - name: artifacts
    document:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: s3:PutObject
          Resource: "arn:aws:s3:::artifacts/${aws:PrincipalTag/repository}/*"
roles:
  - name: deploy
    max_session_duration: 2h
    trust_policy:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Principal: {Federated: "arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com"}
          Action: sts:AssumeRoleWithWebIdentity
          Condition:
            StringEquals: {"token.actions.githubusercontent.com:aud": sts.amazonaws.com}
            StringLike: {"token.actions.githubusercontent.com:sub": "repo:acme/*:ref:refs/heads/main"}
    managed_policies: [artifacts]
    policies:
      list: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::artifacts"}]}'
buckets:
  - name: artifacts
`

func TestTheDeclaredConfigurationIsAppliedIdempotently(t *testing.T) {
	dir := t.TempDir()
	conf := writeTemp(t, "inkan.yaml", declared)
	ctx := context.Background()
	check := func(srv *testServer) {
		c := iamClient(srv)
		role, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("deploy")})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToInt32(role.Role.MaxSessionDuration) != 7200 {
			t.Errorf("MaxSessionDuration %d", aws.ToInt32(role.Role.MaxSessionDuration))
		}
		att, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("deploy")})
		if err != nil || len(att.AttachedPolicies) != 1 || aws.ToString(att.AttachedPolicies[0].PolicyName) != "artifacts" {
			t.Errorf("attached policies %+v %v", att, err)
		}
		inline, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("deploy")})
		if err != nil || len(inline.PolicyNames) != 1 || inline.PolicyNames[0] != "list" {
			t.Errorf("inline policies %+v %v", inline, err)
		}
		pol, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/artifacts")})
		if err != nil || aws.ToString(pol.Policy.DefaultVersionId) != "v1" {
			t.Errorf("the managed policy was rewritten on a second start: %+v %v", pol, err)
		}
		s3c := s3.NewFromConfig(rootConfig(srv), func(o *s3.Options) { o.BaseEndpoint = aws.String(srv.URL); o.UsePathStyle = true })
		if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("artifacts")}); err != nil {
			t.Errorf("bucket artifacts: %v", err)
		}
	}
	first := startServer(t, "--data-dir", dir, "--config", conf)
	check(first)
	first.Stop()
	check(startServer(t, "--data-dir", dir, "--config", conf))
}

func TestAConfigurationErrorNamesItsPlaceAndStopsTheServer(t *testing.T) {
	conf := writeTemp(t, "inkan.yaml", "roles:\n  - name: deploy\n    trust_polcy: {}\n")
	var stderr strings.Builder
	code := cli.Main(context.Background(), []string{"serve", "--data-dir", t.TempDir(), "--config", conf, "--addr", "127.0.0.1:0"},
		cli.Env{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }})
	if code == 0 || !strings.Contains(stderr.String(), "trust_polcy") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
}
